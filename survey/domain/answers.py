"""Checking a citizen's answers against the questions, without any framework.

The public form hands in raw strings per question; this module decides which
questions are shown (display conditions), which answers are valid, and what
exactly is stored. Hidden questions are neither required nor kept.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from survey.domain.conditions import Condition, evaluate
from survey.domain.question_types import REGISTRY
from survey.domain.question_types.base import (
    INVALID_CHOICE,
    NOT_A_DATE,
    NOT_A_NUMBER,
    NOT_WHOLE,
    OTHER_MISSING,
    OUT_OF_RANGE,
    REQUIRED,
    SINGLE_VALUE,
    TOO_LONG,
    TOO_MANY,
    CleanAnswer,
    Outcome,
)

# The error codes (the web layer turns them into sentences) and the answer
# live with the types; they are named here too, where the checker's callers
# look for them.
__all__ = [
    "INVALID_CHOICE",
    "NOT_A_DATE",
    "NOT_A_NUMBER",
    "NOT_WHOLE",
    "OTHER_MISSING",
    "OUT_OF_RANGE",
    "REQUIRED",
    "SINGLE_VALUE",
    "TOO_LONG",
    "TOO_MANY",
    "Checked",
    "CleanAnswer",
    "QuestionRule",
    "check_answers",
]


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
class Checked:
    answers: dict[int, CleanAnswer]
    errors: dict[int, str]
    visible: frozenset[int]
    # The first shown question whose end rule holds: the survey ends on its page.
    ended_by: int | None = None
    end_page: int | None = None


def _check_one(rule: QuestionRule, raw: Sequence[str], other: str) -> Outcome:
    """A CleanAnswer, an error code, or None when the question was left empty."""
    values = [v.strip() for v in raw if v.strip()]
    if not values:
        return None
    kind = REGISTRY.get(rule.type)
    if kind is None:
        return INVALID_CHOICE
    if not kind.several and len(values) > 1:
        return SINGLE_VALUE
    return kind.clean(rule, values, other)


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
