"""Quality warnings, n_eff and the reliability grade in the units table."""

from __future__ import annotations

import re

from tests.results.test_results_pages import text_of


def _row(html: str, code: str) -> str:
    match = re.search(rf'<tr data-unit="{code}">(.*?)</tr>', html, flags=re.S)
    assert match, code
    return text_of(match.group(1))


def test_units_show_flagged_responses_left_out_n_eff_and_grade(
    client, make_survey, make_unit, make_user, login, add_responses
):
    city = make_unit("CITY", kind="city")
    w1, w2 = make_unit("W1", city), make_unit("W2", city)
    survey = make_survey(units=[w1, w2], owner=city)
    add_responses(survey, w1, 36, code=4)
    add_responses(survey, w1, 4, code=5, hard_flagged=True)
    add_responses(survey, w2, 12, code=2)
    make_user("leader@city.vn", "leader", city)
    login("leader@city.vn")
    html = client.get("/results/test?lang=en").get_data(as_text=True)
    one, two = _row(html, "W1"), _row(html, "W2")
    assert "4 flagged, left out (10.0 %)" in one  # 4 of 40
    assert " 36 36 " in one  # n and n_eff
    assert re.search(r"\bB\b", one)  # 36 answers, all channels: grade B
    assert "flagged" not in two
    assert re.search(r"\bC\b", two)  # 12 answers: grade C
    headline = text_of(html.split('id="h-factors"')[0])
    assert "4 flagged for quality, left out (7.7 %)" in headline  # 4 of 52
    assert "grade B" in headline

    included = client.get("/results/test?lang=en&flagged=1").get_data(as_text=True)
    assert "4 flagged, included (10.0 %)" in _row(included, "W1")


def test_the_open_data_page_shows_grades_but_no_quality_warnings(
    client, make_survey, make_unit, add_responses
):
    city = make_unit("CITY", kind="city")
    w1, w2 = make_unit("W1", city), make_unit("W2", city)
    survey = make_survey(units=[w1, w2], owner=city)
    survey.publish_results = True
    add_responses(survey, w1, 30, code=4)
    add_responses(survey, w1, 3, code=5, hard_flagged=True)
    add_responses(survey, w2, 30, code=4)
    html = client.get("/open/test?lang=en").get_data(as_text=True)
    assert "flagged" not in text_of(html).replace("not flagged for quality", "")
    assert re.search(r"\bB\b", _row(html, "W1"))
