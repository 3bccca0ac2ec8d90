"""Per-unit integrity indicators, counted in SQL, judged by the domain.

``unit_counts`` gathers what the period-wide indicators need per unit;
``unit_indicators`` judges every unit against the city and appends the
evidence against the unit's own history (``integrity.evidence``).
Integrity looks at every submission, flagged or not: a stuffing attempt
caught by a hard flag is still a signal.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import Integer, and_, case, cast, func, select
from sqlalchemy.sql.elements import ColumnElement

from survey.domain import quality, quality_evidence
from survey.domain.quality import Indicator
from survey.domain.quality_evidence import UnitEvidence, city_evidence
from survey.domain.quality_references import robust_rate
from survey.extensions import db
from survey.models import Answer, Question, Response, ServiceCase, Survey
from survey.models.responses import INVITED_CHANNELS
from survey.services.integrity.period import (
    CHECK_DIMENSION,
    LIKERT,
    OVERALL_DIMENSION,
    Period,
)
from survey.services.integrity.period import in_period as _in_period


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
