"""Amber units: the integrity evidence says "look", not "under review" (issue 25).

``recompute_quality`` stores each unit's level; an amber unit (unit score
under 0.01, not red) gets an ``amber`` row in ``unit_reviews``, replaced at
every recomputation of the survey. It is not a review: the unit stays in
rankings and incentive exports and nobody decides it; it only lets a
leader see the notice beside the unit's figure without the indicators
being recomputed on every page view, and an administrator open the
evidence (``admin.decide_review`` shows an amber row's indicators).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy import delete

from survey.domain.quality import Indicator
from survey.domain.quality_evidence import EVIDENCE, unit_level
from survey.extensions import db
from survey.models import Survey, Unit, UnitReview
from survey.models._time import utcnow
from survey.models.reviews import AMBER


def store_amber(
    survey: Survey,
    start: object,
    end: object,
    indicators: Mapping[int, Sequence[Indicator]],
    units: Mapping[int, Unit],
    under_review: set[int],
) -> list[str]:
    """Replace the survey's amber rows with this recomputation's; their codes."""
    db.session.execute(
        delete(UnitReview).where(
            UnitReview.survey_id == survey.id, UnitReview.status == AMBER
        )
    )
    marked = []
    for unit_id, found in indicators.items():
        if unit_id in under_review or unit_level(found) != "amber":
            continue
        amber = [i for i in found if i.code in EVIDENCE and i.level != "green"]
        amber = amber or [i for i in found if i.code == "unit_score"]
        db.session.add(
            UnitReview(
                survey_id=survey.id,
                unit_id=unit_id,
                period_start=start,
                period_end=end,
                status=AMBER,
                reason="; ".join(f"{i.code}: {i.reason}" for i in amber),
                opened_at=utcnow(),
            )
        )
        marked.append(units[unit_id].code)
    db.session.flush()
    return sorted(marked)
