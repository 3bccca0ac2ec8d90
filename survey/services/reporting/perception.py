"""M3 on the questions page: each perception factor's index from its items.

Read from the page's own item rows (their published top-two shares), so the
index and the items beside it always agree; ``domain.stats.perception`` does
the arithmetic and the small-n rules are those of every share.
"""

from __future__ import annotations

from dataclasses import dataclass

from survey.domain import statistics as st
from survey.domain.questions import PERCEPTION_FACTORS
from survey.domain.stats.perception import PerceptionIndex, perception_index
from survey.services.reporting.question_results import QuestionReport


@dataclass(frozen=True)
class PerceptionFigure:
    factor: str  # P1..P5
    index: PerceptionIndex
    display: st.ShareDisplay
    items: tuple[str, ...]  # the question codes of the factor

    @property
    def prop(self) -> st.Proportion:
        return self.index.prop

    @property
    def n(self) -> int:
        return round(self.index.prop.n)


def perception_figures(report: QuestionReport) -> tuple[PerceptionFigure, ...]:
    """M3 of every factor that has five-point items in the report's version."""
    figures = []
    for factor in PERCEPTION_FACTORS:
        rows = [
            r
            for r in report.questions
            if r.question.dimension == factor and r.top_two is not None
        ]
        if not rows:
            continue
        index = perception_index([r.top_two.prop for r in rows], min_n=report.min_n)
        display = st.display_share(index.prop, min_n=report.min_n)
        codes = tuple(r.question.code for r in rows)
        figures.append(PerceptionFigure(factor, index, display, codes))
    return tuple(figures)
