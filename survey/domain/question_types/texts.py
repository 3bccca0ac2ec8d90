"""What the free-text types share: clean-up, a length limit, comments."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from survey.domain.question_types.base import (
    TOO_LONG,
    CleanAnswer,
    DemoAnswer,
    Draw,
    Outcome,
    QuestionType,
    Rule,
    clean_text,
)

# What the demo's respondents write, now and then.
COMMENTS = (
    "Cán bộ hướng dẫn tận tình, cảm ơn.",
    "Phải đi lại nhiều lần vì thiếu giấy tờ, nên hướng dẫn rõ hơn từ đầu.",
    "Thời gian chờ quá lâu.",
    "Nơi chờ thiếu chỗ ngồi vào buổi sáng.",
    "Nên mở rộng nộp hồ sơ trực tuyến.",
    "Very helpful staff, thank you.",
)


class TextType(QuestionType):
    counted_as = "texts"
    shown_as = "comments"
    limits = frozenset({"max_length"})
    text_limit: ClassVar[int]  # the longest text stored, whatever the question says

    def length_limit(self, rule: Rule) -> int:
        return min(rule.max_length or self.text_limit, self.text_limit)

    def clean(self, rule: Rule, values: Sequence[str], other: str) -> Outcome:
        text = clean_text(values[0])
        if len(text) > self.length_limit(rule):
            return TOO_LONG
        return CleanAnswer(rule.id, value_text=text) if text else None

    def demo_answer(self, draw: Draw) -> DemoAnswer:
        return draw.rng.choice(COMMENTS) if draw.rng.random() < 0.15 else None
