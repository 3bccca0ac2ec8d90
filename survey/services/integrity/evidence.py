"""The counts behind the content and context evidence of issue 25, in SQL.

``unit_evidence`` reads, per unit, what ``survey.domain.quality_evidence``
judges: the content counts of the last four weeks of a period and of the
weeks before it (one GROUP BY over a per-response subquery), the history's
submissions per hour of the week and per day, and the current weeks'
submissions per 10 minutes. The simulation harness fills the same
``UnitEvidence`` from its generated responses, so what it measures is what
this computes.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta

from sqlalchemy import Float, Integer, and_, case, cast, func, or_, select
from sqlalchemy.sql.elements import ColumnElement

from survey.domain.quality_evidence import (
    CONTENT_HISTORY_DAYS,
    CURRENT_DAYS,
    STAFF_DIMENSIONS,
    UnitEvidence,
)
from survey.domain.questions import CHECK, LIKERT5, OVERALL
from survey.extensions import db
from survey.models import Answer, Question, Response, Survey
from survey.models.responses import INVITED_CHANNELS


def current_start(start: date, end: date) -> date:
    """The first day of the period's last four weeks (or the period's start)."""
    return max(start, end - timedelta(days=CURRENT_DAYS - 1))


def _epoch() -> ColumnElement[int]:
    if db.engine.dialect.name == "postgresql":
        return cast(func.floor(func.extract("epoch", Response.submitted_at)), Integer)
    return cast(func.strftime("%s", Response.submitted_at), Integer)


def unit_evidence(survey: Survey, start: date, end: date) -> dict[int, UnitEvidence]:
    """Every unit's content counts and arrivals over the period."""
    since = datetime.combine(start, time())
    split = datetime.combine(current_start(start, end), time())
    until = datetime.combine(end + timedelta(days=1), time())
    where = [
        Response.survey_id == survey.id,
        Response.submitted_at >= since,
        Response.submitted_at < until,
    ]
    recent = max(since, split - timedelta(days=CONTENT_HISTORY_DAYS))
    units: dict[int, UnitEvidence] = defaultdict(UnitEvidence)
    now = case((Response.submitted_at >= split, 1), else_=0)
    value = Answer.value_int
    staff = Question.dimension.in_(sorted(STAFF_DIMENSIONS))
    overall = Question.dimension == OVERALL
    check = Question.dimension == CHECK
    substantive = or_(Question.dimension.is_(None), ~check)
    other = and_(~staff, ~overall, ~check) | Question.dimension.is_(None)
    kept = case((substantive, value))
    per_response = (
        select(
            Response.unit_id.label("unit_id"),
            now.label("now"),
            func.max(case((overall, value))).label("overall"),
            func.max(case((check, value))).label("check"),
            func.min(kept).label("lowest"),
            cast(func.sum(kept), Float).label("total"),
            func.count(kept).label("answered"),
            func.min(case((staff, value))).label("staff_min"),
            func.sum(case((staff, 1), else_=0)).label("staff_n"),
            func.sum(case((other, value), else_=0)).label("other_sum"),
            func.sum(case((other, 1), else_=0)).label("other_n"),
            func.max(Response.duration_seconds).label("duration"),
        )
        .join(Answer, Answer.response_id == Response.id)
        .join(Question, Question.id == Answer.question_id)
        .where(
            where[0],
            Response.submitted_at >= recent,
            where[2],
            Response.channel.not_in(sorted(INVITED_CHANNELS)),
            Question.type == LIKERT5,
            value.between(1, 5),
        )
        .group_by(Response.id, Response.unit_id, now)
        .having(func.count(kept) > 0)
        .subquery()
    )
    r = per_response.c
    mean = r.total / r.answered
    favourable = and_(
        r.overall == 5, r.lowest >= 4, or_(r.check.is_(None), r.check <= 2)
    )
    coached = and_(
        r.staff_n >= 2, r.other_n >= 2, r.staff_min == 5, r.other_sum < 4 * r.other_n
    )
    for unit_id, is_now, n, fav, coach, total, squares in db.session.execute(
        select(
            r.unit_id,
            r.now,
            func.count(),
            func.sum(case((favourable, 1), else_=0)),
            func.sum(case((coached, 1), else_=0)),
            func.sum(mean),
            func.sum(mean * mean),
        ).group_by(r.unit_id, r.now)
    ):
        if not n:
            continue
        e = units[unit_id]
        counts = e.current if is_now else e.history
        counts.n, counts.favourable, counts.coached = n, fav or 0, coach or 0
        counts.score_sum, counts.score_squares = float(total), float(squares)
    for unit_id, is_now, is_favourable, duration in db.session.execute(
        select(r.unit_id, r.now, favourable, r.duration).where(
            r.duration.is_not(None), or_(r.now == 0, favourable)
        )
    ):
        e = units[unit_id]
        if is_now:
            e.favourable_durations.append(int(duration))
            continue
        e.history_durations.append(int(duration))
        if is_favourable:
            e.history_favourable_durations.append(int(duration))
    epoch = _epoch()
    hour = epoch // 3600
    slot = ((hour // 24 + 3) % 7) * 24 + hour % 24
    before = [*where[:2], Response.submitted_at < split]
    for unit_id, hour_of_week, count in db.session.execute(
        select(Response.unit_id, slot, func.count())
        .where(*before)
        .group_by(Response.unit_id, slot)
    ):
        units[unit_id].history_slots[int(hour_of_week)] = count
    day = epoch // 86400
    for unit_id, day_id, count, hard in db.session.execute(
        select(
            Response.unit_id,
            day,
            func.count(),
            func.sum(case((Response.hard_flagged, 1), else_=0)),
        )
        .where(*before)
        .group_by(Response.unit_id, day)
    ):
        e = units[unit_id]
        e.history_day_counts[int(day_id)] = count
        e.history_submitted += count
        e.history_hard_flagged += hard or 0
    window = epoch // 600
    for unit_id, window_id, count, hard in db.session.execute(
        select(
            Response.unit_id,
            window,
            func.count(),
            func.sum(case((Response.hard_flagged, 1), else_=0)),
        )
        .where(where[0], Response.submitted_at >= split, where[2])
        .group_by(Response.unit_id, window)
    ):
        e = units[unit_id]
        e.current_windows[int(window_id)] = count
        e.submitted += count
        e.hard_flagged += hard or 0
        hour_id = int(window_id) // 6
        e.current_hours[hour_id] = e.current_hours.get(hour_id, 0) + count
    devices = (
        select(
            Response.unit_id.label("unit_id"),
            now.label("now"),
            (func.count() - 1).label("repeats"),
        )
        .where(*where, Response.device_hash.is_not(None), Response.channel != "kiosk")
        .group_by(Response.unit_id, now, day, Response.device_hash)
        .having(func.count() > 1)
        .subquery()
    )
    d = devices.c
    for unit_id, is_now, repeats in db.session.execute(
        select(d.unit_id, d.now, func.sum(d.repeats)).group_by(d.unit_id, d.now)
    ):
        e = units[unit_id]
        if is_now:
            e.repeats = int(repeats)
        else:
            e.history_repeats = int(repeats)
    history_days = (split - since).days
    first_day = (since - datetime(1970, 1, 1)).days
    for e in units.values():
        e.history_days = history_days
        e.history_first_day = first_day
    return dict(units)
