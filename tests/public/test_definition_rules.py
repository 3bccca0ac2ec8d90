"""Conditions, end rules and whole numbers survive the JSON export and import."""

import json

import pytest

from survey.services.design.definitions import create_survey
from survey.services.design.exchange import (
    FORMAT,
    FORMAT_VERSION,
    ExchangeError,
    export_definition,
    read_definition,
    spec_to_dict,
)
from tests.public.test_flow_rules import gate_spec, rich_spec


def document(spec) -> bytes:
    return json.dumps(
        {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "definition": spec_to_dict(spec),
        }
    ).encode()


@pytest.mark.parametrize(
    "make", [rich_spec, lambda: gate_spec(end=True, page_rule=True)]
)
def test_rules_round_trip_through_the_database(make, make_unit):
    spec = make()
    read = read_definition(document(spec))
    assert read == spec
    survey = create_survey("copy", read, make_unit("CITY", kind="city"), [])
    again = export_definition(survey)["definition"]
    assert again == spec_to_dict(spec)


def test_an_old_export_without_rules_still_reads(make_unit):
    data = spec_to_dict(gate_spec())
    assert "show_if" not in json.dumps(data) and "end_if" not in json.dumps(data)
    assert read_definition(document(gate_spec())) == gate_spec()


@pytest.mark.parametrize(
    ("where", "rule", "why"),
    [
        (
            "question",
            {"tests": [{"question": "b1", "op": "eq", "values": ["4"]}]},
            "not an earlier question",
        ),
        (
            "question",
            {"tests": [{"question": "a1", "op": "gt", "values": ["y"]}]},
            "needs a number",
        ),
        (
            "question",
            {"tests": [{"question": "a1", "op": "eq", "values": ["maybe"]}]},
            "no option maybe",
        ),
        (
            "page",
            {"tests": [{"question": "a1", "op": "sort-of", "values": ["y"]}]},
            "unknown comparison",
        ),
    ],
)
def test_bad_rules_are_refused_with_the_reason(where, rule, why):
    data = spec_to_dict(gate_spec())
    if where == "question":
        data["pages"][1]["questions"][0]["show_if"] = rule
    else:
        data["pages"][1]["show_if"] = rule
    raw = json.dumps(
        {"format": FORMAT, "format_version": FORMAT_VERSION, "definition": data}
    )
    with pytest.raises(ExchangeError) as refused:
        read_definition(raw.encode())
    assert why in str(refused.value)


def test_an_xlsform_integer_takes_whole_numbers_only(app):
    from survey.services.design.xlsform import read_xlsform
    from tests.admin.test_admin_xlsform import workbook

    raw = workbook(
        [
            ["type", "name", "label", "constraint"],
            ["integer", "age", "Age", ". >= 15 and . <= 99"],
            ["decimal", "weight", "Weight", ""],
        ]
    )
    with app.test_request_context():
        spec = read_xlsform(raw, "form").spec
    age, weight = spec.questions()
    assert (age.whole_number, age.min_value, age.max_value) == (True, 15, 99)
    assert weight.whole_number is False


def test_the_designer_keeps_rules_pointing_at_earlier_questions(make_survey):
    from sqlalchemy import select

    from survey.extensions import db
    from survey.models import Question
    from survey.services.answering.surveys import rule_problems
    from survey.services.design.designer import DesignerError, delete_question
    from tests.public.test_flow_rules import rich_spec

    survey = make_survey("gate", spec=rich_spec(), publish=False, open_=False)
    draft = survey.draft_version
    assert rule_problems(draft) == []
    age = db.session.scalar(select(Question).where(Question.code == "age"))
    # why_low and late_day read "age": it cannot go.
    with pytest.raises(DesignerError):
        delete_question(None, age)
    why_low = db.session.scalar(select(Question).where(Question.code == "why_low"))
    why_low.position = -1  # as if moved before the questions it reads
    assert rule_problems(draft) != []
