"""What every question type answers for: the contract of the registry.

A type is a small class with class attributes (what the counting, the
export, the designer and the templates ask of it) and a few methods (the
check of a submitted answer, its XLSForm form, a demo answer). One module
per type in this package; ``survey.domain.question_types`` lists them.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import ClassVar, Literal, Protocol

# Error codes of a checked answer; the web layer turns them into sentences.
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

TAP_SECONDS = 2.0  # a choice, a scale point: find it and tap it

# The settings a question may carry; a type keeps those it names in ``limits``.
Limit = Literal["min_value", "max_value", "whole_number", "max_choices", "max_length"]
# How an answer fills its raw-export cell: as given, as a number (34.0 -> 34),
# as the chosen option's code, or as ticks joined by ";".
Cell = Literal["value", "number", "choice", "tick"]
# How the results count it: a mean of the scale value, shares of the options,
# the texts (comments), or not at all.
Counting = Literal["mean", "options", "texts", "none"]
# How the per-question results page shows it: five-point shares, a 0-10
# recommend score, option shares, a link to the comments, or no chart.
Shown = Literal["five_point", "recommend", "shares", "comments", "none"]


@dataclass(frozen=True)
class OptionSpec:
    code: str
    label_vi: str
    label_en: str
    is_other: bool = False  # "other, please specify": asks for a short text too


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


class Rule(Protocol):
    """What a type's check reads of a question (``answers.QuestionRule``)."""

    @property
    def id(self) -> int: ...
    @property
    def option_codes(self) -> tuple[str, ...]: ...
    @property
    def other_codes(self) -> frozenset[str]: ...
    @property
    def min_value(self) -> int | None: ...
    @property
    def max_value(self) -> int | None: ...
    @property
    def whole_number(self) -> bool: ...
    @property
    def max_choices(self) -> int | None: ...
    @property
    def max_length(self) -> int | None: ...


@dataclass(frozen=True)
class XlsformShape:
    """An XLSForm question as the registry reads it (aliases already resolved).

    ``kind`` is one of "select one", "select all that apply", "range",
    "integer", "decimal", "text", "date"; ``range`` is (start, end, step).
    """

    kind: str
    appearance: str = ""
    option_codes: frozenset[str] = frozenset()
    range: tuple[float, float, float] | None = None


@dataclass(frozen=True)
class Draw:
    """What the demo's generator gives a type to invent a plausible answer.

    ``level`` (0-1) is how well the respondent's unit does; ``stuffed``
    marks a ballot-stuffing burst; ``bank`` is the bank's own answer rule for
    this question, if it has one (called only by types that use it).
    """

    rng: random.Random
    level: float
    stuffed: bool
    codes: tuple[str, ...]
    plain_codes: tuple[str, ...]  # without "other, please specify"
    required: bool
    bank: Callable[[], tuple[str, ...] | None] | None = None


# A demo answer: option codes, a text, a scale value, or nothing.
DemoAnswer = tuple[str, ...] | str | int | None
Outcome = CleanAnswer | str | None  # a clean answer, an error code, or empty


def scale_code(value: str) -> int | None:
    """A short run of ASCII digits as a number ("²" or 5,000 digits are not)."""
    if value.isascii() and value.isdigit() and len(value) <= 3:
        return int(value)
    return None


def clean_text(value: str) -> str:
    """Strip, normalise line ends and drop control characters but newline and tab."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(c for c in value if c in "\n\t" or c.isprintable()).strip()


def likert_level(rng: random.Random, level: float, spread: float = 0.9) -> int:
    """A five-point answer around ``level`` (9, "don't know", now and then)."""
    if rng.random() < 0.03:
        return 9
    value = 1 + 4 * level + rng.gauss(0, spread)
    return max(1, min(5, round(value)))


class QuestionType:
    """One question type; subclasses set the class attributes they change."""

    code: ClassVar[str]
    label: ClassVar[str]  # English msgid of its name in the designer's list
    position: ClassVar[int] = 100  # its place in the designer's list
    # Answered by picking option codes (the designer asks for options).
    has_options: ClassVar[bool] = False
    several: ClassVar[bool] = False  # more than one option may be picked
    # The options a new question gets when the designer gives none.
    default_options: ClassVar[tuple[OptionSpec, ...]] = ()
    allowed_codes: ClassVar[frozenset[str] | None] = None  # option codes it takes
    counted_as: ClassVar[Counting] = "none"
    shown_as: ClassVar[Shown] = "none"
    ordered: ClassVar[bool] = False  # conditions may compare it (<, >)
    # What a condition's values on it are: option codes, numbers or dates.
    compared_as: ClassVar[Literal["option", "number", "date"] | None] = None
    limits: ClassVar[frozenset[Limit]] = frozenset()
    scale: ClassVar[tuple[int, int] | None] = None  # lowest and highest point
    cell: ClassVar[Cell] = "value"
    answer_seconds: ClassVar[float] = TAP_SECONDS  # to answer, once read
    xlsform_priority: ClassVar[int] = 50  # lower is asked first on import

    @property
    def macro(self) -> str:
        """Its macro in templates/_macros/question_types.html: named by its code."""
        return self.code

    @property
    def is_text(self) -> bool:
        return self.counted_as == "texts"

    def clean(self, rule: Rule, values: Sequence[str], other: str) -> Outcome:
        """Check the non-empty, stripped ``values`` handed in for ``rule``."""
        raise NotImplementedError

    def option_value(self, code: str) -> int | None:
        """The scale value stored beside a chosen option (none but on scales)."""
        return None

    def xlsform_type(self, whole_number: bool) -> tuple[str, str, str]:
        """(type, appearance, parameters) in an XLSForm; a select's list follows."""
        raise NotImplementedError

    def reads_xlsform(self, shape: XlsformShape) -> bool:
        """Whether an imported XLSForm question of this shape becomes this type."""
        return False

    def demo_answer(self, draw: Draw) -> DemoAnswer:
        """A plausible answer for the demo (None: left empty)."""
        return None
