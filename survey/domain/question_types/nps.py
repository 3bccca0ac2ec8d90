"""Recommend, 0-10 (the net promoter question)."""

from __future__ import annotations

from survey.domain.question_types.base import DemoAnswer, Draw
from survey.domain.question_types.scales import ScaleType


class Recommend(ScaleType):
    code = "nps"
    position = 40
    label = "Recommend (0-10)"
    scale = (0, 10)
    shown_as = "recommend"

    def xlsform_type(self, whole_number: bool) -> tuple[str, str, str]:
        return "range", "", self.xlsform_parameters()

    def demo_answer(self, draw: Draw) -> DemoAnswer:
        return max(0, min(10, round(10 * draw.level + draw.rng.gauss(0, 1.5))))
