"""What a spec gives the services that copy it: its titles, a question's fields."""

from __future__ import annotations

import pytest

from survey.domain.questions import QuestionSpec, SurveySpec, question_fields

SPEC = SurveySpec("Khảo sát", "Survey", "", "")


@pytest.mark.parametrize(
    ("title_vi", "title_en", "expected"),
    [
        ("", "", ("Khảo sát", "Survey")),  # nothing given: the spec's own
        ("Mới", "New", ("Mới", "New")),
        ("Mới", "", ("Mới", "")),  # no stale English under a new title
        ("", "New", ("Khảo sát", "New")),
    ],
)
def test_retitled(title_vi: str, title_en: str, expected: tuple[str, str]) -> None:
    spec = SPEC.retitled(title_vi, title_en)
    assert (spec.title_vi, spec.title_en) == expected
    assert spec.intro_vi == SPEC.intro_vi and spec.pages == SPEC.pages


def test_question_fields_rebuild_the_question_but_options_and_rules() -> None:
    q = QuestionSpec(
        code="A1",
        type="number",
        text_vi="Bao nhiêu?",
        text_en="How many?",
        help_vi="gợi ý",
        help_en="hint",
        required=False,
        dimension="ease",
        min_value=1,
        max_value=9,
    )
    assert QuestionSpec(**question_fields(q)) == q
