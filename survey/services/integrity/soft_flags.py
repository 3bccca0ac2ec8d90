"""Per-response soft flags, counted in SQL, judged by the domain.

``store_soft_flags`` stores the context-dependent soft flags of every
response of a survey in a period: speeder, straight-liner, contradiction with
the case record.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import and_, case, func, insert, or_, select, update
from sqlalchemy.sql.elements import ColumnElement

from survey.domain import quality
from survey.domain.quality import GridAnswers, RecordCheck
from survey.extensions import db
from survey.models import (
    Answer,
    Invitation,
    Option,
    Question,
    Response,
    ResponseFlag,
    ServiceCase,
    Survey,
)
from survey.models.responses import INVITED_CHANNELS
from survey.services.integrity.period import CHECK_DIMENSION, LIKERT, Period
from survey.services.integrity.period import in_period as _in_period

ON_TIME_CODES = frozenset({"early", "on_time"})
SOFT_CODES = ("speeder", "straight_liner", "record_contradiction")


def _channel_group() -> ColumnElement[str]:
    """Invited (and phone) apart from every opt-in channel, the kiosk included.

    A kiosk's cut-off is the opt-in channels' together: were it its own, a
    kiosk filled in by staff would set its own median.
    """
    invited = Response.channel.in_(sorted(INVITED_CHANNELS))
    return case((invited, "invited"), else_="opt_in")


def _median_durations(survey: Survey, period: Period) -> dict[tuple[int, str], float]:
    """Median duration per version and channel group: the middle row, in SQL."""
    group = _channel_group()
    groups = db.session.execute(
        select(Response.version_id, group, func.count(Response.id))
        .where(*_in_period(survey, period), Response.duration_seconds.is_not(None))
        .group_by(Response.version_id, group)
    ).all()
    medians = {}
    for version_id, channel, count in groups:
        middle = db.session.scalar(
            select(Response.duration_seconds)
            .where(
                *_in_period(survey, period),
                Response.version_id == version_id,
                group == channel,
                Response.duration_seconds.is_not(None),
            )
            .order_by(Response.duration_seconds)
            .offset(count // 2)
            .limit(1)
        )
        if middle is not None:
            medians[(version_id, channel)] = float(middle)
    return medians


def _speeders(survey: Survey, period: Period) -> dict[int, str]:
    """Under half the median, or under the reading time of the items answered."""
    found: dict[int, str] = {}
    group = _channel_group()
    answered = (
        select(func.count(func.distinct(Answer.question_id)))
        .where(Answer.response_id == Response.id)
        .scalar_subquery()
    )
    for (version_id, channel), median in _median_durations(survey, period).items():
        rows = db.session.execute(
            select(Response.id, Response.duration_seconds, answered).where(
                *_in_period(survey, period),
                Response.version_id == version_id,
                group == channel,
                or_(
                    Response.duration_seconds < quality.SPEEDER_FACTOR * median,
                    Response.duration_seconds
                    < quality.READING_SECONDS_PER_ITEM * answered,
                ),
            )
        )
        for response_id, duration, items in rows:
            reason = quality.speeder(duration, median, items)
            if reason:
                found[response_id] = reason
    return found


def _straight_liners(survey: Survey, period: Period) -> dict[int, str]:
    """Grids are the Likert items on the page of a reverse-keyed check item."""
    found: dict[int, str] = {}
    checks = db.session.execute(
        select(Question.id, Question.page_id, Question.version_id)
        .join(Question.version)
        .where(Question.dimension == CHECK_DIMENSION, Question.type == LIKERT)
        .where(Question.version.has(survey_id=survey.id))
    ).all()
    for check_id, page_id, version_id in checks:
        grid = select(Question.id).where(
            Question.page_id == page_id,
            Question.type == LIKERT,
            Question.id != check_id,
        )
        candidates = db.session.execute(
            select(Answer.response_id, func.min(Answer.value_int), func.count())
            .join(Response, Response.id == Answer.response_id)
            .where(
                *_in_period(survey, period),
                Response.version_id == version_id,
                Answer.question_id.in_(grid),
                Answer.value_int.between(1, 5),
            )
            .group_by(Answer.response_id)
            .having(
                and_(
                    func.min(Answer.value_int) == func.max(Answer.value_int),
                    func.count() >= quality.GRID_MIN_ITEMS,
                )
            )
        ).all()
        if not candidates:
            continue
        ids = [response_id for response_id, _, _ in candidates]
        check_answers = dict(
            db.session.execute(
                select(Answer.response_id, Answer.value_int).where(
                    Answer.question_id == check_id,
                    Answer.response_id.in_(ids),
                    Answer.value_int.between(1, 5),
                )
            ).all()
        )
        for response_id, value, items in candidates:
            if value is None:  # never: the query keeps only answers 1-5
                continue
            reason = quality.straight_liner(
                GridAnswers((value,) * items, check_answers.get(response_id))
            )
            if reason:
                found[response_id] = reason
    return found


def _record_contradictions(survey: Survey, period: Period) -> dict[int, str]:
    """Invited answers to A3 (on time?) and A1 (visits) against the case record."""
    rows = db.session.execute(
        select(
            Response.id,
            Question.code,
            Option.code,
            ServiceCase.returned_on,
            ServiceCase.due_on,
            ServiceCase.supplement_requests,
        )
        .join(Invitation, Invitation.id == Response.invitation_id)
        .join(ServiceCase, ServiceCase.id == Invitation.case_id)
        .join(Answer, Answer.response_id == Response.id)
        .join(Question, Question.id == Answer.question_id)
        .join(Option, Option.id == Answer.option_id)
        .where(*_in_period(survey, period), Question.code.in_(("A1", "A3")))
    ).all()
    said: dict[int, dict[str, Any]] = defaultdict(dict)
    for response_id, question, option, returned, due, supplements in rows:
        entry = said[response_id]
        entry["late"] = due is not None and returned > due
        entry["supplements"] = supplements
        entry[question] = option
    found: dict[int, str] = {}
    for response_id, entry in said.items():
        a3, a1 = entry.get("A3"), entry.get("A1")
        check = RecordCheck(
            said_on_time=(a3 in ON_TIME_CODES)
            if a3 in (*ON_TIME_CODES, "late")
            else None,
            said_visits=int(a1) if a1 and a1.isdigit() else None,
            record_late=entry["late"],
            record_supplements=entry["supplements"],
        )
        reason = quality.record_contradiction(check)
        if reason:
            found[response_id] = reason
    return found


def store_soft_flags(survey: Survey, period: Period) -> dict[str, int]:
    """Add the soft flags not stored yet; returns how many of each were added."""
    found = {
        "speeder": _speeders(survey, period),
        "straight_liner": _straight_liners(survey, period),
        "record_contradiction": _record_contradictions(survey, period),
    }
    added: dict[str, int] = {}
    touched: set[int] = set()
    for code, reasons in found.items():
        if not reasons:
            added[code] = 0
            continue
        known = set(
            db.session.scalars(
                select(ResponseFlag.response_id).where(
                    ResponseFlag.code == code,
                    ResponseFlag.response_id.in_(list(reasons)),
                )
            )
        )
        new = [rid for rid in reasons if rid not in known]
        rows = [
            {
                "response_id": rid,
                "code": code,
                "kind": "soft",
                "reason": reasons[rid][:300],
            }
            for rid in new
        ]
        if rows:
            db.session.execute(insert(ResponseFlag), rows)
            touched.update(new)
        added[code] = len(rows)
    ids = sorted(touched)
    for start in range(0, len(ids), 1000):
        soft = (
            select(func.count(ResponseFlag.id))
            .where(ResponseFlag.response_id == Response.id, ResponseFlag.kind == "soft")
            .scalar_subquery()
        )
        db.session.execute(
            update(Response)
            .where(Response.id.in_(ids[start : start + 1000]))
            .values(soft_flag_count=soft)
            .execution_options(synchronize_session=False)
        )
    db.session.flush()
    return added
