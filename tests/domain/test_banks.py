"""The standard question banks build valid, self-consistent specs."""

from __future__ import annotations

from collections import Counter

import pytest

from survey.domain.banks import TEMPLATE_TITLES, TEMPLATES, sipas_bank
from survey.domain.question_types import WITH_OPTIONS
from survey.domain.questions import (
    CHECK,
    DIMENSIONS,
    LIKERT5,
    LONG_TEXT,
    MULTIPLE,
    OVERALL,
    PERCEPTION_FACTORS,
    QUESTION_TYPES,
    SATISFACTION_FACTORS,
    SINGLE,
    TRUST,
    QuestionSpec,
    SurveySpec,
)

TEMPLATE_KEYS = sorted(TEMPLATES)


@pytest.fixture(params=TEMPLATE_KEYS)
def spec(request: pytest.FixtureRequest) -> SurveySpec:
    return TEMPLATES[request.param]()


def by_code(spec: SurveySpec) -> dict[str, QuestionSpec]:
    return {q.code: q for q in spec.questions()}


def test_templates_and_titles_cover_the_same_keys() -> None:
    assert set(TEMPLATES) == {"sipas", "sipas_short", "a11_v1", "a11_v2"}
    assert set(TEMPLATE_TITLES) == set(TEMPLATES)
    for names in TEMPLATE_TITLES.values():
        assert names["vi"].strip() and names["en"].strip()


def test_every_template_builds_with_pages_and_questions(spec: SurveySpec) -> None:
    assert isinstance(spec, SurveySpec)
    assert spec.pages
    assert all(page.questions for page in spec.pages)


def test_question_codes_are_unique(spec: SurveySpec) -> None:
    counts = Counter(q.code for q in spec.questions())
    assert [code for code, n in counts.items() if n > 1] == []


def test_types_and_dimensions_are_known(spec: SurveySpec) -> None:
    for q in spec.questions():
        assert q.type in QUESTION_TYPES, q.code
        assert q.dimension is None or q.dimension in DIMENSIONS, q.code


def test_choice_questions_have_options_with_unique_codes(spec: SurveySpec) -> None:
    for q in spec.questions():
        if q.type in WITH_OPTIONS:
            codes = [o.code for o in q.options]
            assert len(codes) >= 2, q.code
            assert len(set(codes)) == len(codes), q.code
            assert all(c and c.isascii() and " " not in c for c in codes), q.code
        else:
            assert q.options == (), q.code


def test_conditions_point_back_to_existing_options(spec: SurveySpec) -> None:
    seen: dict[str, QuestionSpec] = {}
    for q in spec.questions():
        if q.condition is not None:
            target = seen.get(q.condition.question_code)
            assert target is not None, f"{q.code} depends on a later/unknown question"
            assert target.type in WITH_OPTIONS, q.code
            assert q.condition.option_codes, q.code
            known = {o.code for o in target.options}
            assert set(q.condition.option_codes) <= known, q.code
        seen[q.code] = q


def test_likert_items_use_codes_one_to_five_and_nine(spec: SurveySpec) -> None:
    for q in spec.questions():
        if q.type == LIKERT5:
            assert [o.code for o in q.options] == ["1", "2", "3", "4", "5", "9"]


def test_texts_are_filled_in_both_languages(spec: SurveySpec) -> None:
    assert spec.title_vi.strip() and spec.title_en.strip()
    assert spec.intro_vi.strip() and spec.intro_en.strip()
    assert spec.thanks_vi.strip() and spec.thanks_en.strip()
    for page in spec.pages:
        assert page.title_vi.strip() and page.title_en.strip()
    for q in spec.questions():
        assert q.text_vi.strip() and q.text_en.strip(), q.code
        assert bool(q.help_vi) == bool(q.help_en), q.code
        for o in q.options:
            assert o.label_vi.strip() and o.label_en.strip(), (q.code, o.code)
        assert "[" not in q.text_vi + q.text_en, q.code  # no unfilled placeholder


def test_other_options_only_on_choice_questions_and_last(spec: SurveySpec) -> None:
    for q in spec.questions():
        others = [i for i, o in enumerate(q.options) if o.is_other]
        assert others in ([], [len(q.options) - 1]), q.code


def test_every_call_returns_an_equal_fresh_spec() -> None:
    for build in TEMPLATES.values():
        assert build() == build()


# --- SIPAS specifics --------------------------------------------------------


def test_sipas_has_22_perception_items_by_factor() -> None:
    questions = sipas_bank().questions()
    per_factor = Counter(
        q.dimension for q in questions if q.dimension in PERCEPTION_FACTORS
    )
    assert per_factor == {"P1": 4, "P2": 5, "P3": 6, "P4": 3, "P5": 4}
    for q in questions:
        if q.dimension in PERCEPTION_FACTORS:
            factor = int(q.dimension[1])
            assert q.code.startswith(f"B{factor}."), q.code
            assert q.type == LIKERT5
            assert q.options[0].label_vi == "Hoàn toàn không đồng ý"


def test_sipas_satisfaction_items_and_dimensions() -> None:
    questions = by_code(sipas_bank())
    dims = {code: questions[code].dimension for code in ("C1", "C2", "C3", "C4", "C5")}
    assert list(dims.values()) == list(SATISFACTION_FACTORS)
    assert questions["C6"].dimension == OVERALL
    for code in ("C1", "C2", "C3", "C4", "C5", "C6"):
        q = questions[code]
        assert q.type == LIKERT5
        assert q.options[0].label_vi == "Rất không hài lòng"
        assert q.options[-1].label_en == "Don't know/N/A"
        assert q.text_vi.startswith(("Ông/Bà hài lòng như thế nào", "Nhìn chung"))
        assert "…" not in q.text_vi + q.text_en


def test_sipas_check_item_is_in_no_index() -> None:
    q = by_code(sipas_bank())["B0.R"]
    assert q.type == LIKERT5
    assert q.dimension == CHECK


def test_sipas_feedback_filter_gates_b5_and_c5() -> None:
    spec = sipas_bank()
    questions = by_code(spec)
    codes = [q.code for q in spec.questions()]
    flt = questions["B5.0"]
    assert flt.type == SINGLE
    assert [o.code for o in flt.options] == ["yes", "no"]
    assert codes.index("B5.0") < codes.index("B5.1")
    for code in ("B5.1", "B5.2", "B5.3", "B5.4", "C5"):
        cond = questions[code].condition
        assert cond is not None and cond.question_code == "B5.0"
        assert cond.option_codes == ("yes",)


def test_sipas_conditions_on_late_result_and_business() -> None:
    questions = by_code(sipas_bank())
    a4 = questions["A4"].condition
    assert a4 is not None and (a4.question_code, a4.option_codes) == ("A3", ("late",))
    for code in ("D1", "D2", "D3", "D4", "D5"):
        q = questions[code]
        assert q.condition is not None
        assert q.condition.question_code == "Q0.2"
        assert q.condition.option_codes == ("business",)
        assert q.type == LIKERT5 and not q.required


def test_sipas_expectations_and_open_text() -> None:
    questions = by_code(sipas_bank())
    e = questions["E"]
    assert e.type == MULTIPLE and e.max_choices == 3 and not e.required
    assert len(e.options) == 10
    assert [o.code for o in e.options if o.is_other] == ["E10"]
    f1 = questions["F1"]
    assert f1.type == LONG_TEXT and not f1.required and f1.max_length == 1000


def test_sipas_has_no_nps_and_keeps_screening_required() -> None:
    spec = sipas_bank()
    questions = by_code(spec)
    assert all(q.type != "nps" for q in spec.questions())
    assert questions["Q0.1"].required
    assert [o.code for o in questions["Q0.1"].options] == ["yes", "no"]
    assert "Viện Nghiên cứu Phát triển TP.HCM" in spec.intro_vi
    assert "10" in spec.intro_vi and "10" in spec.intro_en


# --- A-11 specifics ---------------------------------------------------------


def test_a11_v1_drivers() -> None:
    spec = TEMPLATES["a11_v1"]()
    questions = by_code(spec)
    expected = {
        "X1": OVERALL,
        "X2": TRUST,
        "X3": "effectiveness",
        "X4": "ease",
        "X5": "efficiency",
        "X6": "equity",
        "X7": "employee",
    }
    for code, dimension in expected.items():
        assert questions[code].type == LIKERT5
        assert questions[code].dimension == dimension
    for code in ("X2a", "X8"):
        assert questions[code].type == LONG_TEXT and not questions[code].required
    assert len(questions) <= 15


def test_a11_v2_branches_on_trust() -> None:
    questions = by_code(TEMPLATES["a11_v2"]())
    assert questions["T1"].type == LIKERT5 and questions["T1"].dimension == TRUST
    t2, t3 = questions["T2"], questions["T3"]
    assert t2.type == MULTIPLE and t3.type == MULTIPLE
    assert t2.condition is not None and t2.condition.option_codes == ("4", "5")
    assert t3.condition is not None and t3.condition.option_codes == ("1", "2", "3")
    assert t2.options == t3.options
    assert {"effectiveness", "ease"} <= {o.code for o in t3.options}
    assert questions["T4"].type == LONG_TEXT and not questions["T4"].required


def test_the_short_sipas_form_fits_a_counter() -> None:
    from survey.domain.answers import CleanAnswer
    from survey.domain.banks import sipas_short_bank
    from survey.domain.conditions import evaluate
    from survey.domain.questions import spec_minutes

    short, full = sipas_short_bank(), by_code(sipas_bank())
    questions = short.questions()
    assert len(short.pages) == 2 and 8 <= len(questions) <= 11
    # Two minutes, as its template title says; the full form seven.
    assert (spec_minutes(short), spec_minutes(sipas_bank())) == (2, 7)
    # Same codes, types and dimensions as the full form: the same metrics.
    for q in questions:
        assert (q.type, q.dimension, q.options) == (
            full[q.code].type,
            full[q.code].dimension,
            full[q.code].options,
        ), q.code
    dimensions = {q.dimension for q in questions}
    assert {OVERALL, *SATISFACTION_FACTORS} <= dimensions
    assert {"Q0.1", "A1", "A3", "A6", "F1"} <= {q.code for q in questions}
    assert [q.code for q in questions if not q.required] == ["F1"]
    # "No" to the screening item ends both forms.
    no = {"Q0.1": CleanAnswer(1, option_codes=("no",))}
    yes = {"Q0.1": CleanAnswer(1, option_codes=("yes",))}
    for screening in (by_code(short)["Q0.1"], full["Q0.1"]):
        assert screening.end_if is not None
        assert evaluate(screening.end_if, no) and not evaluate(screening.end_if, yes)


def test_no_intro_states_a_length_of_its_own(spec: SurveySpec) -> None:
    # The one estimate is computed from the questions (reading_time).
    assert "phút" not in spec.intro_vi and "minute" not in spec.intro_en
