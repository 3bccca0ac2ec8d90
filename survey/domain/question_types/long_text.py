"""A long text (a comment), several lines."""

from __future__ import annotations

from survey.domain.question_types.base import XlsformShape
from survey.domain.question_types.texts import TextType

LONG_TEXT_LIMIT = 2000


class LongText(TextType):
    code = "long_text"
    position = 70
    label = "Long text"
    text_limit = LONG_TEXT_LIMIT
    answer_seconds = 30.0
    xlsform_priority = 10  # before the short text

    def xlsform_type(self, whole_number: bool) -> tuple[str, str, str]:
        return "text", "multiline", ""

    def reads_xlsform(self, shape: XlsformShape) -> bool:
        return shape.kind == "text" and "multiline" in shape.appearance.lower()
