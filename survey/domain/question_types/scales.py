"""What the numbered scales (0-10 recommend, 1-5 stars) share: one whole
point of the scale, stored as a number, no options."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from survey.domain.question_types.base import (
    OUT_OF_RANGE,
    CleanAnswer,
    Outcome,
    QuestionType,
    Rule,
    XlsformShape,
    scale_code,
)


class ScaleType(QuestionType):
    compared_as = "number"
    counted_as = "mean"
    ordered = True
    xlsform_priority = 10  # before a range read as a number
    scale: ClassVar[tuple[int, int]]

    def clean(self, rule: Rule, values: Sequence[str], other: str) -> Outcome:
        low, high = self.scale
        code = scale_code(values[0])
        if code is None or not low <= code <= high:
            return OUT_OF_RANGE
        return CleanAnswer(rule.id, value_int=code)

    def reads_xlsform(self, shape: XlsformShape) -> bool:
        low, high = self.scale
        return shape.kind == "range" and shape.range == (low, high, 1)

    def xlsform_parameters(self) -> str:
        low, high = self.scale
        return f"start={low} end={high} step=1"
