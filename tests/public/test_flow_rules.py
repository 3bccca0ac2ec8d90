"""Skip, show and end rules on the citizen's form: nobody is ever stuck."""

from sqlalchemy import func, select

from survey.domain.conditions import Comparison, Condition, one_of
from survey.domain.questions import (
    LIKERT5,
    ConditionSpec,
    OptionSpec,
    PageSpec,
    QuestionSpec,
    SurveySpec,
)
from survey.extensions import db
from survey.models import Answer, Question, Response
from tests.public.helpers import form_fields, open_form, qid

URL = "/s/gate/W1"
YES_NO = (OptionSpec("y", "Có", "Yes"), OptionSpec("n", "Không", "No"))
AGREE = tuple(OptionSpec(str(i), f"Mức {i}", f"Level {i}") for i in range(1, 6))


def gate_spec(end: bool = False, page_rule: bool = False) -> SurveySpec:
    """The issue's dead end: page 2 holds one question shown only if a1 = y."""
    first = QuestionSpec(
        "a1",
        "single",
        "Ông/Bà có làm thủ tục không?",
        "Did you do it?",
        options=YES_NO,
        end_if=one_of("a1", ("n",)) if end else None,
    )
    later = QuestionSpec(
        "b1",
        LIKERT5,
        "Hài lòng?",
        "Satisfied?",
        options=AGREE,
        dimension="overall",
        condition=None if page_rule else ConditionSpec("a1", ("y",)),
    )
    return SurveySpec(
        "Cổng",
        "Gate",
        "",
        "",
        pages=(
            PageSpec("Một", "One", (first,)),
            PageSpec(
                "Hai",
                "Two",
                (later,),
                show_if=Condition((Comparison("a1", "eq", ("y",)),))
                if page_rule
                else None,
            ),
        ),
    )


def stored() -> list[Response]:
    db.session.expire_all()
    return list(db.session.scalars(select(Response)))


def test_the_dead_end_of_the_issue_now_sends(client, make_survey):
    make_survey("gate", spec=gate_spec())
    fields = open_form(client, URL)
    answer = {**fields, qid("a1"): "n", "action": "next"}
    response = client.post(URL, data=answer)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/s/gate/W1/thanks")
    [saved] = stored()
    assert saved.screened_out is False
    assert db.session.scalar(select(func.count(Answer.id))) == 1


def test_yes_leads_on_to_the_page_it_shows(client, make_survey):
    make_survey("gate", spec=gate_spec(page_rule=True))
    fields = open_form(client, URL)
    response = client.post(URL, data={**fields, qid("a1"): "y", "action": "next"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Trang 2/2" in html
    assert 'value="submit"' in html and "Gửi câu trả lời" in html
    done = client.post(
        URL,
        data={**form_fields(html), qid("a1"): "y", qid("b1"): "4", "action": "submit"},
    )
    assert done.status_code == 302
    assert len(stored()) == 1


def test_a_page_hidden_by_its_own_condition_is_skipped(client, make_survey):
    make_survey("gate", spec=gate_spec(page_rule=True))
    fields = open_form(client, URL)
    response = client.post(URL, data={**fields, qid("a1"): "n", "action": "next"})
    assert response.status_code == 302
    assert len(stored()) == 1


def test_the_button_says_send_when_no_later_page_can_show(client, make_survey):
    gate = gate_spec()
    middle = PageSpec(
        "Giữa", "Middle", (QuestionSpec("c1", "short_text", "Ghi chú", "Note"),)
    )
    spec = SurveySpec(
        "Cổng", "Gate", "", "", pages=(gate.pages[0], middle, gate.pages[1])
    )
    make_survey("gate", spec=spec)
    html = client.get(URL).get_data(as_text=True)
    # Page three may still show, depending on the answer here: "Next".
    assert 'value="next"' in html and "Tiếp theo" in html
    fields = form_fields(html)
    response = client.post(URL, data={**fields, qid("a1"): "n", "action": "next"})
    html = response.get_data(as_text=True)
    # Page two is the last one now that a1 = n hides page three.
    assert "Trang 2/3" in html
    assert 'value="submit"' in html and "Gửi câu trả lời" in html
    assert ">Tiếp theo<" not in html
    data = {**form_fields(html), qid("a1"): "n", qid("c1"): "ok", "action": "submit"}
    assert client.post(URL, data=data).status_code == 302
    # A required answer left out: the error, never the same page again silently.
    fields = open_form(client, URL)
    refused = client.post(URL, data={**fields, qid("a1"): "", "action": "next"})
    assert refused.status_code == 422


def test_screening_out_ends_politely_and_keeps_no_rating(client, make_survey):
    make_survey("gate", spec=gate_spec(end=True, page_rule=True))
    fields = open_form(client, URL)
    # A rating slipped in for page two (a tampered post) is not kept either.
    data = {**fields, qid("a1"): "n", qid("b1"): "5", "action": "next"}
    response = client.post(URL, data=data)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/thanks?end=1")
    end = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "dành cho người đã sử dụng dịch vụ này" in end
    [saved] = stored()
    assert saved.screened_out is True
    codes = db.session.scalars(
        select(Question.code).join(Answer).where(Answer.response_id == saved.id)
    ).all()
    assert codes == ["a1"]


def test_screening_out_in_english(client, make_survey):
    make_survey("gate", spec=gate_spec(end=True))
    fields = open_form(client, URL + "?lang=en")
    response = client.post(
        URL + "?lang=en", data={**fields, qid("a1"): "n", "action": "next"}
    )
    end = client.get(response.headers["Location"] + "&lang=en").get_data(as_text=True)
    assert "for people who used this service" in end


def rich_spec() -> SurveySpec:
    number = QuestionSpec(
        "age",
        "number",
        "Tuổi",
        "Age",
        min_value=15,
        max_value=99,
        whole_number=True,
    )
    nps = QuestionSpec("rec", "nps", "Giới thiệu?", "Recommend?")
    day = QuestionSpec("day", "date", "Ngày", "Day")
    low_nps = QuestionSpec(
        "why_low",
        "short_text",
        "Vì sao thấp?",
        "Why low?",
        show_if=Condition(
            (Comparison("rec", "le", ("6",)), Comparison("age", "ge", ("60",))), "any"
        ),
    )
    late_day = QuestionSpec(
        "late_day",
        "short_text",
        "Sau Tết?",
        "After Tet?",
        show_if=Condition(
            (Comparison("day", "gt", ("2026-02-20",)), Comparison("age", "answered"))
        ),
    )
    return SurveySpec(
        "Điều kiện",
        "Conditions",
        "",
        "",
        pages=(
            PageSpec("Một", "One", (number, nps, day)),
            PageSpec("Hai", "Two", (low_nps, late_day)),
        ),
    )


def test_conditions_on_numbers_scores_and_dates(client, make_survey):
    make_survey("gate", spec=rich_spec())
    fields = open_form(client, URL)
    page_one = {qid("age"): "34", qid("rec"): "9", qid("day"): "2026-01-05"}
    # Neither page-two question is shown: the first page sends.
    response = client.post(URL, data={**fields, **page_one, "action": "next"})
    assert response.status_code == 302
    fields = open_form(client, URL)
    page_one = {qid("age"): "34", qid("rec"): "3", qid("day"): "2026-03-05"}
    response = client.post(URL, data={**fields, **page_one, "action": "next"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Vì sao thấp?" in html
    assert "Sau Tết?" in html


def test_a_whole_number_question_refuses_decimals(client, make_survey):
    make_survey("gate", spec=rich_spec())
    html = client.get(URL).get_data(as_text=True)
    # The allowed range is said before any error.
    assert "Số nguyên. Từ 15 đến 99." in html and 'step="1"' in html
    fields = form_fields(html)
    data = {**fields, qid("age"): "34.5", qid("rec"): "9", qid("day"): "2026-01-05"}
    response = client.post(URL, data={**data, "action": "next"})
    assert response.status_code == 422
    assert "Vui lòng nhập số nguyên" in response.get_data(as_text=True)
    data[qid("age")] = "120"
    response = client.post(URL, data={**data, "action": "next"})
    assert "nằm ngoài khoảng cho phép. Từ 15 đến 99." in response.get_data(as_text=True)
    assert stored() == []


def test_a_screened_out_response_is_labelled_in_the_raw_export(client, make_survey):
    from survey.models import Unit
    from survey.services.reporting import raw_export
    from survey.services.reporting.result_filter import ResultFilter

    survey = make_survey("gate", spec=gate_spec(end=True, page_rule=True))
    for answer in ("n", "y"):
        fields = open_form(client, URL)
        data = {**fields, qid("a1"): answer, "action": "next"}
        if answer == "y":
            html = client.post(URL, data=data).get_data(as_text=True)
            data = {**form_fields(html), qid("a1"): "y", qid("b1"): "4"}
            data["action"] = "submit"
        assert client.post(URL, data=data).status_code == 302
    city = db.session.scalar(select(Unit).where(Unit.code == "CITY"))
    flt = ResultFilter(include_flagged=True)
    layout = raw_export.raw_layout(survey, flt)
    rows = list(raw_export.raw_rows(survey, city, flt, layout))
    flags = layout.header.index("flags")
    # (Both were sent within the test's second: hard speeders too.)
    labels = [str(row[flags]).split(";") for row in rows]
    assert "screened_out" in labels[0] and "screened_out" not in labels[1]
    text = "".join(raw_export.raw_csv(survey, city, flt, layout))
    assert text.splitlines()[1].split(",")[6].startswith("screened_out")


def test_screened_out_counts_as_a_response_but_in_no_satisfaction(client, make_survey):
    from survey.services.reporting import (
        result_filter,
        scope_counts,
        tallies,
        unit_counts,
    )

    survey = make_survey("gate", spec=gate_spec(end=True, page_rule=True))
    # Even with a rating slipped in, a "no" keeps none.
    fields = open_form(client, URL)
    data = {**fields, qid("a1"): "n", qid("b1"): "1", "action": "submit"}
    assert client.post(URL, data=data).status_code == 302
    fields = open_form(client, URL)
    html = client.post(URL, data={**fields, qid("a1"): "y", "action": "next"}).get_data(
        as_text=True
    )
    data = {**form_fields(html), qid("a1"): "y", qid("b1"): "5", "action": "submit"}
    assert client.post(URL, data=data).status_code == 302
    flt = result_filter.ResultFilter(include_flagged=True)
    for folded in (False, True):
        if folded:
            tallies.fold()
            db.session.commit()
        assert sum(unit_counts.responses_by_unit(survey, None, flt).values()) == 2
        assert scope_counts.dimension_counts(survey, None, flt, "overall") == {5: 1}
