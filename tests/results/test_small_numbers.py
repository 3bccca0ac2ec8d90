"""The same small-n rules on every page, from ``statistics.display_share``:
"> 95 %" and "< 5 %" with 10-29 answers, "caution", and grade C under review."""

from __future__ import annotations

import re

from survey.services.reporting import reports
from survey.services.reporting.result_filter import ResultFilter
from tests.results.conftest import unit
from tests.results.test_rankings import put_under_review


def question_row(html: str, code: str) -> str:
    section = html[html.index(f'id="q-{code}"') :]
    return section[: section.index("</section>")]


def test_questions_page_caps_and_cautions_like_the_overview(
    client, make_survey, add_responses, make_user, login
):
    survey = make_survey()
    add_responses(survey, unit("W1"), 16, code=5)  # 16 of 16 satisfied
    make_user("leader@city.vn", "leader", unit("W1"))
    login("leader@city.vn")
    overview = client.get("/results/test/unit/W1?lang=en").get_data(as_text=True)
    questions = client.get("/results/test/unit/W1/questions?lang=en").get_data(
        as_text=True
    )
    m1 = overview[overview.index('id="m1"') :][:600]
    sat = question_row(questions, "SAT")
    for html in (m1, sat):
        assert "&gt; 95 %" in html and "caution" in html
    assert "100.0 %" not in sat and "(80" not in sat


def test_a_share_below_five_percent_is_capped_with_few_answers(
    client, make_survey, add_responses, make_user, login
):
    survey = make_survey()
    add_responses(survey, unit("W1"), 20, code=1)  # nobody satisfied
    make_user("leader@city.vn", "leader", unit("W1"))
    login("leader@city.vn")
    html = client.get("/results/test/unit/W1?lang=vi").get_data(as_text=True)
    m1 = html[html.index('id="m1"') :][:600]
    assert "&lt; 5 %" in m1 and "0,0 %" not in m1
    sat = question_row(
        client.get("/results/test/unit/W1/questions?lang=vi").get_data(as_text=True),
        "SAT",
    )
    assert "&lt; 5 %" in sat


def test_a_unit_under_review_has_grade_c_on_its_headline_as_in_its_row(
    client, make_survey, add_responses, make_user, login
):
    survey = make_survey()
    add_responses(survey, unit("W1"), 150, code=5, channel="invited")
    add_responses(survey, unit("W2"), 150, code=4, channel="invited")
    flt = ResultFilter(channel="invited")
    assert reports.overview(survey, unit("W1"), flt).grade != "C"
    put_under_review(survey, "W1")
    row = {r.unit.code: r for r in reports.overview(survey, unit("CITY"), flt).children}
    assert row["W1"].grade == "C"
    assert reports.overview(survey, unit("W1"), flt).grade == "C"
    make_user("leader@city.vn", "leader", unit("W1"))
    login("leader@city.vn")
    html = client.get("/results/test/unit/W1?lang=en&channel=invited").get_data(
        as_text=True
    )
    assert re.search(r"grade C", html)


def test_the_summary_caps_a_small_unit_as_its_row_does(
    client, make_survey, add_responses, make_user, login
):
    survey = make_survey()
    add_responses(survey, unit("W1"), 16, code=5)  # 16 of 16: "> 95 %"
    add_responses(survey, unit("W2"), 100, code=5)
    add_responses(survey, unit("W2"), 100, code=2)
    make_user("leader@city.vn", "leader", unit("CITY"))
    login("leader@city.vn")
    html = client.get("/results/test?lang=en").get_data(as_text=True)
    summary = html[html.index('id="h-summary"') :]
    summary = summary[: summary.index("</section>")]
    assert "W1" in summary or "Ward" in summary
    assert "&gt; 95 %" in summary and "100.0 %" not in summary
