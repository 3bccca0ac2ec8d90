"""Every registered question type through the designer and an XLSForm and
back: the type's module alone decides what is kept."""

from __future__ import annotations

import pytest
from flask import Flask

from survey.domain.question_types import REGISTRY, QuestionType
from survey.domain.questions import OptionSpec, PageSpec, QuestionSpec, SurveySpec
from survey.services.design import designer
from survey.services.design.xlsform import read_xlsform
from survey.services.design.xlsform.export import spec_xlsform

TYPES = sorted(REGISTRY.values(), key=lambda t: t.position)
LIMITS = {"min_value": 2, "max_value": 8, "max_choices": 2, "max_length": 40}


def _options(kind: QuestionType) -> tuple[OptionSpec, ...]:
    if not kind.has_options:
        return ()
    return kind.default_options or (
        OptionSpec("a", "Một", "One"),
        OptionSpec("b", "Hai", "Two"),
        OptionSpec("c", "Ba", "Three"),
    )


def _spec(kind: QuestionType) -> QuestionSpec:
    limits = {k: v for k, v in LIMITS.items() if k in kind.limits}
    return QuestionSpec(
        code=f"Q_{kind.code}",
        type=kind.code,
        text_vi=f"Câu {kind.code}",
        text_en=f"Question {kind.code}",
        options=_options(kind),
        whole_number="whole_number" in kind.limits,
        **limits,  # type: ignore[arg-type]
    )


def test_every_type_comes_back_from_its_xlsform(app: Flask) -> None:
    spec = SurveySpec(
        "Mọi loại câu hỏi",
        "Every type",
        "",
        "",
        pages=(PageSpec("Trang", "Page", tuple(_spec(k) for k in TYPES)),),
    )
    with app.test_request_context("/"):
        reading = read_xlsform(spec_xlsform(spec, "every_type"), "Every type")
    back = {q.code: q for q in reading.spec.questions()}
    for original in spec.questions():
        again = back[original.code]
        assert again.type == original.type
        assert [o.code for o in again.options] == [o.code for o in original.options]
        for name in LIMITS:
            assert getattr(again, name) == getattr(original, name), (again, name)
        assert again.whole_number == original.whole_number


@pytest.mark.parametrize("kind", TYPES, ids=lambda t: t.code)
def test_the_designer_keeps_what_the_type_takes(
    app: Flask, make_unit, make_user, kind: QuestionType
) -> None:
    city = make_unit("CITY", kind="city")
    user = make_user("designer@city.gov.vn", "admin", city)
    survey = designer.create_designed_survey(user, "types", "", "Loại", "", city)
    version = survey.draft_version
    stray = (OptionSpec("x", "X", "X"), OptionSpec("y", "Y", "Y"))
    data = designer.QuestionDraft(
        code="Q1",
        type=kind.code,
        text_vi="Câu hỏi",
        options=() if kind.default_options else stray,
        **LIMITS,  # type: ignore[arg-type]
    )
    question = designer.add_question(user, version, data)
    for name, value in LIMITS.items():
        assert getattr(question, name) == (value if name in kind.limits else None)
    codes = [o.code for o in question.options]
    expected = [o.code for o in kind.default_options] or ["x", "y"]
    assert codes == (expected if kind.has_options else [])


def test_an_unknown_type_is_refused_by_the_designer(
    app: Flask, make_unit, make_user
) -> None:
    city = make_unit("CITY", kind="city")
    user = make_user("designer@city.gov.vn", "admin", city)
    survey = designer.create_designed_survey(user, "types", "", "Loại", "", city)
    data = designer.QuestionDraft(code="Q1", type="slider", text_vi="Câu hỏi")
    with pytest.raises(designer.DesignerError):
        designer.add_question(user, survey.draft_version, data)
