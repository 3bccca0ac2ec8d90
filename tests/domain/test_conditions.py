"""The one condition evaluator: every comparison on every answer type."""

from datetime import date

import pytest

from survey.domain.answers import CleanAnswer
from survey.domain.conditions import (
    Comparison,
    Condition,
    ConditionError,
    Target,
    check_condition,
    evaluate,
    from_data,
    to_data,
)

ANSWERS = {
    "choice": CleanAnswer(1, option_codes=("b",)),
    "many": CleanAnswer(2, option_codes=("a", "c")),
    "likert": CleanAnswer(3, option_codes=("4",), value_int=4),
    "na": CleanAnswer(4, option_codes=("9",), value_int=9),
    "nps": CleanAnswer(5, value_int=6),
    "stars": CleanAnswer(6, value_int=2),
    "count": CleanAnswer(7, value_number=3.0),
    "day": CleanAnswer(8, value_date=date(2026, 3, 1)),
    "text": CleanAnswer(9, value_text="Trễ hẹn"),
}


@pytest.mark.parametrize(
    ("code", "op", "values", "expected"),
    [
        ("choice", "eq", ("b",), True),
        ("choice", "ne", ("b",), False),
        ("choice", "in", ("a", "b"), True),
        ("many", "eq", ("c",), True),
        ("many", "ne", ("b",), True),
        ("many", "in", ("b",), False),
        ("likert", "ge", ("4",), True),
        ("likert", "lt", ("4",), False),
        ("likert", "eq", ("4",), True),
        ("na", "le", ("5",), False),  # "don't know" is no number
        ("na", "eq", ("9",), True),
        ("nps", "le", ("6",), True),
        ("nps", "gt", ("6",), False),
        ("nps", "in", ("9", "10"), False),
        ("stars", "lt", ("3",), True),
        ("count", "eq", ("3",), True),
        ("count", "ne", ("3",), False),
        ("count", "gt", ("2,5",), True),
        ("day", "gt", ("2026-02-28",), True),
        ("day", "le", ("2026-02-28",), False),
        ("day", "in", ("2026-03-01",), True),
        ("day", "eq", ("not a day",), False),
        ("text", "eq", ("trễ hẹn",), True),
        ("text", "lt", ("z",), False),
        ("missing", "answered", (), False),
        ("missing", "ne", ("a",), False),  # no answer: no comparison holds
        ("text", "answered", (), True),
        # each kind of answer read by its own rule (pinned before a refactor)
        ("choice", "eq", (), False),  # no values: nothing to compare with
        ("text", "ne", ("Trễ hẹn ",), False),  # trimmed and case-folded
        ("text", "in", ("x", " TRỄ HẸN"), True),
        ("many", "gt", ("1",), False),  # options are not ordered
        ("count", "in", ("x", "3"), True),  # a value that is no number ignored
        ("count", "lt", ("x",), False),
        ("day", "in", ("x",), False),
        ("day", "ne", ("2026-03-01",), False),
        ("likert", "in", ("4",), True),
        ("na", "in", ("9",), True),  # "don't know" read as its option
    ],
)
def test_each_comparison(code, op, values, expected):
    assert evaluate(Condition((Comparison(code, op, values),)), ANSWERS) is expected


def test_and_or_and_nesting():
    yes = Comparison("choice", "eq", ("b",))
    no = Comparison("choice", "eq", ("a",))
    assert evaluate(Condition((yes, no), "any"), ANSWERS)
    assert not evaluate(Condition((yes, no), "all"), ANSWERS)
    nested = Condition((yes, Condition((no, Comparison("nps", "le", ("6",))), "any")))
    assert evaluate(nested, ANSWERS)
    assert from_data(to_data(nested)) == nested


@pytest.mark.parametrize(
    "data",
    [
        None,
        [],
        {"join": "xor", "tests": [{"question": "a", "op": "eq", "values": ["1"]}]},
        {"tests": []},
        {"tests": [{"question": "a", "op": "like", "values": ["1"]}]},
        {"tests": [{"question": "", "op": "eq", "values": ["1"]}]},
        {"tests": [{"question": "a", "op": "eq", "values": []}]},
        {"tests": [{"question": "a", "op": "eq", "values": [{"x": 1}]}]},
        {
            "tests": [
                {
                    "tests": [
                        {"tests": [{"tests": [{"question": "a", "op": "answered"}]}]}
                    ]
                }
            ]
        },
    ],
)
def test_unreadable_conditions_are_refused(data):
    with pytest.raises(ConditionError):
        from_data(data)


def test_checks_against_the_earlier_questions():
    earlier = {
        "gate": Target("single", frozenset({"y", "n"})),
        "count": Target("number"),
        "day": Target("date"),
        "note": Target("short_text"),
    }
    good = Condition(
        (
            Comparison("gate", "eq", ("y",)),
            Comparison("count", "ge", ("2",)),
            Comparison("day", "lt", ("2026-01-01",)),
            Comparison("note", "answered"),
        )
    )
    assert check_condition(good, earlier) == []
    bad = Condition(
        (
            Comparison("gate", "eq", ("maybe",)),
            Comparison("later", "eq", ("1",)),
            Comparison("note", "gt", ("a",)),
            Comparison("count", "eq", ("many",)),
            Comparison("day", "eq", ("soon",)),
        )
    )
    assert len(check_condition(bad, earlier)) == 5
