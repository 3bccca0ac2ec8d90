"""Every path through any form ends: a property over generated surveys.

Surveys of one to four pages with random display conditions (on questions
and on whole pages) and random end rules, answered at random by a citizen
who presses whatever button the page shows (without the script) or either
button (with it: the script may relabel it). Every path reaches the end in at
most one post per page, never shows a page twice in a row, and stores no
answer to a question its conditions hide.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from survey.domain.answers import QuestionRule, check_answers
from survey.domain.conditions import (
    OPERATORS,
    Comparison,
    Condition,
    both,
    evaluate,
)
from survey.public.pages import FormPage, is_last_page, navigate, questions_to_show

KINDS = ("single", "likert5", "nps", "number", "date", "short_text", "multiple")
CODES = {
    "single": ("a", "b", "c"),
    "multiple": ("a", "b", "c"),
    "likert5": ("1", "2", "3", "4", "5", "9"),
}


@dataclass(frozen=True)
class FakePage:
    id: int
    position: int


@dataclass(frozen=True)
class FakeQuestion:
    id: int
    code: str
    page_id: int
    page: FakePage


def value_for(kind: str, draw: st.DrawFn) -> str:
    if kind in CODES:
        return draw(st.sampled_from(CODES[kind]))
    if kind == "nps":
        return str(draw(st.integers(0, 10)))
    if kind == "number":
        return str(draw(st.integers(0, 20)))
    if kind == "date":
        return (date(2026, 1, 1) + timedelta(days=draw(st.integers(0, 60)))).isoformat()
    return draw(st.sampled_from(["ok", "late", "x"]))


@st.composite
def conditions(draw: st.DrawFn, earlier: list[tuple[str, str]]) -> Condition | None:
    if not earlier or draw(st.booleans()):
        return None
    tests: list[Comparison | Condition] = []
    for _ in range(draw(st.integers(1, 3))):
        code, kind = draw(st.sampled_from(earlier))
        op = draw(st.sampled_from(OPERATORS))
        values = tuple(value_for(kind, draw) for _ in range(draw(st.integers(1, 2))))
        tests.append(Comparison(code, op, values))
    return Condition(tuple(tests), draw(st.sampled_from(("all", "any"))))


@st.composite
def surveys(draw: st.DrawFn) -> tuple[list[FormPage], list[QuestionRule]]:
    pages: list[FormPage] = []
    rules: list[QuestionRule] = []
    earlier: list[tuple[str, str]] = []
    number = 0
    for index in range(draw(st.integers(1, 4))):
        page = FakePage(100 + index, index)
        page_rule = draw(conditions(earlier))
        questions = []
        for _ in range(draw(st.integers(1, 3))):
            number += 1
            kind = draw(st.sampled_from(KINDS))
            code = f"q{number}"
            own = draw(conditions(earlier))
            end_if = (
                draw(conditions([*earlier, (code, kind)]))
                if draw(st.integers(0, 4)) == 0
                else None
            )
            rules.append(
                QuestionRule(
                    id=number,
                    type=kind,
                    required=draw(st.booleans()),
                    page=index,
                    option_codes=CODES.get(kind, ()),
                    code=code,
                    show_if=both(page_rule, own),
                    end_if=end_if,
                )
            )
            questions.append(FakeQuestion(number, code, page.id, page))
            earlier.append((code, kind))
        pages.append(FormPage(index, page, tuple(questions)))  # type: ignore[arg-type]
    return pages, rules


@settings(max_examples=400, deadline=None)
@given(survey=surveys(), data=st.data(), script=st.booleans())
def test_every_path_ends_and_keeps_only_what_was_shown(survey, data, script):
    pages, rules = survey
    by_id = {rule.id: rule for rule in rules}
    raw: dict[int, list[str]] = {}
    # Answers slipped in for questions never shown: a tampered post.
    for rule in rules:
        if data.draw(st.integers(0, 5)) == 0:
            raw[rule.id] = [value_for(rule.type, data.draw)]
    page, visible = 0, None
    for _post in range(len(pages)):
        shown = questions_to_show(pages, rules, page, visible)
        for qid in shown:
            rule = by_id[qid]
            if rule.required or data.draw(st.booleans()):
                raw[qid] = [value_for(rule.type, data.draw)]
            else:
                raw.pop(qid, None)
        now = check_answers(rules, raw, pages=frozenset()).visible
        last = is_last_page(pages, rules, page, now)
        pressed = "submit" if last else "next"
        if script:
            pressed = data.draw(st.sampled_from(("next", "submit")))
        step = navigate(pages, rules, raw, {}, str(page), pressed)
        assert not step.errors, (page, step.errors)
        if step.done:
            break
        assert step.page > page, "a page led back to itself or before"
        if last and not script:
            raise AssertionError("a page labelled Send did not send")
        page, visible = step.page, step.visible
    else:
        raise AssertionError("the form did not end within one post per page")
    # Nothing hidden is stored: each stored answer's conditions hold on what
    # is stored, and nothing past the page of an end rule that held is kept.
    by_code = {by_id[qid].code: answer for qid, answer in step.answers.items()}
    ended_on = None
    for rule in rules:
        if ended_on is not None and rule.page > ended_on:
            assert rule.id not in step.answers
            continue
        shown_now = rule.show_if is None or evaluate(rule.show_if, by_code)
        if rule.id in step.answers:
            assert shown_now, f"{rule.code} is hidden but stored"
        if shown_now and rule.end_if is not None and evaluate(rule.end_if, by_code):
            ended_on = rule.page if ended_on is None else ended_on
    assert step.screened_out == (ended_on is not None)
