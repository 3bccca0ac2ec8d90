"""A short text on one line."""

from __future__ import annotations

from survey.domain.question_types.base import XlsformShape
from survey.domain.question_types.texts import TextType

SHORT_TEXT_LIMIT = 300


class ShortText(TextType):
    code = "short_text"
    position = 60
    label = "Short text"
    text_limit = SHORT_TEXT_LIMIT
    answer_seconds = 15.0

    def xlsform_type(self, whole_number: bool) -> tuple[str, str, str]:
        return "text", "", ""

    def reads_xlsform(self, shape: XlsformShape) -> bool:
        return shape.kind == "text"
