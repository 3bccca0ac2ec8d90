"""The question-type registry: every registered type checks, codes, maps to
an XLSForm and invents demo answers consistently (one module per type)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from survey.domain import answers, question_types
from survey.domain.answers import CleanAnswer, QuestionRule, check_answers
from survey.domain.question_types import (
    QUESTION_TYPES,
    REGISTRY,
    QuestionType,
    UnknownQuestionType,
    XlsformShape,
    from_xlsform,
    question_type,
)
from survey.domain.question_types.base import Draw

TYPES = sorted(REGISTRY.values(), key=lambda t: t.position)
MODULES = Path(question_types.__file__).parent
SHARED = {"__init__.py", "base.py", "choices.py", "scales.py", "texts.py"}
CHOICES = ("a", "b", "c")


def _codes(kind: QuestionType) -> tuple[str, ...]:
    if kind.allowed_codes is not None:
        return tuple(sorted(kind.allowed_codes))
    return CHOICES if kind.has_options else ()


def _rule(kind: QuestionType, **limits: object) -> QuestionRule:
    return QuestionRule(
        id=1, type=kind.code, required=True, page=0, option_codes=_codes(kind),
        **limits,  # type: ignore[arg-type]
    )  # fmt: skip


def _as_raw(answer: object) -> list[str]:
    """A demo answer as the strings a form hands in."""
    if isinstance(answer, tuple):
        return list(answer)
    return [str(answer)]


def test_every_type_module_defines_one_registered_type() -> None:
    modules = {p.stem for p in MODULES.glob("*.py") if p.name not in SHARED}
    assert modules == set(QUESTION_TYPES)  # a module per type, named by its code
    assert len(set(QUESTION_TYPES)) == len(QUESTION_TYPES)
    for kind in TYPES:
        assert question_type(kind.code) is kind
        assert kind.label and kind.macro == kind.code
    with pytest.raises(UnknownQuestionType):
        question_type("slider")


@pytest.mark.parametrize("kind", TYPES, ids=lambda t: t.code)
def test_the_properties_a_type_declares_agree(kind: QuestionType) -> None:
    assert kind.cell in (
        ("choice", "tick") if kind.has_options else ("value", "number")
    )
    assert (kind.cell == "tick") == kind.several
    assert kind.several <= kind.has_options
    assert (kind.counted_as == "options") <= kind.has_options
    assert (kind.compared_as == "option") == kind.has_options
    assert kind.scale is None or kind.counted_as == "mean"
    assert kind.default_options == () or kind.has_options
    if kind.allowed_codes is not None:
        assert {o.code for o in kind.default_options} <= kind.allowed_codes
    assert kind.answer_seconds > 0
    counted = {"five_point": "mean", "recommend": "mean", "shares": "options"}
    counted |= {"comments": "texts", "none": "none"}
    assert counted[kind.shown_as] == kind.counted_as


@pytest.mark.parametrize("kind", TYPES, ids=lambda t: t.code)
@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32), level=st.floats(0, 1), stuffed=st.booleans())
def test_a_demo_answer_passes_its_own_check(
    kind: QuestionType, seed: int, level: float, stuffed: bool
) -> None:
    codes = _codes(kind)
    draw = Draw(random.Random(seed), level, stuffed, codes, codes, required=True)
    answer = kind.demo_answer(draw)
    if answer is None:
        return
    checked = check_answers([_rule(kind)], {1: _as_raw(answer)})
    assert checked.errors == {}, (kind.code, answer)
    clean = checked.answers[1]
    if kind.has_options:
        assert clean.option_codes == tuple(dict.fromkeys(_as_raw(answer)))
        assert clean.value_int == kind.option_value(clean.option_codes[0])
    elif kind.scale is not None:
        assert clean.value_int == answer


@pytest.mark.parametrize("kind", TYPES, ids=lambda t: t.code)
@settings(max_examples=80, deadline=None)
@given(raw=st.lists(st.text(max_size=12), max_size=3), other=st.text(max_size=5))
def test_any_input_is_a_clean_answer_an_error_code_or_nothing(
    kind: QuestionType, raw: list[str], other: str
) -> None:
    codes = {v for k, v in vars(answers).items() if k.isupper() and isinstance(v, str)}
    checked = check_answers([_rule(kind)], {1: raw}, {1: other})
    if 1 in checked.answers:
        assert isinstance(checked.answers[1], CleanAnswer)
        assert 1 not in checked.errors
    else:
        assert checked.errors[1] in codes


@pytest.mark.parametrize("kind", TYPES, ids=lambda t: t.code)
def test_a_single_answer_type_refuses_two_values(kind: QuestionType) -> None:
    values = list(_codes(kind)[:2]) or ["1", "2"]
    outcome = check_answers([_rule(kind)], {1: values})
    if kind.several:
        assert outcome.answers[1].option_codes == tuple(values)
    else:
        assert outcome.errors == {1: answers.SINGLE_VALUE}


def _shape(kind: QuestionType, whole_number: bool) -> XlsformShape:
    """What the importer sees of the type's own XLSForm export."""
    name, appearance, parameters = kind.xlsform_type(whole_number)
    names = {"select_one": "select one", "select_multiple": "select all that apply"}
    span = None
    if parameters:
        values = dict(p.split("=") for p in parameters.split())
        span = (float(values["start"]), float(values["end"]), float(values["step"]))
    codes = frozenset(_codes(kind))
    return XlsformShape(names.get(name, name), appearance, codes, span)


@pytest.mark.parametrize("kind", TYPES, ids=lambda t: t.code)
@pytest.mark.parametrize("whole_number", [False, True])
def test_the_xlsform_export_of_a_type_reads_back_as_that_type(
    kind: QuestionType, whole_number: bool
) -> None:
    assert from_xlsform(_shape(kind, whole_number)) is kind


def test_an_xlsform_shape_no_type_reads_is_none() -> None:
    assert from_xlsform(XlsformShape("geopoint")) is None
    assert from_xlsform(XlsformShape("range", range=(0, 7, 0.5))) is REGISTRY["number"]


@pytest.mark.parametrize("kind", TYPES, ids=lambda t: t.code)
def test_limits_a_type_does_not_take_are_not_checked(kind: QuestionType) -> None:
    """A stray bound on a type without it changes nothing (the designer drops it)."""
    codes = _codes(kind)
    answer = kind.demo_answer(
        Draw(random.Random(3), 0.7, False, codes, codes, required=True)
    )
    if answer is None:
        return
    loose = check_answers([_rule(kind)], {1: _as_raw(answer)})
    stray = {
        name: value
        for name, value in (
            ("min_value", 10**6),
            ("max_value", -(10**6)),
            ("max_choices", 0),
            ("max_length", 1),
        )
        if name not in kind.limits
    }
    strict = check_answers([_rule(kind, **stray)], {1: _as_raw(answer)})
    assert strict.answers == loose.answers
