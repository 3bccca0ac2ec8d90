"""Quality flags and integrity indicators, counted in SQL, judged by the domain.

``recompute_quality`` stores the context-dependent soft flags of every
response of a survey in a period (speeder, straight-liner, contradiction with
the case record), computes each unit's integrity indicators and puts a unit
with a red one "under review". Integrity looks at every submission, flagged
or not: a stuffing attempt caught by a hard flag is still a signal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from survey.domain.quality import Indicator
from survey.domain.quality_evidence import unit_level
from survey.extensions import db
from survey.models import Survey, Unit, UnitReview, User
from survey.models._time import utcnow
from survey.models.reviews import AMBER, UNDER_REVIEW
from survey.services.audit import record_event
from survey.services.integrity.evidence import unit_evidence
from survey.services.integrity.period import Period
from survey.services.integrity.soft_flags import store_soft_flags
from survey.services.integrity.unit_counts import unit_counts, unit_indicators
from survey.services.integrity.watch import store_amber


@dataclass
class QualityReport:
    flags_added: dict[str, int] = field(default_factory=dict)
    indicators: dict[str, list[Indicator]] = field(default_factory=dict)
    reviews_opened: list[str] = field(default_factory=list)
    amber: list[str] = field(default_factory=list)  # units marked amber


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
