"""The conditions of a form page as data for the small script (form.js).

The script shows and hides questions as the citizen answers and switches the
button between "Next" and "Send"; the server decides again on every post, so
a page without the script (or with a tampered one) behaves the same.
Conditions name questions by code; the script reads fields, named ``q_<id>``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from survey.domain.answers import QuestionRule
from survey.domain.conditions import ANY, Comparison, Condition, to_data
from survey.public.pages import FormPage


@dataclass(frozen=True)
class PageScripts:
    show_when: dict[int, str]  # question id -> its condition, as JSON on fields
    later: str  # JSON: for each later page, when it is shown (null: always)
    ends: str  # JSON: the end rules of this page, any of which ends the survey


def _on_fields(condition: Condition, field_of: Mapping[str, str]) -> Condition:
    tests: list[Comparison | Condition] = []
    for test in condition.tests:
        if isinstance(test, Condition):
            tests.append(_on_fields(test, field_of))
        else:
            # An unknown code reads a field no page has: never answered.
            tests.append(
                Comparison(field_of.get(test.question, "q_none"), test.op, test.values)
            )
    return Condition(tuple(tests), condition.join)


def _json(condition: Condition | None, field_of: Mapping[str, str]) -> object:
    return to_data(_on_fields(condition, field_of)) if condition else None


def page_scripts(
    pages: Sequence[FormPage], rules: Sequence[QuestionRule], current: int
) -> PageScripts:
    field_of = {rule.code: f"q_{rule.id}" for rule in rules if rule.code}
    by_id = {rule.id: rule for rule in rules}
    show_when = conditions_on_fields(rules)
    later: list[object] = []
    for page in pages[current + 1 :]:
        conditions = [by_id[q.id].show_if for q in page.questions if q.id in by_id]
        if any(c is None for c in conditions):
            later.append(None)
        else:
            either = Condition(tuple(c for c in conditions if c is not None), ANY)
            later.append(_json(either, field_of))
    ends = [
        _json(by_id[q.id].end_if, field_of)
        for q in pages[current].questions
        if q.id in by_id and by_id[q.id].end_if is not None
    ]
    return PageScripts(show_when, json.dumps(later), json.dumps(ends))


def conditions_on_fields(rules: Sequence[QuestionRule]) -> dict[int, str]:
    """Each conditional question's display condition, as JSON on field names."""
    field_of = {rule.code: f"q_{rule.id}" for rule in rules if rule.code}
    return {
        rule.id: json.dumps(_json(rule.show_if, field_of))
        for rule in rules
        if rule.show_if is not None
    }
