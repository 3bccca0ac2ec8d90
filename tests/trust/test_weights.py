"""The invited channel weighted to the case population, and its response rates.

A small city by hand: W1 has 60 civil-status and 40 land cases, W2 has 150
civil-status cases. Invited respondents are linked to their case through
their invitation, so their cell is their case's.
"""

from __future__ import annotations

import math
import re
import secrets
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from survey.domain import statistics as st
from survey.extensions import db
from survey.models import (
    Answer,
    Invitation,
    Question,
    Response,
    ServiceCase,
    Survey,
    Unit,
)
from survey.services.fieldwork import weights
from survey.services.fieldwork.waves import create_wave
from survey.services.reporting import reports
from survey.services.reporting.result_filter import ResultFilter
from tests.trust.conftest import case_row

CIVIL = ("civil_status", "citizen", "approved")
LAND = ("land", "citizen", "approved")


def unit(code: str) -> Unit:
    return db.session.scalar(select(Unit).where(Unit.code == code))


def add_cell(add_cases, unit_code: str, cell: tuple[str, str, str], count: int):
    group, applicant, outcome = cell
    add_cases(
        [
            case_row(
                f"{unit_code}-{group}-{applicant}-{outcome}-{i}",
                unit_code=unit_code,
                procedure_group=group,
                applicant_type=applicant,
                outcome=outcome,
            )
            for i in range(count)
        ]
    )


def invite(
    survey: Survey, unit_code: str, cell: tuple[str, str, str], codes: list[int | None]
) -> None:
    """One invitation per code, on cases of the cell; None: not answered."""
    target = unit(unit_code)
    group, applicant, outcome = cell
    taken = select(Invitation.case_id)
    cases = db.session.scalars(
        select(ServiceCase)
        .where(
            ServiceCase.unit_id == target.id,
            ServiceCase.procedure_group == group,
            ServiceCase.applicant_type == applicant,
            ServiceCase.outcome == outcome,
            ServiceCase.id.not_in(taken),
        )
        .order_by(ServiceCase.id)
        .limit(len(codes))
    ).all()
    assert len(cases) == len(codes)
    today = date.today()
    wave = create_wave(survey, [target], today - timedelta(days=29), today, 10, 1)
    version = survey.published_version
    sat = db.session.scalar(
        select(Question).where(
            Question.version_id == version.id, Question.code == "SAT"
        )
    )
    options = {o.code: o.id for o in sat.options}
    for case, code in zip(cases, codes, strict=True):
        invitation = Invitation(
            wave=wave,
            case_id=case.id,
            unit_id=target.id,
            expires_at=datetime.now() + timedelta(days=30),
            status="invited" if code is None else "answered",
        )
        db.session.add(invitation)
        db.session.flush()
        if code is None:
            continue
        db.session.add(
            Response(
                survey_id=survey.id,
                version_id=version.id,
                unit_id=target.id,
                channel="invited",
                respondent_group=applicant,
                token=secrets.token_hex(16),
                invitation_id=invitation.id,
                answers=[
                    Answer(
                        question_id=sat.id, option_id=options[str(code)], value_int=code
                    )
                ],
            )
        )
    db.session.commit()


@pytest.fixture
def city(make_survey, add_cases) -> Survey:
    survey = make_survey()
    add_cell(add_cases, "W1", CIVIL, 60)
    add_cell(add_cases, "W1", LAND, 40)
    add_cell(add_cases, "W2", CIVIL, 150)
    # W1: civil 10 satisfied of 20 (5 not answered), land 8 of 8 (2 not answered)
    invite(survey, "W1", CIVIL, [5] * 10 + [2] * 10 + [None] * 5)
    invite(survey, "W1", LAND, [4] * 8 + [None] * 2)
    # W2: 12 satisfied of 15, 15 invitations not answered
    invite(survey, "W2", CIVIL, [5] * 12 + [1] * 3 + [None] * 15)
    return survey


def wilson_by_hand(x: float, n: float) -> tuple[float, float]:
    z = 1.96
    p = x / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def test_weights_give_each_cell_its_population_share(city):
    found = weights.cell_weights(city, unit("CITY"), ResultFilter())
    w1 = found[unit("W1").id]
    assert w1.method == "cells" and w1.reason == ""
    # w = N_h / n_h: 60 / 20 and 40 / 8
    assert w1.weights[CIVIL] == pytest.approx(3.0, abs=1e-12)
    assert w1.weights[LAND] == pytest.approx(5.0, abs=1e-12)
    share_civil = w1.weights[CIVIL] * 20 / (w1.weights[CIVIL] * 20 + 5.0 * 8)
    assert share_civil == pytest.approx(60 / 100, abs=1e-12)
    assert found[unit("W2").id].weights[CIVIL] == pytest.approx(10.0, abs=1e-12)


def test_a_two_cell_unit_matches_the_hand_computation(city):
    report = reports.overview(city, unit("CITY"), ResultFilter())
    weighted = weights.weighted_overview(report)
    row = {r.unit.code: r for r in weighted.rows}["W1"]
    # p = (3 x 10 + 5 x 8) / (3 x 20 + 5 x 8); n_eff = 100^2 / (20 x 9 + 8 x 25)
    n_eff = 100.0**2 / 380.0
    figure = row.weighted.figure.prop
    assert figure.estimate == pytest.approx(0.70, abs=1e-9)
    assert row.weighted.n == 28
    assert row.weighted.n_eff == pytest.approx(n_eff, abs=1e-9)
    assert row.weighted.design_effect == pytest.approx(28 / n_eff, abs=1e-9)
    low, high = wilson_by_hand(0.70 * n_eff, n_eff)
    assert figure.low == pytest.approx(low, abs=1e-9)
    assert figure.high == pytest.approx(high, abs=1e-9)
    assert row.grade == "C"  # 10 <= n_eff < 30


def test_the_city_figure_weights_units_by_case_volume(city):
    report = reports.overview(city, unit("CITY"), ResultFilter())
    weighted = weights.weighted_overview(report)
    # W1 (100 cases) at 0.70 and W2 (150 cases) at 0.80: by cases, not answers
    assert weighted.scope.figure.prop.estimate == pytest.approx(
        (100 * 0.70 + 150 * 0.80) / 250, abs=1e-9
    )
    by_answers = (10 + 8 + 12) / (28 + 15)
    assert weighted.scope.figure.prop.estimate != pytest.approx(by_answers, abs=1e-3)
    sum_w2 = 20 * 9 + 8 * 25 + 15 * 100
    assert weighted.scope.n_eff == pytest.approx(250**2 / sum_w2, abs=1e-9)
    assert weighted.scope.n == 43


def test_weights_of_one_give_the_unweighted_figure(make_survey, add_cases):
    survey = make_survey()
    # Cases in proportion to the answers: every weight is the same.
    add_cell(add_cases, "W1", CIVIL, 40)
    add_cell(add_cases, "W1", LAND, 20)
    invite(survey, "W1", CIVIL, [5] * 14 + [3] * 6)
    invite(survey, "W1", LAND, [4] * 3 + [1] * 7)
    report = reports.overview(survey, unit("CITY"), ResultFilter())
    row = {r.unit.code: r for r in weights.weighted_overview(report).rows}["W1"]
    plain = st.wilson(17, 30)
    prop = row.weighted.figure.prop
    assert prop.estimate == pytest.approx(plain.estimate, abs=1e-12)
    assert prop.low == pytest.approx(plain.low, abs=1e-12)
    assert prop.high == pytest.approx(plain.high, abs=1e-12)
    assert row.weighted.n_eff == pytest.approx(30, abs=1e-9)
    assert row.weighted.design_effect == pytest.approx(1.0, abs=1e-12)


def test_response_rates_per_unit(city):
    rates = weights.response_rates(city, unit("CITY"), ResultFilter())
    w1, w2 = rates[unit("W1").id], rates[unit("W2").id]
    assert (w1.cases, w1.invitations, w1.responses) == (100, 35, 28)
    assert w1.rate == pytest.approx(0.8) and not w1.low
    assert (w2.cases, w2.invitations, w2.responses) == (150, 30, 15)
    assert w2.rate == pytest.approx(0.5)
    # A period before any case was returned: nothing to count.
    old = ResultFilter(date_from=date(2001, 1, 1), date_to=date(2001, 12, 31))
    assert weights.response_rates(city, unit("CITY"), old) == {}


def test_a_low_response_rate_is_marked(make_survey, add_cases):
    survey = make_survey()
    add_cell(add_cases, "W1", CIVIL, 30)
    invite(survey, "W1", CIVIL, [5] * 2 + [None] * 18)
    rate = weights.response_rates(survey, unit("CITY"), ResultFilter())[unit("W1").id]
    assert rate.rate == pytest.approx(0.1) and rate.low


def test_sparse_cells_fall_back_to_margins_then_to_the_unit(make_survey, add_cases):
    survey = make_survey()
    # Four cells, 12 answers: fewer than 5 a cell, but 6 a procedure group.
    for cell, count in (
        (CIVIL, 20),
        (LAND, 20),
        (("civil_status", "citizen", "rejected"), 10),
        (("land", "citizen", "rejected"), 10),
    ):
        add_cell(add_cases, "W1", cell, count)
    invite(survey, "W1", CIVIL, [5] * 4)
    invite(survey, "W1", LAND, [4] * 4)
    invite(survey, "W1", ("civil_status", "citizen", "rejected"), [1] * 2)
    invite(survey, "W1", ("land", "citizen", "rejected"), [2] * 2)
    add_cell(add_cases, "W2", CIVIL, 10)
    add_cell(add_cases, "W2", LAND, 10)
    invite(survey, "W2", CIVIL, [5] * 3)
    found = weights.cell_weights(survey, unit("CITY"), ResultFilter())
    w1 = found[unit("W1").id]
    assert (w1.method, w1.reason) == ("margins", "sparse_cells")
    outcome_totals = {"approved": 0.0, "rejected": 0.0}
    for cell, n in ((CIVIL, 4), (LAND, 4)):
        outcome_totals["approved"] += w1.weights[cell] * n
    for group in ("civil_status", "land"):
        outcome_totals["rejected"] += w1.weights[(group, "citizen", "rejected")] * 2
    assert outcome_totals["approved"] == pytest.approx(40, rel=1e-6)
    assert outcome_totals["rejected"] == pytest.approx(20, rel=1e-6)
    w2 = found[unit("W2").id]
    assert (w2.method, w2.reason) == ("unit", "sparse_margins")
    assert w2.weights[CIVIL] == pytest.approx(20 / 3)


def test_the_overview_shows_the_weighted_section(city, make_user, login, client):
    make_user("leader@city.vn", "leader", unit("CITY"))
    login("leader@city.vn")
    html = client.get("/results/test?lang=en").get_data(as_text=True)
    section = html[html.index('id="h-weighted"') :]
    assert "Weighted (invited channel)" in section
    w1 = section[section.index('data-weighted-unit="W1"') :]
    w1 = w1[: w1.index("</tr>")]
    assert "70.0 %" in w1
    assert ">28<" in w1 and ">26.3<" in w1 and ">1.06<" in w1
    assert ">100<" in w1 and ">35<" in w1 and "80.0 %" in w1
    scope = section[section.index('id="weighted-scope"') :]
    assert "76.0 %" in scope[: scope.index("</div>")]
    w2 = section[section.index('data-weighted-unit="W2"') :]
    assert "50.0 %" in w2[: w2.index("</tr>")]
    # The rate is also one line beside the official (invited) figure.
    rate = section[section.index('id="weighted-rate"') :]
    rate = re.search(r'class="stat-value">([^<]+)<', rate).group(1)
    line = re.search(r'id="invited-rate">([^<]+)<', html).group(1)
    assert html.index('id="invited-rate"') < html.index('id="h-weighted"')
    assert f"invited channel: {rate} (AAPOR RR1" in line
    # The export carries the same figures.
    text = client.get("/results/test/export.csv?lang=en").get_data(as_text=True)
    assert "Overall satisfaction (M1), weighted, invited channel" in text
    assert "Overall satisfaction (M1), weighted by case volume, invited channel" in text


def test_a_cell_the_noise_took_to_zero_does_not_break_the_pooled_figure():
    """With the cell-key noise on, a small invited cell can be published as 0:
    its unit's weights then have no entry for it (seen on the real city, a
    500 on the city's overview). The figure is made of the other cells."""
    from collections import Counter

    from survey.domain.weighting import weight_cells
    from survey.services.fieldwork.weights import _pooled_figure, _UnitCounts

    big, small = (
        ("land", "citizen", "approved"),
        ("certification", "citizen", "approved"),
    )
    counts = _UnitCounts(population=Counter({big: 40, small: 3}))
    counts.answers[big].update({5: 12, 2: 3})
    counts.answers[small].update({})  # published as nothing
    weights = weight_cells(
        {c: sum(v.values()) for c, v in counts.answers.items()}, counts.population
    )
    assert small not in weights.weights
    figure = _pooled_figure([counts], [weights], min_n=10)
    assert figure.n == 15 and abs(figure.figure.prop.estimate - 0.8) < 1e-9
