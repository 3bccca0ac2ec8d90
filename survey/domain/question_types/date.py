"""A calendar date (no time of day)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from survey.domain.question_types.base import (
    NOT_A_DATE,
    OUT_OF_RANGE,
    CleanAnswer,
    Outcome,
    QuestionType,
    Rule,
    XlsformShape,
)

EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2100, 12, 31)


class Date(QuestionType):
    compared_as = "date"
    code = "date"
    position = 90
    label = "Date"
    ordered = True
    answer_seconds = 8.0

    def clean(self, rule: Rule, values: Sequence[str], other: str) -> Outcome:
        try:
            day = date.fromisoformat(values[0])
        except ValueError:
            return NOT_A_DATE
        if not EARLIEST_DATE <= day <= LATEST_DATE:
            return OUT_OF_RANGE
        return CleanAnswer(rule.id, value_date=day)

    def xlsform_type(self, whole_number: bool) -> tuple[str, str, str]:
        return "date", "", ""

    def reads_xlsform(self, shape: XlsformShape) -> bool:
        return shape.kind == "date"
