"""Every registered question type has its macro, drawn by name (no if/elif
on the type string): the form shows each with inputs its check accepts."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

import pytest
from flask import Flask, render_template_string

from survey.domain.answers import QuestionRule, check_answers
from survey.domain.question_types import REGISTRY, QuestionType
from survey.domain.question_types.base import Draw

TYPES = sorted(REGISTRY.values(), key=lambda t: t.position)


@dataclass(frozen=True)
class _Option:
    code: str
    is_other: bool = False

    def label(self, lang: str) -> str:
        return f"label {self.code}"


@dataclass(frozen=True)
class _Question:
    type: str
    options: tuple[_Option, ...] = ()
    id: int = 7
    required: bool = True
    min_value: int | None = None
    max_value: int | None = None
    whole_number: bool = False
    max_length: int | None = None

    def text(self, lang: str) -> str:
        return "Question text"

    def help(self, lang: str) -> str:
        return ""


def _question(kind: QuestionType) -> _Question:
    codes = [o.code for o in kind.default_options] or (
        ["a", "b", "other"] if kind.has_options else []
    )
    options = tuple(_Option(c, is_other=c == "other") for c in codes)
    return _Question(kind.code, options, min_value=1 if kind.limits else None)


def _render(question: _Question, values: dict[int, list[str]]) -> str:
    return render_template_string(
        '{% from "_macros/questions.html" import question %}'
        "{{ question(q, values, {}, {}, 'vi') }}",
        q=question,
        values=values,
    )


def test_every_type_has_its_macro(app: Flask) -> None:
    module = app.jinja_env.get_template("_macros/question_types.html").module
    for kind in TYPES:
        assert callable(getattr(module, kind.macro, None)), kind.code


@pytest.mark.parametrize("kind", TYPES, ids=lambda t: t.code)
def test_each_type_renders_inputs_its_check_accepts(
    app: Flask, kind: QuestionType
) -> None:
    question = _question(kind)
    codes = tuple(o.code for o in question.options)
    plain = tuple(c for c in codes if c != "other")
    with app.test_request_context("/"):
        html = _render(question, {})
        answer = kind.demo_answer(
            Draw(random.Random(1), 0.8, False, codes, plain, required=True)
        ) or (plain[:1] or ("2026-10-01" if kind.compared_as == "date" else "5"))
        raw = list(answer) if isinstance(answer, tuple) else [str(answer)]
        again = _render(question, {7: raw})
    assert f'class="q q-{kind.code}"' in html
    names = set(re.findall(r'name="(q_7(?:_other)?)"', html))
    assert "q_7" in names
    offered = set(re.findall(r'name="q_7"[^>]*value="([^"]*)"', html))
    if kind.has_options:
        assert offered == set(codes)
    elif kind.scale is not None:
        low, high = kind.scale
        assert offered == {str(n) for n in range(low, high + 1)}
    rule = QuestionRule(7, kind.code, True, 0, option_codes=codes)
    assert check_answers([rule], {7: raw}).errors == {}
    if kind.has_options or kind.scale is not None:
        assert all(f'value="{v}" checked' in again for v in raw)
    else:
        assert raw[0] in again
