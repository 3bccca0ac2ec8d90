"""Quality flags and integrity indicators, counted in SQL, judged by the domain.

``recompute_quality`` stores the context-dependent soft flags of every
response of a survey in a period (speeder, straight-liner, contradiction with
the case record), computes each unit's integrity indicators and puts a unit
with a red one "under review". Integrity looks at every submission, flagged
or not: a stuffing attempt caught by a hard flag is still a signal.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Integer, and_, case, cast, func, insert, or_, select, update
from sqlalchemy.sql.elements import ColumnElement

from survey.domain import quality, quality_evidence
from survey.domain.quality import GridAnswers, Indicator, RecordCheck
from survey.domain.quality_evidence import (
    UnitEvidence,
    city_evidence,
    unit_level,
)
from survey.domain.quality_references import robust_rate
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
    Unit,
    UnitReview,
    User,
)
from survey.models._time import utcnow
from survey.models.responses import INVITED_CHANNELS
from survey.models.reviews import AMBER, UNDER_REVIEW
from survey.services.audit import record_event
from survey.services.integrity.evidence import unit_evidence
from survey.services.integrity.watch import store_amber

LIKERT = "likert5"
CHECK_DIMENSION = "check"
OVERALL_DIMENSION = "overall"
ON_TIME_CODES = frozenset({"early", "on_time"})
SOFT_CODES = ("speeder", "straight_liner", "record_contradiction")


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    @property
    def since(self) -> datetime:
        return datetime.combine(self.start, time())

    @property
    def until(self) -> datetime:
        return datetime.combine(self.end + timedelta(days=1), time())


@dataclass
class QualityReport:
    flags_added: dict[str, int] = field(default_factory=dict)
    indicators: dict[str, list[Indicator]] = field(default_factory=dict)
    reviews_opened: list[str] = field(default_factory=list)
    amber: list[str] = field(default_factory=list)  # units marked amber


def _in_period(survey: Survey, period: Period) -> list[ColumnElement[bool]]:
    return [
        Response.survey_id == survey.id,
        Response.submitted_at >= period.since,
        Response.submitted_at < period.until,
    ]


# --- per-response soft flags -------------------------------------------------


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
        rows = [
            {"response_id": rid, "code": code, "kind": "soft", "reason": reason[:300]}
            for rid, reason in reasons.items()
            if rid not in known
        ]
        if rows:
            db.session.execute(insert(ResponseFlag), rows)
            touched.update(row["response_id"] for row in rows)
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


# --- per-unit integrity indicators -------------------------------------------


def _window_expression() -> ColumnElement[int]:
    """The 10-minute window of a submission, as a whole number."""
    seconds = quality.BURST_WINDOW_SECONDS
    if db.engine.dialect.name == "postgresql":
        return cast(
            func.floor(func.extract("epoch", Response.submitted_at) / seconds), Integer
        )
    return cast(func.strftime("%s", Response.submitted_at), Integer) // seconds


def _month_expression() -> ColumnElement[str]:
    if db.engine.dialect.name == "postgresql":
        return func.to_char(Response.submitted_at, "YYYY-MM")
    return func.strftime("%Y-%m", Response.submitted_at)


@dataclass
class UnitCounts:
    responses: int = 0
    opt_in: int = 0
    all_top: int = 0
    negatives: int = 0
    rated: int = 0
    soft_flagged: int = 0
    invited_soft_flagged: int = 0
    cases: int = 0
    headline: dict[str, list[int]] = field(
        default_factory=lambda: {"opt_in": [0, 0], "invited": [0, 0]}
    )
    windows: list[int] = field(default_factory=list)
    window_days: list[int] = field(default_factory=list)  # each window's day
    days: set[int] = field(default_factory=set)
    months: dict[str, list[int]] = field(default_factory=dict)


def unit_counts(survey: Survey, period: Period) -> dict[int, UnitCounts]:
    """Everything the indicators need, per unit, in a handful of GROUP BYs."""
    counts: dict[int, UnitCounts] = defaultdict(UnitCounts)
    where = _in_period(survey, period)
    invited = Response.channel.in_(sorted(INVITED_CHANNELS))
    soft = Response.soft_flag_count > 0
    for unit_id, total, opt_in, flagged, invited_flagged in db.session.execute(
        select(
            Response.unit_id,
            func.count(Response.id),
            func.sum(case((invited, 0), else_=1)),
            func.sum(case((soft, 1), else_=0)),
            func.sum(case((and_(invited, soft), 1), else_=0)),
        )
        .where(*where)
        .group_by(Response.unit_id)
    ):
        c = counts[unit_id]
        c.responses, c.opt_in, c.soft_flagged = total, opt_in or 0, flagged or 0
        c.invited_soft_flagged = invited_flagged or 0
    # The reverse-worded check ("I had to wait too long") coded 6 - answer,
    # so that "all at the top" means favourable on every item.
    coded = case(
        (Question.dimension == CHECK_DIMENSION, 6 - Answer.value_int),
        else_=Answer.value_int,
    )
    per_response = (
        select(
            Response.unit_id.label("unit_id"),
            func.min(coded).label("lowest"),
        )
        .join(Answer, Answer.response_id == Response.id)
        .join(Question, Question.id == Answer.question_id)
        .where(*where, Question.type == LIKERT, Answer.value_int.between(1, 5))
        .group_by(Response.id, Response.unit_id)
        .subquery()
    )
    for unit_id, rated, top, negative in db.session.execute(
        select(
            per_response.c.unit_id,
            func.count(),
            func.sum(case((per_response.c.lowest == 5, 1), else_=0)),
            func.sum(case((per_response.c.lowest <= 3, 1), else_=0)),
        ).group_by(per_response.c.unit_id)
    ):
        c = counts[unit_id]
        c.rated, c.all_top, c.negatives = rated, top or 0, negative or 0
    month = _month_expression()
    group = case((invited, "invited"), else_="opt_in")
    for unit_id, channel_group, period_month, satisfied, answered in db.session.execute(
        select(
            Response.unit_id,
            group,
            month,
            func.sum(case((Answer.value_int >= 4, 1), else_=0)),
            func.count(Answer.id),
        )
        .join(Answer, Answer.response_id == Response.id)
        .join(Question, Question.id == Answer.question_id)
        .where(
            *where,
            Question.dimension == OVERALL_DIMENSION,
            Answer.value_int.between(1, 5),
        )
        .group_by(Response.unit_id, group, month)
    ):
        c = counts[unit_id]
        c.headline[channel_group][0] += satisfied or 0
        c.headline[channel_group][1] += answered
        monthly = c.months.setdefault(period_month, [0, 0])
        monthly[0] += satisfied or 0
        monthly[1] += answered
    window = _window_expression()
    for unit_id, window_id, submitted in db.session.execute(
        select(Response.unit_id, window, func.count(Response.id))
        .where(*where)
        .group_by(Response.unit_id, window)
    ):
        c = counts[unit_id]
        day = int(window_id) * quality.BURST_WINDOW_SECONDS // 86400
        c.windows.append(submitted)
        c.window_days.append(day)
        c.days.add(day)
    for unit_id, cases in db.session.execute(
        select(ServiceCase.unit_id, func.count(ServiceCase.id))
        .where(
            ServiceCase.returned_on >= period.start,
            ServiceCase.returned_on <= period.end,
        )
        .group_by(ServiceCase.unit_id)
    ):
        if unit_id in counts:
            counts[unit_id].cases = cases
    return dict(counts)


def _median_share(counts: dict[int, UnitCounts], attribute: str) -> float | None:
    """The median unit's share: a few manipulated units do not move it."""
    return quality_evidence.median(
        [getattr(c, attribute) / c.rated for c in counts.values() if c.rated >= 10]
    )


def unit_indicators(
    counts: dict[int, UnitCounts],
    evidence: dict[int, UnitEvidence] | None = None,
) -> dict[int, list[Indicator]]:
    """Each unit's indicators against the city (every unit of the survey).

    With ``evidence`` (``integrity.unit_evidence``), each unit's content and
    arrival evidence against its own history follows, then the unit score.
    """
    city_rated = sum(c.rated for c in counts.values())
    city_top = sum(c.all_top for c in counts.values())
    city_negative = sum(c.negatives for c in counts.values())
    city_q0 = city_negative / city_rated if city_rated else 0.0
    # Robust references: the median unit's, when enough units have answers.
    # All-top is rare: the median unit may have none, so the reference is
    # the largest of the median, a trimmed pool and a floor (never zero).
    top_reference = robust_rate([(c.all_top, c.rated) for c in counts.values()])
    negative_median = _median_share(counts, "negatives")
    if top_reference is not None and city_rated:
        city_top = round(top_reference * city_rated)
    if negative_median is not None:
        city_q0 = negative_median
    judged = city_evidence(evidence) if evidence else {}
    city_n = sum(c.responses for c in counts.values())
    city_flagged = sum(c.soft_flagged for c in counts.values())
    # Record contradictions exist on the invited channel only: each unit is
    # compared with the share its own mix of channels predicts.
    city_invited_flagged = sum(c.invited_soft_flagged for c in counts.values())
    city_opt_in = sum(c.opt_in for c in counts.values())
    city_channels = {
        "invited": (city_invited_flagged, city_n - city_opt_in),
        "opt_in": (city_flagged - city_invited_flagged, city_opt_in),
    }
    result = {}
    for unit_id, c in counts.items():
        months = [tuple(c.months[m]) for m in sorted(c.months)]
        result[unit_id] = [
            quality.inflation_gap(
                (c.headline["opt_in"][0], c.headline["opt_in"][1]),
                (c.headline["invited"][0], c.headline["invited"][1]),
            ),
            quality.all_top_rate(c.all_top, c.rated, city_top, city_rated),
            quality.zero_negatives(c.negatives, c.rated, city_q0),
            quality.bursts(c.windows, len(c.days), window_days=c.window_days),
            quality.ratings_per_case(c.responses, c.opt_in, c.cases),
            quality.soft_flag_concentration(
                c.soft_flagged,
                c.responses,
                city_flagged,
                city_n,
                channel_n={"invited": c.responses - c.opt_in, "opt_in": c.opt_in},
                city_channels=city_channels,
            ),
            quality.step_change([(x, n) for x, n in months]),
            *judged.get(unit_id, []),
        ]
    return result


def period_indicators(survey: Survey, period: Period) -> dict[int, list[Indicator]]:
    """Every unit's indicators and evidence over the period."""
    evidence = unit_evidence(survey, period.start, period.end)
    return unit_indicators(unit_counts(survey, period), evidence)


def recompute_quality(
    survey: Survey, period: Period, user: User | None = None
) -> QualityReport:
    """Store soft flags, compute the indicators, open reviews for red units."""
    report = QualityReport(flags_added=store_soft_flags(survey, period))
    indicators = period_indicators(survey, period)
    units = {
        u.id: u
        for u in db.session.scalars(select(Unit).where(Unit.id.in_(list(indicators))))
    }
    open_reviews = set(
        db.session.scalars(
            select(UnitReview.unit_id).where(
                UnitReview.survey_id == survey.id, UnitReview.status == UNDER_REVIEW
            )
        )
    )
    for unit_id, found in sorted(indicators.items(), key=lambda kv: units[kv[0]].code):
        unit = units[unit_id]
        report.indicators[unit.code] = found
        red = [i for i in found if i.level == "red"]
        if unit_level(found) == "red" and unit_id not in open_reviews:
            reason = "; ".join(f"{i.code}: {i.reason}" for i in red)
            review = UnitReview(
                survey_id=survey.id,
                unit_id=unit_id,
                period_start=period.start,
                period_end=period.end,
                reason=reason,
                opened_at=utcnow(),
            )
            db.session.add(review)
            db.session.flush()
            record_event(
                user,
                "open",
                "unit_review",
                review.id,
                unit=unit.code,
                survey=survey.slug,
                red=[i.code for i in red],
            )
            report.reviews_opened.append(unit.code)
            open_reviews.add(unit_id)
    report.amber = store_amber(
        survey, period.start, period.end, indicators, units, open_reviews
    )
    return report


def decide_review(
    review: UnitReview, outcome: str, user: User | None, reason: str
) -> None:
    """Clear or confirm a review with a written reason; audited."""
    review.decide(outcome, user, reason, utcnow())
    record_event(
        user,
        {"cleared": "clear", "confirmed": "confirm"}[outcome],
        "unit_review",
        review.id,
        unit=review.unit.code,
        reason=review.decision_reason,
    )
    db.session.flush()


def units_under_review(survey: Survey) -> set[int]:
    """Ids of the survey's units under review: left out of rankings and incentives."""
    return set(
        db.session.scalars(
            select(UnitReview.unit_id).where(
                UnitReview.survey_id == survey.id, UnitReview.status == UNDER_REVIEW
            )
        )
    )


# --- the administrators' review page -------------------------------------------


def reviews_in_scope(scope: Unit, decided: int = 20) -> list[UnitReview]:
    """Reviews of units in ``scope``: every open one, then the latest decided."""
    in_scope = UnitReview.unit_id.in_(Unit.subtree_ids(scope))
    open_ = db.session.scalars(
        select(UnitReview)
        .where(in_scope, UnitReview.status == UNDER_REVIEW)
        .order_by(UnitReview.opened_at.desc(), UnitReview.id.desc())
    )
    done = db.session.scalars(
        select(UnitReview)
        .where(in_scope, UnitReview.status.not_in((UNDER_REVIEW, AMBER)))
        .order_by(UnitReview.decided_at.desc(), UnitReview.id.desc())
        .limit(decided)
    )
    return [*open_, *done]


def review_indicators(reviews: list[UnitReview]) -> dict[int, list[Indicator]]:
    """Each review's unit indicators, computed now over the review's period.

    Indicators compare a unit with the city, so they are computed once per
    survey and period for every unit, then picked per review.
    """
    computed: dict[tuple[int, date, date], dict[int, list[Indicator]]] = {}
    result = {}
    for review in reviews:
        key = (review.survey_id, review.period_start, review.period_end)
        if key not in computed:
            period = Period(review.period_start, review.period_end)
            computed[key] = period_indicators(review.survey, period)
        result[review.id] = computed[key].get(review.unit_id, [])
    return result


@dataclass(frozen=True)
class IntegrityNotice:
    """Open reviews a leader should see beside a figure of ``scope``."""

    own: UnitReview | None  # the scope unit's own open review
    below: list[UnitReview]  # open reviews of units inside the scope
    amber: UnitReview | None = None  # the scope unit's amber mark, if not red
    amber_below: tuple[UnitReview, ...] = ()  # amber units inside the scope

    @property
    def red_codes(self) -> list[str]:
        """The own review's (or amber mark's) indicators, from its stored reason."""
        mark = self.own or self.amber
        if mark is None:
            return []
        return [part.split(":", 1)[0].strip() for part in mark.reason.split("; ")]


def integrity_notice(survey: Survey, scope: Unit) -> IntegrityNotice | None:
    """The scope's own open review or amber mark and those inside it, or None."""
    marks = list(
        db.session.scalars(
            select(UnitReview)
            .where(
                UnitReview.survey_id == survey.id,
                UnitReview.status.in_((UNDER_REVIEW, AMBER)),
                UnitReview.unit_id.in_(Unit.subtree_ids(scope)),
            )
            .order_by(UnitReview.opened_at.desc(), UnitReview.id.desc())
        )
    )
    if not marks:
        return None
    reviews = [r for r in marks if r.status == UNDER_REVIEW]
    amber = [r for r in marks if r.status == AMBER]
    own = next((r for r in reviews if r.unit_id == scope.id), None)
    own_amber = next((r for r in amber if r.unit_id == scope.id), None)
    return IntegrityNotice(
        own,
        [r for r in reviews if r.unit_id != scope.id],
        None if own else own_amber,
        tuple(r for r in amber if r.unit_id != scope.id),
    )
