"""Multiple choice: any number of options (at most ``max_choices``)."""

from __future__ import annotations

from survey.domain.question_types.base import DemoAnswer, Draw, XlsformShape
from survey.domain.question_types.choices import ChoiceType


class MultipleChoice(ChoiceType):
    code = "multiple"
    position = 30
    label = "Multiple choice"
    several = True
    counted_as = "options"
    shown_as = "shares"
    limits = frozenset({"max_choices"})
    cell = "tick"

    def reads_xlsform(self, shape: XlsformShape) -> bool:
        return shape.kind == "select all that apply"

    def demo_answer(self, draw: Draw) -> DemoAnswer:
        if not draw.codes:
            return None
        if draw.rng.random() < 0.3:
            return None
        picks = draw.rng.randint(1, min(3, len(draw.plain_codes)))
        return tuple(draw.rng.sample(draw.plain_codes, picks))
