"""Rating, 1-5 stars."""

from __future__ import annotations

from survey.domain.question_types.base import DemoAnswer, Draw
from survey.domain.question_types.scales import ScaleType


class Rating5(ScaleType):
    code = "rating5"
    position = 50
    label = "Rating (1-5)"
    scale = (1, 5)
    shown_as = "five_point"  # its 1-5 points as the five-point ones

    def xlsform_type(self, whole_number: bool) -> tuple[str, str, str]:
        return "range", "rating", self.xlsform_parameters()

    def demo_answer(self, draw: Draw) -> DemoAnswer:
        return max(1, min(5, round(1 + 4 * draw.level + draw.rng.gauss(0, 0.9))))
