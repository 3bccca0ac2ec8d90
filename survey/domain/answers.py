"""Checking a citizen's answers against the questions, without any framework.

The public form hands in raw strings per question; this module decides which
questions are shown (display conditions), which answers are valid, and what
exactly is stored. Hidden questions are neither required nor kept.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from survey.domain.conditions import Condition, evaluate
from survey.domain.questions import (
    DATE,
    LIKERT5,
    LONG_TEXT,
    MULTIPLE,
    NPS,
    NUMBER,
    RATING5,
    SHORT_TEXT,
    SINGLE,
)

SHORT_TEXT_LIMIT = 300
LONG_TEXT_LIMIT = 2000
OTHER_TEXT_LIMIT = 300
NUMBER_LIMIT = 1_000_000_000
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2100, 12, 31)

# Error codes; the web layer turns them into sentences in the reader's language.
REQUIRED = "required"
INVALID_CHOICE = "invalid_choice"
TOO_MANY = "too_many"
OUT_OF_RANGE = "out_of_range"
NOT_A_NUMBER = "not_a_number"
NOT_A_DATE = "not_a_date"
TOO_LONG = "too_long"
OTHER_MISSING = "other_missing"
SINGLE_VALUE = "single_value"
NOT_WHOLE = "not_whole"


@dataclass(frozen=True)
class QuestionRule:
    """What the checker needs to know of one question."""

    id: int
    type: str
    required: bool
    page: int
    option_codes: tuple[str, ...] = ()
    other_codes: frozenset[str] = frozenset()
    code: str = ""  # what conditions name it by
    # Shown only if it holds (the question's and its page's conditions in one).
    show_if: Condition | None = None
    end_if: Condition | None = None  # the survey ends after its page if it holds
    min_value: int | None = None
    max_value: int | None = None
    whole_number: bool = False
    max_choices: int | None = None
    max_length: int | None = None


@dataclass(frozen=True)
class CleanAnswer:
    """One valid answer, ready to store."""

    question_id: int
    option_codes: tuple[str, ...] = ()
    value_int: int | None = None
    value_number: float | None = None
    value_text: str | None = None
    value_date: date | None = None
    other_text: str | None = None


@dataclass(frozen=True)
class Checked:
    answers: dict[int, CleanAnswer]
    errors: dict[int, str]
    visible: frozenset[int]
    # The first shown question whose end rule holds: the survey ends on its page.
    ended_by: int | None = None
    end_page: int | None = None


def _text_limit(rule: QuestionRule) -> int:
    default = LONG_TEXT_LIMIT if rule.type == LONG_TEXT else SHORT_TEXT_LIMIT
    return min(rule.max_length or default, default)


def _clean_text(value: str) -> str:
    """Strip, normalise line ends and drop control characters but newline and tab."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(c for c in value if c in "\n\t" or c.isprintable()).strip()


def _scale_code(value: str) -> int | None:
    """A short run of ASCII digits as a number ("²" or 5,000 digits are not)."""
    if value.isascii() and value.isdigit() and len(value) <= 3:
        return int(value)
    return None


def _check_one(  # noqa: C901 - one branch per question type reads best
    rule: QuestionRule, raw: Sequence[str], other: str
) -> CleanAnswer | str | None:
    """A CleanAnswer, an error code, or None when the question was left empty."""
    values = [v.strip() for v in raw if v.strip()]
    if not values:
        return None
    if rule.type != MULTIPLE and len(values) > 1:
        return SINGLE_VALUE
    if rule.type in (LIKERT5, SINGLE, MULTIPLE):
        if any(v not in rule.option_codes for v in values):
            return INVALID_CHOICE
        unique = tuple(dict.fromkeys(values))
        if rule.max_choices is not None and len(unique) > rule.max_choices:
            return TOO_MANY
        other_text = None
        if rule.other_codes & set(unique):
            other_text = _clean_text(other)
            if not other_text:
                return OTHER_MISSING
            if len(other_text) > OTHER_TEXT_LIMIT:
                return TOO_LONG
        value_int = _scale_code(unique[0]) if rule.type == LIKERT5 else None
        return CleanAnswer(
            rule.id, option_codes=unique, value_int=value_int, other_text=other_text
        )
    value = values[0]
    if rule.type in (NPS, RATING5):
        low, high = (0, 10) if rule.type == NPS else (1, 5)
        code = _scale_code(value)
        if code is None or not low <= code <= high:
            return OUT_OF_RANGE
        return CleanAnswer(rule.id, value_int=code)
    if rule.type == NUMBER:
        try:
            number = float(value.replace(",", "."))
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
    if rule.type == DATE:
        try:
            day = date.fromisoformat(value)
        except ValueError:
            return NOT_A_DATE
        if not EARLIEST_DATE <= day <= LATEST_DATE:
            return OUT_OF_RANGE
        return CleanAnswer(rule.id, value_date=day)
    if rule.type in (SHORT_TEXT, LONG_TEXT):
        text = _clean_text(value)
        if len(text) > _text_limit(rule):
            return TOO_LONG
        return CleanAnswer(rule.id, value_text=text) if text else None
    return INVALID_CHOICE


def check_answers(
    rules: Sequence[QuestionRule],
    raw: Mapping[int, Sequence[str]],
    other: Mapping[int, str] | None = None,
    pages: frozenset[int] | None = None,
) -> Checked:
    """Check every question in order; ``pages`` limits *required* checks to them.

    Rules must come in question order: a condition refers to earlier questions.
    Answers to hidden questions are dropped; invalid answers on pages outside
    ``pages`` are reported too, so a tampered hidden field never slips through.
    Once a shown question's end rule holds, the pages after its page are
    hidden: the survey ends there.
    """
    other = other or {}
    answers: dict[int, CleanAnswer] = {}
    by_code: dict[str, CleanAnswer] = {}
    errors: dict[int, str] = {}
    visible: set[int] = set()
    ended_by: int | None = None
    end_page: int | None = None
    for rule in rules:
        if end_page is not None and rule.page > end_page:
            break
        if rule.show_if is not None and not evaluate(rule.show_if, by_code):
            continue
        visible.add(rule.id)
        outcome = _check_one(rule, raw.get(rule.id, ()), other.get(rule.id, ""))
        if isinstance(outcome, CleanAnswer):
            answers[rule.id] = outcome
            if rule.code:
                by_code[rule.code] = outcome
        elif isinstance(outcome, str):
            errors[rule.id] = outcome
        elif rule.required and (pages is None or rule.page in pages):
            errors[rule.id] = REQUIRED
        if (
            ended_by is None
            and rule.end_if is not None
            and evaluate(rule.end_if, by_code)
        ):
            ended_by, end_page = rule.id, rule.page
    return Checked(answers, errors, frozenset(visible), ended_by, end_page)
