"""The numbers: recomputed from raw answers, filters, suppression, exports."""

from __future__ import annotations

import csv
import io
import math
import re

from openpyxl import load_workbook
from sqlalchemy import select

from survey.domain.questions import OVERALL
from survey.extensions import db
from survey.models import Answer, Question, Response
from survey.services.demo import DEMO_SLUG
from survey.services.reporting.result_filter import ResultFilter
from tests.results.conftest import unit

OVERVIEW = f"/results/{DEMO_SLUG}"


def headline(html: str, box: str) -> str:
    block = re.search(rf'id="{box}">(.*?)</div>', html, flags=re.S)
    assert block, box
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", block.group(1)))


def csv_rows(response) -> list[dict[str, str]]:
    text = response.get_data(as_text=True).lstrip("\ufeff")
    return list(csv.DictReader(io.StringIO(text)))


def test_headline_agrees_with_the_raw_answers(client, demo, make_user, login):
    """M1 and its Wilson interval, recounted in Python from every stored answer."""
    make_user("leader@city.vn", "leader", unit("HCM"))
    login("leader@city.vn")
    codes = db.session.scalars(
        select(Answer.value_int)
        .join(Response, Answer.response_id == Response.id)
        .join(Question, Answer.question_id == Question.id)
        .where(
            Question.dimension == OVERALL,
            Response.survey_id == demo.id,
            Response.hard_flagged.is_(False),
        )
    ).all()
    valid = [c for c in codes if c in (1, 2, 3, 4, 5)]
    n = len(valid)
    p = sum(1 for c in valid if c >= 4) / n
    z = 1.96
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    html = client.get(OVERVIEW + "?lang=en").get_data(as_text=True)
    m1 = headline(html, "m1")
    assert f"{100 * p:.1f} %" in m1
    assert f"{100 * (centre - half):.1f}–{100 * (centre + half):.1f} %" in m1
    assert f"n = {n}" in m1
    bottom = sum(1 for c in valid if c <= 2) / n
    assert f"{100 * bottom:.1f} %" in headline(html, "m4")
    # The export says the same.
    rows = csv_rows(client.get(OVERVIEW + "/export.csv?lang=en"))
    first = rows[0]
    assert first["Measure"] == "Overall satisfaction (M1)"
    assert first["Estimate (%)"] == f"{100 * p:.1f}"
    assert first["n"] == str(n)


def test_filters_live_in_the_url_and_reload_the_same(client, demo, make_user, login):
    make_user("leader@city.vn", "leader", unit("HCM"))
    login("leader@city.vn")
    everything = headline(
        client.get(OVERVIEW + "?lang=en").get_data(as_text=True), "m1"
    )
    url = OVERVIEW + "?lang=en&channel=invited&group=citizen"
    first = client.get(url).get_data(as_text=True)
    again = client.get(url).get_data(as_text=True)
    assert headline(first, "m1") == headline(again, "m1")
    assert headline(first, "m1") != everything
    # Drill-down and export links keep the filter.
    assert "channel=invited" in re.search(
        r'href="[^"]*/unit/P-SAI-GON[^"]*"', first
    ).group(0)
    assert 'value="invited" selected' in first
    invited = csv_rows(
        client.get(OVERVIEW + "/export.csv?lang=en&channel=invited&group=citizen")
    )
    assert invited[0]["Estimate (%)"] in headline(first, "m1")
    # Including flagged responses adds the demo's hard speeders back.
    flagged = headline(
        client.get(OVERVIEW + "?lang=en&flagged=1").get_data(as_text=True), "m1"
    )
    assert flagged != everything


def test_filter_round_trip_and_bad_values():
    args = {
        "from": "2026-01-01",
        "to": "2026-03-31",
        "version": "2",
        "channel": "optin",
        "group": "business",
        "flagged": "1",
    }
    assert ResultFilter.from_args(args).to_args() == args
    bad = ResultFilter.from_args(
        {"from": "yesterday", "version": "-1", "channel": "x", "group": "robots"}
    )
    assert bad == ResultFilter() and bad.to_args() == {}
    swapped = ResultFilter.from_args({"from": "2026-03-01", "to": "2026-01-01"})
    assert swapped.date_from.month == 1


def test_period_filter_counts_local_dates(
    client, make_survey, add_responses, make_user, login
):
    survey = make_survey()
    add_responses(survey, unit("W1"), 12, code=5)
    make_user("leader@city.vn", "leader", unit("CITY"))
    login("leader@city.vn")
    html = client.get("/results/test?lang=en&from=2000-01-01&to=2000-12-31").get_data(
        as_text=True
    )
    assert "n = 0" in headline(html, "m1")


def test_small_units_are_suppressed_on_the_page_and_in_the_csv(
    client, make_survey, add_responses, make_user, login
):
    survey = make_survey()
    add_responses(survey, unit("W1"), 30, code=5)
    add_responses(survey, unit("W1"), 10, code=2)
    add_responses(survey, unit("W2"), 6, code=1)
    make_user("leader@city.vn", "leader", unit("CITY"))
    login("leader@city.vn")
    html = client.get("/results/test?lang=en").get_data(as_text=True)
    rows = {
        code: re.search(rf'data-unit="{code}">(.*?)</tr>', html, flags=re.S).group(1)
        for code in ("W1", "W2")
    }
    assert "insufficient data" in rows["W2"] and "%" not in rows["W2"]
    assert ">6<" in rows["W2"]  # the count stays visible
    # W1 alone would give W2 away by subtraction from the city: hidden too.
    assert "hidden to protect a small unit" in rows["W1"] and "%" not in rows["W1"]
    # The city's own figure is shown (46 answers).
    assert "n = 46" in headline(html, "m1")
    exported = {
        r["Unit"]: r for r in csv_rows(client.get("/results/test/export.csv?lang=en"))
    }
    assert exported["W2 Ward"]["Estimate (%)"] == ""
    assert exported["W2 Ward"]["Lower 95 % limit (%)"] == ""
    assert exported["W1 Ward"]["Estimate (%)"] == ""
    assert exported["W2 Ward"]["n"] == "6"
    # The W2 unit page itself: no score either.
    w2 = client.get("/results/test/unit/W2?lang=en").get_data(as_text=True)
    assert "insufficient data" in headline(w2, "m1")
    assert "%" not in headline(w2, "m1")


def test_xlsx_export_matches_the_csv(client, demo, make_user, login):
    make_user("leader@city.vn", "leader", unit("HCM"))
    login("leader@city.vn")
    rows = csv_rows(client.get(OVERVIEW + "/export.csv?lang=en"))
    response = client.get(OVERVIEW + "/export.xlsx?lang=en")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data), read_only=True).active
    values = list(sheet.iter_rows(values_only=True))
    assert len(values) == len(rows) + 1
    assert str(values[1][4]) == rows[0]["Estimate (%)"]


def test_exports_neutralise_formulas(
    client, make_survey, add_responses, make_user, login
):
    survey = make_survey()
    w1 = unit("W1")
    w1.name_en = w1.name_vi = '=HYPERLINK("http://evil")'
    db.session.commit()
    add_responses(survey, w1, 12)
    make_user("leader@city.vn", "leader", unit("CITY"))
    login("leader@city.vn")
    rows = csv_rows(client.get("/results/test/export.csv?lang=en"))
    names = {row["Unit"] for row in rows}
    assert '\'=HYPERLINK("http://evil")' in names
    assert not any(name.startswith(("=", "+", "-", "@")) for name in names)


def test_the_questions_page_counts_only_the_version_it_labels(
    make_survey, add_responses
):
    from survey.services.design.designer import new_draft_from
    from survey.services.reporting.question_results import question_report
    from survey.services.reporting.result_filter import ResultFilter

    survey = make_survey()
    add_responses(survey, unit("W1"), 12, code=5)  # answered version 1
    new_draft_from(survey.published_version).publish()
    db.session.commit()
    add_responses(survey, unit("W1"), 15, code=1)  # answered version 2
    newest = question_report(survey, unit("CITY"), ResultFilter())
    first = question_report(survey, unit("CITY"), ResultFilter(version=1))
    sat = {r.question.code: r for r in newest.questions}["SAT"]
    assert newest.version.number == 2 and sat.n == 15
    assert {r.question.code: r for r in first.questions}["SAT"].n == 12


def test_the_two_channels_are_reported_apart(
    client, make_survey, add_responses, make_user, login
):
    survey = make_survey()
    add_responses(survey, unit("W1"), 30, code=2, channel="invited")
    add_responses(survey, unit("W1"), 30, code=5, channel="qr")
    make_user("leader@city.vn", "leader", unit("CITY"))
    login("leader@city.vn")
    html = client.get("/results/test?lang=en").get_data(as_text=True)
    section = html[html.index('id="h-channels"') :]
    assert "Invited respondents, every answer unweighted (not the official figure)" in (
        section
    )
    assert "the official index" not in html
    # Invited answers without an invitation make no official figure.
    official = html[html.index('id="official"') : html.index('id="h-channels"')]
    assert "there is no official figure" in official
    assert "30 invited answers have no invitation behind them" in official
    assert "0.0 %" in section and "100.0 %" in section
    assert "Opt-in minus invited: 100.0 points" in section
    assert "The difference is real" in section
    # With one channel chosen in the filters the split is not repeated.
    only = client.get("/results/test?lang=en&channel=invited").get_data(as_text=True)
    assert 'id="h-channels"' not in only
