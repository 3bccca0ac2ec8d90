"""Units under review are shown, marked, and left out of every comparison.

METHODOLOGY.md section 8: a red integrity flag puts a unit "under review",
excluded from rankings and incentive exports until an administrator clears
it. Also: invited answers without a case are weighted with a stated reason.
"""

from __future__ import annotations

import csv
import io
from datetime import date

from survey.extensions import db
from survey.models.reviews import UnitReview
from survey.services.fieldwork import weights
from survey.services.reporting import reports, unit_rows
from survey.services.reporting.result_filter import ResultFilter
from tests.results.conftest import unit


def put_under_review(survey, code: str) -> None:
    db.session.add(
        UnitReview(
            survey_id=survey.id,
            unit_id=unit(code).id,
            period_start=date(2026, 1, 1),
            period_end=date(2026, 12, 31),
            reason="all-top rate above the 99.8 % limit",
        )
    )
    db.session.commit()


def big_units(survey, add_responses) -> None:
    """150 invited answers each: enough for a ranking (n >= 100, +- 7 points)."""
    add_responses(survey, unit("W1"), 150, code=5, channel="invited")
    add_responses(survey, unit("W2"), 120, code=5, channel="invited")
    add_responses(survey, unit("W2"), 30, code=2, channel="invited")


def csv_rows(response) -> list[dict[str, str]]:
    text = response.get_data(as_text=True).lstrip("\ufeff")
    return list(csv.DictReader(io.StringIO(text)))


def test_a_unit_under_review_gets_no_band_and_does_not_move_the_limits(
    make_survey, add_responses
):
    survey = make_survey()
    big_units(survey, add_responses)
    flt = ResultFilter(channel="invited")
    first = reports.overview(survey, unit("CITY"), flt)
    before = {r.unit.code: r for r in first.children}
    assert before["W1"].band is not None
    assert unit_rows.rankable_row(before["W1"], flt)
    assert first.phi > 1  # 100 % beside 80 %: the limits are widened
    put_under_review(survey, "W1")
    report = reports.overview(survey, unit("CITY"), flt)
    rows = {r.unit.code: r for r in report.children}
    assert rows["W1"].under_review and rows["W1"].band is None
    assert rows["W1"].index.shown  # still shown, with its figure
    assert not unit_rows.rankable_row(rows["W1"], flt)
    assert rows["W2"].band is not None and unit_rows.rankable_row(rows["W2"], flt)
    assert report.phi == 1.0  # W1's figure no longer widens W2's limits
    # Opt-in or pooled answers are never fit for a ranking.
    pooled = reports.overview(survey, unit("CITY"), ResultFilter())
    assert not any(unit_rows.rankable_row(r, pooled.filter) for r in pooled.children)


def test_the_page_export_and_funnel_leave_a_unit_under_review_out(
    client, make_survey, add_responses, make_user, login
):
    survey = make_survey()
    big_units(survey, add_responses)
    put_under_review(survey, "W1")
    make_user("leader@city.vn", "leader", unit("CITY"))
    login("leader@city.vn")
    html = client.get("/results/test?lang=en&channel=invited").get_data(as_text=True)
    units = html[html.index('id="h-units"') :]
    w1 = units[units.index('data-unit="W1"') :]
    w1 = w1[: w1.index("</tr>")]
    assert "under review" in w1 and "not compared" in w1
    assert "Above the city" not in w1
    assert "Under review (not compared)" in html  # its own funnel trace
    rows = csv_rows(client.get("/results/test/export.csv?lang=en&channel=invited"))
    ranking = {
        r["Unit"]: r["Ranking and incentives"]
        for r in rows
        if r["Measure"] == "Overall satisfaction (M1)"
    }
    assert ranking["W1 Ward"] == "under review: left out"
    # The incentive export reads the official figure only: W2's invited
    # answers have no invitation behind them, so it has none.
    assert ranking["W2 Ward"] == "not eligible"
    w1_row = next(r for r in rows if r["Unit"] == "W1 Ward")
    assert w1_row["Compared with the city"] == ""
    assert w1_row["Estimate (%)"] == "100.0"  # shown, not ranked


def test_the_weighted_rows_mark_a_unit_under_review_too(
    client, make_survey, add_responses, make_user, login
):
    survey = make_survey()
    big_units(survey, add_responses)
    put_under_review(survey, "W1")
    report = reports.overview(survey, unit("CITY"), ResultFilter())
    rows = {r.unit.code: r for r in weights.weighted_overview(report).rows}
    assert rows["W1"].under_review and not rows["W1"].rankable
    assert rows["W1"].grade == "C"
    assert rows["W1"].weighted.figure.shown
    make_user("leader@city.vn", "leader", unit("CITY"))
    login("leader@city.vn")
    html = client.get("/results/test?lang=en").get_data(as_text=True)
    section = html[html.index('id="h-weighted"') :]
    w1 = section[section.index('data-weighted-unit="W1"') :]
    assert "under review" in w1[: w1.index("</tr>")]
    assert "not ranked" in w1[: w1.index("</tr>")]


def test_unlinked_or_caseless_answers_are_unweighted_with_a_reason(
    make_survey, add_responses
):
    survey = make_survey()
    add_responses(survey, unit("W1"), 12, code=5, channel="invited")
    add_responses(survey, unit("W1"), 20, code=5, channel="qr")  # never weighted
    report = reports.overview(survey, unit("CITY"), ResultFilter())
    weighted = weights.weighted_overview(report)
    row = {r.unit.code: r for r in weighted.rows}["W1"]
    assert row.weighted.method == "none" and row.weighted.reason == "no_cases"
    assert row.weighted.n == 12 and row.weighted.design_effect == 1.0
    assert weighted.scope.reason == "no_cases"
    optin = reports.overview(survey, unit("CITY"), ResultFilter(channel="optin"))
    assert weights.weighted_overview(optin) is None
