"""Display and end conditions: one evaluator for the form, the preview and imports.

A condition is a list of tests joined by "all" (and) or "any" (or); a test
compares the answer to an earlier question, named by its code, with values:

========  ===============================================================
``eq``    equals (a choice: that option is ticked)
``ne``    answered and not equal (a choice: that option is not ticked)
``lt`` ``le`` ``gt`` ``ge``  ordered comparisons on numbers, scale codes
          (likert, rating, NPS; "don't know" is no number) and dates
``in``    one of the values (a choice: one of the options is ticked)
``answered``  the question has an answer
========  ===============================================================

Every test but ``answered`` is false on an unanswered (or hidden) question,
so a condition never shows a question on the strength of a missing answer.
Conditions nest: a test may itself be a condition ("a and (b or c)").
Stored and exported as plain data (``to_data`` / ``from_data``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Protocol

EQ, NE, LT, LE, GT, GE, IN, ANSWERED = (
    "eq",
    "ne",
    "lt",
    "le",
    "gt",
    "ge",
    "in",
    "answered",
)
OPERATORS: tuple[str, ...] = (EQ, NE, LT, LE, GT, GE, IN, ANSWERED)
ORDERED = frozenset({LT, LE, GT, GE})
ALL, ANY = "all", "any"
JOINS = (ALL, ANY)
NOT_APPLICABLE = "9"  # the likert "don't know" code (questions.NOT_APPLICABLE_CODE)
MAX_TESTS = 20
MAX_VALUES = 50
MAX_DEPTH = 3


class ConditionError(ValueError):
    """A condition that cannot be read or does not fit the questions it names."""


class AnswerLike(Protocol):
    """What the evaluator reads of an answer (``answers.CleanAnswer`` fits)."""

    @property
    def option_codes(self) -> tuple[str, ...]: ...
    @property
    def value_int(self) -> int | None: ...
    @property
    def value_number(self) -> float | None: ...
    @property
    def value_text(self) -> str | None: ...
    @property
    def value_date(self) -> date | None: ...


@dataclass(frozen=True)
class Comparison:
    question: str  # the code of an earlier question
    op: str
    values: tuple[str, ...] = ()


@dataclass(frozen=True)
class Condition:
    tests: tuple[Comparison | Condition, ...]
    join: str = ALL

    def questions(self) -> frozenset[str]:
        """The codes of every question the condition reads."""
        codes: set[str] = set()
        for test in self.tests:
            codes |= (
                test.questions() if isinstance(test, Condition) else {test.question}
            )
        return frozenset(codes)


def one_of(question: str, codes: tuple[str, ...]) -> Condition:
    """The classic condition: an earlier choice is one of ``codes``."""
    return Condition((Comparison(question, IN, codes),))


def both(first: Condition | None, second: Condition | None) -> Condition | None:
    """``first and second``, either of which may be absent."""
    if first is None or second is None:
        return first or second
    return Condition((first, second), ALL)


def _number(text: str) -> float | None:
    try:
        value = float(text.strip().replace(",", "."))
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


def _ordered(op: str, left: float | date, right: float | date) -> bool:
    if op == EQ:
        return left == right
    if op == NE:
        return left != right
    if op == LT:
        return left < right  # type: ignore[operator]
    if op == LE:
        return left <= right  # type: ignore[operator]
    if op == GT:
        return left > right  # type: ignore[operator]
    return left >= right  # type: ignore[operator]


def _scalar(answer: AnswerLike) -> float | None:
    """The answer as a number: a number, or a scale code (not "don't know")."""
    if answer.value_number is not None:
        return answer.value_number
    if answer.value_int is None:
        return None
    if answer.option_codes and answer.option_codes[0] == NOT_APPLICABLE:
        return None
    return float(answer.value_int)


def _holds(test: Comparison, answer: AnswerLike | None) -> bool:
    """Whether one test holds, read by the kind of answer given."""
    if answer is None:
        return False
    if test.op == ANSWERED:
        return True
    if not test.values:
        return False
    if answer.value_date is not None:
        return _date_holds(test.op, answer.value_date, test.values)
    number = _scalar(answer)
    if answer.option_codes and (test.op not in ORDERED or number is None):
        return _ticked_holds(test.op, answer.option_codes, test.values)
    if number is not None:
        return _number_holds(test.op, number, test.values)
    if answer.value_text is not None:
        return _text_holds(test.op, answer.value_text, test.values)
    return False


def _date_holds(op: str, day: date, values: tuple[str, ...]) -> bool:
    """A date against the values that read as dates (others are ignored)."""
    days = [d for d in (_day(v) for v in values) if d is not None]
    if op == IN:
        return day in days
    return bool(days) and _ordered(op, day, days[0])


def _ticked_holds(op: str, codes: tuple[str, ...], values: tuple[str, ...]) -> bool:
    """The options ticked against option codes: eq, ne and in only."""
    ticked = set(codes)
    if op == EQ:
        return values[0] in ticked
    if op == NE:
        return values[0] not in ticked
    if op == IN:
        return bool(ticked & set(values))
    return False


def _number_holds(op: str, number: float, values: tuple[str, ...]) -> bool:
    """A number against the values that read as numbers (others are ignored)."""
    wanted = [n for n in (_number(v) for v in values) if n is not None]
    if op == IN:
        return number in wanted
    return bool(wanted) and _ordered(op, number, wanted[0])


def _text_holds(op: str, text: str, values: tuple[str, ...]) -> bool:
    """A text against the values, trimmed and case-folded: eq, ne and in only."""
    folded_text = text.strip().casefold()
    folded = [v.strip().casefold() for v in values]
    if op == EQ:
        return folded_text == folded[0]
    if op == NE:
        return folded_text != folded[0]
    if op == IN:
        return folded_text in folded
    return False


def evaluate(condition: Condition, answers: Mapping[str, AnswerLike]) -> bool:
    """Whether ``condition`` holds for the answers given so far, by question code."""
    results = (
        evaluate(t, answers)
        if isinstance(t, Condition)
        else _holds(t, answers.get(t.question))
        for t in condition.tests
    )
    return all(results) if condition.join == ALL else any(results)


# --- plain data: the database's JSON column, the definitions' JSON ----------


def to_data(condition: Condition) -> dict[str, object]:
    tests: list[object] = [
        to_data(t)
        if isinstance(t, Condition)
        else {"question": t.question, "op": t.op, "values": list(t.values)}
        for t in condition.tests
    ]
    return {"join": condition.join, "tests": tests}


def from_data(data: object, depth: int = 0) -> Condition:
    """A condition from plain data, or ConditionError saying what is wrong."""
    if not isinstance(data, dict):
        raise ConditionError("a condition must be an object")
    join = data.get("join", ALL)
    raw_tests = data.get("tests")
    if join not in JOINS:
        raise ConditionError("join must be 'all' or 'any'")
    if not isinstance(raw_tests, list) or not 0 < len(raw_tests) <= MAX_TESTS:
        raise ConditionError(f"a condition needs 1 to {MAX_TESTS} tests")
    if depth >= MAX_DEPTH:
        raise ConditionError("conditions are nested too deep")
    tests: list[Comparison | Condition] = []
    for raw in raw_tests:
        if isinstance(raw, dict) and "tests" in raw:
            tests.append(from_data(raw, depth + 1))
            continue
        if not isinstance(raw, dict):
            raise ConditionError("a test must be an object")
        question, op = raw.get("question"), raw.get("op")
        values = raw.get("values", [])
        if not isinstance(question, str) or not question:
            raise ConditionError("a test names no question")
        if op not in OPERATORS:
            raise ConditionError(f"unknown comparison {str(op)[:20]!r}")
        if not isinstance(values, list) or len(values) > MAX_VALUES:
            raise ConditionError("a test's values must be a short list")
        if not all(isinstance(v, str | int | float) for v in values):
            raise ConditionError("a test's values must be texts or numbers")
        if op != ANSWERED and not values:
            raise ConditionError(f"the test on {question} needs a value")
        tests.append(Comparison(question, str(op), tuple(str(v) for v in values)))
    return Condition(tuple(tests), str(join))


# --- checks against the questions a condition names ---------------------------


@dataclass(frozen=True)
class Target:
    """What a check needs of an earlier question: its type and option codes."""

    type: str
    option_codes: frozenset[str] = frozenset()


CHOICE = frozenset({"likert5", "single", "multiple"})
ORDERED_TYPES = frozenset({"likert5", "nps", "rating5", "number", "date"})


def check_condition(condition: Condition, earlier: Mapping[str, Target]) -> list[str]:
    """What is wrong with ``condition`` given the earlier questions, by code."""
    problems: list[str] = []
    for test in condition.tests:
        if isinstance(test, Condition):
            problems += check_condition(test, earlier)
            continue
        target = earlier.get(test.question)
        if target is None:
            problems.append(f"{test.question}: not an earlier question")
            continue
        if test.op in ORDERED and target.type not in ORDERED_TYPES:
            problems.append(f"{test.question}: {test.op} needs a number, scale or date")
        if target.type in CHOICE and test.op in (EQ, NE, IN):
            unknown = set(test.values) - target.option_codes
            if unknown:
                problems.append(
                    f"{test.question}: no option {', '.join(sorted(unknown))}"
                )
        if target.type == "date" and test.op != ANSWERED:
            if any(_day(v) is None for v in test.values):
                problems.append(f"{test.question}: the values must be dates")
        elif target.type in ORDERED_TYPES - CHOICE and test.op != ANSWERED:
            if any(_number(v) is None for v in test.values):
                problems.append(f"{test.question}: the values must be numbers")
    return problems


def read_checked(data: object, earlier: Mapping[str, Target]) -> Condition:
    """A condition from plain data that fits the earlier questions, or
    ConditionError with every problem found (the importers' one check)."""
    condition = from_data(data)
    problems = check_condition(condition, earlier)
    if problems:
        raise ConditionError("; ".join(problems))
    return condition
