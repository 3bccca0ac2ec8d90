"""Question types and the plain description of a survey (a *spec*).

A spec is what a question bank produces, what the JSON export writes and
what the importers read; ``survey.services.design.definitions`` turns it into rows.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Protocol, TypedDict

from survey.domain.question_types import (
    QUESTION_TYPES,
    REGISTRY,
    TEXT_TYPES,
)
from survey.domain.question_types.base import TAP_SECONDS, OptionSpec
from survey.domain.question_types.date import Date
from survey.domain.question_types.likert5 import (
    LIKERT_OPTION_CODES,
    NOT_APPLICABLE_CODE,
    Likert5,
)
from survey.domain.question_types.long_text import LongText
from survey.domain.question_types.multiple import MultipleChoice
from survey.domain.question_types.nps import Recommend
from survey.domain.question_types.number import Number
from survey.domain.question_types.rating5 import Rating5
from survey.domain.question_types.short_text import ShortText
from survey.domain.question_types.single import SingleChoice

if TYPE_CHECKING:
    from survey.domain.conditions import Condition

__all__ = [
    "LIKERT_OPTION_CODES",
    "NOT_APPLICABLE_CODE",
    "QUESTION_TYPES",
    "TEXT_TYPES",
    "OptionSpec",
]

# The codes of the types queries name (each type's own module owns it; the
# families a caller asks about are in survey.domain.question_types).
LIKERT5 = Likert5.code  # five-point satisfaction or agreement, options 1-5, 9 (N/A)
SINGLE = SingleChoice.code
MULTIPLE = MultipleChoice.code
NPS = Recommend.code  # 0-10 recommend
RATING5 = Rating5.code  # 1-5 stars
SHORT_TEXT = ShortText.code
LONG_TEXT = LongText.code
NUMBER = Number.code
DATE = Date.code

# Dimension tags feeding the indices of METHODOLOGY.md.
OVERALL = "overall"  # C6 / X1: the headline M1
TRUST = "trust"  # X2 / T1: M8
SATISFACTION_FACTORS = ("S1", "S2", "S3", "S4", "S5")  # C1..C5 -> M2
PERCEPTION_FACTORS = ("P1", "P2", "P3", "P4", "P5")  # B-items -> M3
CHECK = "check"  # B0.R, reverse-keyed attention item, in no index
# Q0.2 "you did this as": sets the response's respondent group.
RESPONDENT_GROUP = "respondent_group"
BUSINESS_CODES = frozenset({"business"})
DIMENSIONS: tuple[str, ...] = (
    OVERALL,
    TRUST,
    *SATISFACTION_FACTORS,
    *PERCEPTION_FACTORS,
    CHECK,
    RESPONDENT_GROUP,
    "effectiveness",
    "ease",
    "efficiency",
    "equity",
    "employee",
)


def respondent_group(option_codes: tuple[str, ...]) -> str | None:
    """'business' or 'citizen' from the answer to the group question, if any."""
    if not option_codes:
        return None
    return "business" if BUSINESS_CODES & set(option_codes) else "citizen"


@dataclass(frozen=True)
class ConditionSpec:
    """Show the question only if an earlier question's answer is one of the codes."""

    question_code: str
    option_codes: tuple[str, ...]


@dataclass(frozen=True)
class QuestionSpec:
    code: str
    type: str
    text_vi: str
    text_en: str
    help_vi: str = ""
    help_en: str = ""
    required: bool = True
    dimension: str | None = None
    options: tuple[OptionSpec, ...] = ()
    condition: ConditionSpec | None = None
    # Richer display condition (survey.domain.conditions), and'ed with the above.
    show_if: Condition | None = None
    # When it holds once the question's page is answered, the survey ends there:
    # the response is kept as screened out (e.g. "did you use the service? No").
    end_if: Condition | None = None
    min_value: int | None = None  # number type
    max_value: int | None = None
    whole_number: bool = False  # number type: 34.5 is refused
    max_choices: int | None = None  # multiple choice
    max_length: int | None = None  # text types


class QuestionWording(Protocol):
    """What every form of a question has: a row, a spec, the form's data."""

    @property
    def code(self) -> str: ...
    @property
    def type(self) -> str: ...
    @property
    def text_vi(self) -> str: ...
    @property
    def text_en(self) -> str: ...
    @property
    def help_vi(self) -> str: ...
    @property
    def help_en(self) -> str: ...
    @property
    def required(self) -> bool: ...
    @property
    def dimension(self) -> str | None: ...
    @property
    def min_value(self) -> int | None: ...
    @property
    def max_value(self) -> int | None: ...
    @property
    def max_choices(self) -> int | None: ...
    @property
    def max_length(self) -> int | None: ...


class QuestionFields(TypedDict):
    code: str
    type: str
    text_vi: str
    text_en: str
    help_vi: str
    help_en: str
    required: bool
    dimension: str | None
    min_value: int | None
    max_value: int | None
    max_choices: int | None
    max_length: int | None


def question_fields(q: QuestionWording) -> QuestionFields:
    """The fields a question keeps as they are from one form to the next (row
    to form data, row to spec, spec to row, spec to draft): its code, type,
    wording, dimension and limits. Options and conditions each form holds its
    own way, so the caller adds them."""
    return QuestionFields(
        code=q.code,
        type=q.type,
        text_vi=q.text_vi,
        text_en=q.text_en,
        help_vi=q.help_vi,
        help_en=q.help_en,
        required=q.required,
        dimension=q.dimension,
        min_value=q.min_value,
        max_value=q.max_value,
        max_choices=q.max_choices,
        max_length=q.max_length,
    )


@dataclass(frozen=True)
class PageSpec:
    title_vi: str
    title_en: str
    questions: tuple[QuestionSpec, ...] = field(default_factory=tuple)
    show_if: Condition | None = None  # the whole page is shown only if it holds


@dataclass(frozen=True)
class SurveySpec:
    title_vi: str
    title_en: str
    intro_vi: str
    intro_en: str
    thanks_vi: str = ""
    thanks_en: str = ""
    pages: tuple[PageSpec, ...] = ()

    def questions(self) -> tuple[QuestionSpec, ...]:
        return tuple(q for page in self.pages for q in page.questions)

    def retitled(self, title_vi: str, title_en: str) -> SurveySpec:
        """This spec under the titles given (a copy, a survey from a bank).

        An empty title keeps the spec's; but a new Vietnamese title without
        an English one leaves English empty, so English readers do not see
        the source's title on a different survey.
        """
        english = title_en or (self.title_en if not title_vi else "")
        return replace(self, title_vi=title_vi or self.title_vi, title_en=english)


# --- how long a form takes ---------------------------------------------------

READING_WORDS_PER_MINUTE = 180  # a phone screen, read with care (not skimmed)
OPTIONAL_TEXT_SECONDS = 5.0  # most pass an optional comment by
PAGE_SECONDS = 3.0  # press Next, wait, find the first question


@dataclass(frozen=True)
class QuestionLoad:
    """What a question asks of the reader, in the default language (Vietnamese)."""

    type: str
    text: str  # question text and help
    labels: tuple[str, ...]  # option labels
    required: bool
    conditional: bool  # shown only under a condition (its own or its page's)

    @classmethod
    def of(
        cls, q: QuestionWording, labels: Iterable[str], conditional: bool
    ) -> QuestionLoad:
        """The load of a question (a spec, the form's data) with these labels."""
        return cls(
            q.type, f"{q.text_vi} {q.help_vi}", tuple(labels), q.required, conditional
        )


def words_in(*texts: str) -> int:
    return sum(len(text.split()) for text in texts)


def estimated_minutes(loads: tuple[QuestionLoad, ...], pages: int) -> int:
    """Minutes a typical respondent takes, whole and at least 1.

    The rule: each question's text and help are read at
    READING_WORDS_PER_MINUTE (Vietnamese counted by syllable, as written),
    and its option labels too unless the same list was read on an earlier
    question (a scale is read once); then it is answered: TAP_SECONDS for a
    choice or a scale, the type's ``answer_seconds`` for a number, date or
    required text,
    OPTIONAL_TEXT_SECONDS for an optional text. A question shown only under
    a condition counts half (some paths skip it). Each page adds
    PAGE_SECONDS. The total is rounded up to the minute. The home page, the
    form's intro and the poster all show this one figure.
    """
    seconds = PAGE_SECONDS * max(pages, 1)
    read: set[tuple[str, ...]] = set()
    for load in loads:
        words = words_in(load.text)
        if load.labels not in read:
            words += words_in(*load.labels)
            read.add(load.labels)
        cost = 60.0 * words / READING_WORDS_PER_MINUTE
        if load.type in TEXT_TYPES and not load.required:
            cost += OPTIONAL_TEXT_SECONDS
        else:
            kind = REGISTRY.get(load.type)
            cost += kind.answer_seconds if kind is not None else TAP_SECONDS
        seconds += cost / 2 if load.conditional else cost
    return max(1, math.ceil(seconds / 60.0))


def spec_minutes(spec: SurveySpec) -> int:
    """``estimated_minutes`` of a spec (a bank, an import)."""
    loads = tuple(
        QuestionLoad.of(
            q,
            (o.label_vi for o in q.options),
            q.condition is not None
            or q.show_if is not None
            or page.show_if is not None,
        )
        for page in spec.pages
        for q in page.questions
    )
    return estimated_minutes(loads, len(spec.pages))
