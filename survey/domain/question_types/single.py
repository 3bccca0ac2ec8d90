"""Single choice: one option of a list (an "other" option asks for a text)."""

from __future__ import annotations

from survey.domain.question_types.base import DemoAnswer, Draw, XlsformShape
from survey.domain.question_types.choices import ChoiceType


class SingleChoice(ChoiceType):
    code = "single"
    position = 20
    label = "Single choice"
    counted_as = "options"
    shown_as = "shares"
    cell = "choice"

    def reads_xlsform(self, shape: XlsformShape) -> bool:
        return shape.kind == "select one"

    def demo_answer(self, draw: Draw) -> DemoAnswer:
        if not draw.codes:
            return None
        if draw.bank is not None:
            known = draw.bank()
            if known is not None:
                return known
        if not draw.required and draw.rng.random() < 0.3:
            return None
        return (draw.rng.choice(draw.codes),)
