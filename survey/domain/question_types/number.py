"""A number, whole or not, between optional bounds."""

from __future__ import annotations

import math
from collections.abc import Sequence

from survey.domain.question_types.base import (
    NOT_A_NUMBER,
    NOT_WHOLE,
    OUT_OF_RANGE,
    CleanAnswer,
    Outcome,
    QuestionType,
    Rule,
    XlsformShape,
)

NUMBER_LIMIT = 1_000_000_000


class Number(QuestionType):
    compared_as = "number"
    code = "number"
    position = 80
    label = "Number"
    ordered = True
    limits = frozenset({"min_value", "max_value", "whole_number"})
    cell = "number"
    answer_seconds = 6.0

    def clean(self, rule: Rule, values: Sequence[str], other: str) -> Outcome:
        try:
            number = float(values[0].replace(",", "."))
        except ValueError:
            return NOT_A_NUMBER
        if not math.isfinite(number) or abs(number) > NUMBER_LIMIT:
            return NOT_A_NUMBER
        if rule.whole_number and not number.is_integer():
            return NOT_WHOLE
        if (rule.min_value is not None and number < rule.min_value) or (
            rule.max_value is not None and number > rule.max_value
        ):
            return OUT_OF_RANGE
        return CleanAnswer(rule.id, value_number=number)

    def xlsform_type(self, whole_number: bool) -> tuple[str, str, str]:
        return ("integer" if whole_number else "decimal"), "", ""

    def reads_xlsform(self, shape: XlsformShape) -> bool:
        return shape.kind in ("integer", "decimal", "range")
