"""How much the units under review weigh in an area's headline (issue 25).

An area's headline (M1, the top-two share of the overall item) counts the
answers of every unit inside it, those under integrity review too. Beside
it the leader reads how many of its answers those units gave and the
figure without them: "61,0 % → 60,7 % without Phường Bến Thành".

Both are differences of published counts (the scope's and each reviewed
unit's, cell-key noise and all), so nothing is shown that the pages do
not already show; the figure without them is suppressed as any other.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from survey.domain.questions import OVERALL
from survey.models import Survey, Unit, UnitReview
from survey.services.reporting import scope_counts
from survey.services.reporting.result_filter import ResultFilter
from survey.services.reporting.share_figures import ShareFigure, top_two

ANSWER_CODES = (1, 2, 3, 4, 5)


@dataclass(frozen=True)
class ReviewShare:
    """The headline with and without the units under review inside the scope."""

    units: tuple[Unit, ...]
    answers: int  # their answers to the overall item
    share: float  # of the scope's answers to it
    with_them: ShareFigure
    without_them: ShareFigure


def review_share(
    survey: Survey,
    scope: Unit,
    flt: ResultFilter,
    below: Sequence[UnitReview],
) -> ReviewShare | None:
    """The headline without the units under review below ``scope``, or None."""
    units = tuple(r.unit for r in below if r.unit_id != scope.id)
    if not units:
        return None
    total = scope_counts.dimension_counts(survey, scope, flt, OVERALL)
    theirs: Counter[int] = Counter()
    for unit in units:
        theirs.update(scope_counts.dimension_counts(survey, unit, flt, OVERALL))
    without = Counter({c: max(total[c] - theirs[c], 0) for c in total})
    answered = sum(total[c] for c in ANSWER_CODES)
    their_answers = min(sum(theirs[c] for c in ANSWER_CODES), answered)
    with_them = top_two(total, survey.min_n)
    without_them = top_two(without, survey.min_n)
    if not answered or not with_them.shown or not without_them.shown:
        return None
    return ReviewShare(
        units, their_answers, their_answers / answered, with_them, without_them
    )
