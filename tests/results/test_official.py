"""The one official figure, recomputed from the raw rows by a route of its own.

A small city by hand: W1 and W2 with cases returned in the last four weeks,
some late or rejected (the draw oversamples them three times), W1 with many
cases without a phone (never drawable, but part of the period's cases); a
real stratified draw; two of every three invitations answered. Beside them,
invited answers without an invitation and opt-in answers: neither may move
the official figure.

The test recomputes the weights, the trimming, n_eff, the design effect and
the Wilson interval with plain SQL and arithmetic written here, not with
the service's helpers, and compares them with the service and the page.
"""

from __future__ import annotations

import csv
import io
import math
import secrets
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select, text

from survey.domain import design_weights as dw
from survey.extensions import db
from survey.models import Answer, Invitation, Question, Response, Survey
from survey.services.fieldwork.cases import import_cases
from survey.services.fieldwork.waves import create_wave, draw_wave
from survey.services.reporting import official, reports
from survey.services.reporting.result_filter import ResultFilter
from tests.results.conftest import unit

CAP = 0.05
Z = 1.96  # the platform rounds z to two decimals (METHODOLOGY.md section 3)


def _cases(unit_code: str, spec: list[tuple[str, str, bool, bool, int]]) -> None:
    """(group, outcome, late, phone, count) rows of cases returned lately."""
    rows = []
    today = date.today()
    for g, (group, outcome, late, phone, count) in enumerate(spec):
        for i in range(count):
            returned = today - timedelta(days=3 + (i % 20))
            due = returned - timedelta(days=2) if late else returned + timedelta(1)
            reference = f"{unit_code}-{g}-{i}"
            rows.append(
                {
                    "reference": reference,
                    "unit_code": unit_code,
                    "procedure_group": group,
                    "applicant_type": "citizen",
                    "submission_channel": "counter",
                    "outcome": outcome,
                    "received_on": (returned - timedelta(days=5)).isoformat(),
                    "due_on": due.isoformat(),
                    "returned_on": returned.isoformat(),
                    "phone": f"09{unit_code[-1]}{g}{i:06d}" if phone else "",
                    "supplement_requests": "0",
                }
            )
    report = import_cases(rows, all_or_nothing=True)
    assert report.ok, report.rejected[:3]


def _answer(survey: Survey, at, code: int, channel: str, invitation=None) -> None:
    version = survey.published_version
    sat = db.session.scalar(
        select(Question).where(
            Question.version_id == version.id, Question.code == "SAT"
        )
    )
    option = {o.code: o.id for o in sat.options}[str(code)]
    db.session.add(
        Response(
            survey_id=survey.id,
            version_id=version.id,
            unit_id=at.id,
            channel=channel,
            respondent_group="citizen",
            token=secrets.token_hex(16),
            invitation_id=invitation.id if invitation else None,
            answers=[Answer(question_id=sat.id, option_id=option, value_int=code)],
        )
    )


@pytest.fixture
def drawn_city(make_survey) -> Survey:
    survey = make_survey()
    _cases(
        "W1",
        [
            ("civil_status", "approved", False, True, 80),
            ("civil_status", "approved", True, True, 20),
            ("land", "rejected", False, True, 20),
            ("civil_status", "approved", False, False, 250),
        ],
    )
    _cases(
        "W2",
        [
            ("civil_status", "approved", False, True, 60),
            ("land", "approved", False, True, 40),
            ("land", "approved", True, True, 10),
        ],
    )
    today = date.today()
    wave = create_wave(
        survey,
        [unit("W1"), unit("W2")],
        today - timedelta(days=28),
        today,
        30,
        seed=7,
        stratify=True,
        oversample_factor=3.0,
    )
    draw_wave(wave, now=datetime.now())
    invitations = db.session.scalars(
        select(Invitation).where(Invitation.wave_id == wave.id).order_by(Invitation.id)
    ).all()
    for i, invitation in enumerate(invitations):
        if i % 3 == 2:
            continue
        case = invitation.case
        boosted = case.outcome == "rejected" or case.returned_on > case.due_on
        code = 2 if boosted and i % 2 else (3 if i % 4 == 0 else 5)
        _answer(survey, invitation.unit, code, "invited", invitation)
    for _ in range(40):  # invited, but no invitation behind them: never official
        _answer(survey, unit("W2"), 1, "invited")
    for _ in range(30):
        _answer(survey, unit("W1"), 5, "qr")
    db.session.commit()
    return survey


# --------------------------------------------------------------------------- #
# The independent route
# --------------------------------------------------------------------------- #


def _raw_weights(survey: Survey) -> tuple[dict[int, float], dict[int, bool]]:
    """Weights d x a from the raw rows, in plain SQL and arithmetic."""
    respondents = db.session.execute(
        text(
            "SELECT r.id, i.unit_id, c.procedure_group, c.outcome,"
            " CASE WHEN c.returned_on > c.due_on THEN 1 ELSE 0 END, a.value_int"
            " FROM responses r JOIN invitations i ON i.id = r.invitation_id"
            " JOIN service_cases c ON c.id = i.case_id"
            " JOIN answers a ON a.response_id = r.id"
            " JOIN questions q ON q.id = a.question_id"
            " WHERE r.survey_id = :s AND q.code = 'SAT'"
            " AND r.channel IN ('invited', 'phone') AND r.hard_flagged = :f"
        ),
        {"s": survey.id, "f": False},
    ).all()
    cases = db.session.execute(
        text(
            "SELECT c.id, c.unit_id, c.procedure_group, c.outcome,"
            " CASE WHEN c.returned_on > c.due_on THEN 1 ELSE 0 END,"
            " CASE WHEN k.id IS NULL THEN 0 ELSE 1 END,"
            " CASE WHEN i.id IS NULL THEN 0 ELSE 1 END"
            " FROM service_cases c"
            " LEFT JOIN case_contacts k ON k.case_id = c.id"
            " LEFT JOIN invitations i ON i.case_id = c.id"
        )
    ).all()

    def key(unit_id, group, outcome, late):
        return (unit_id, group, outcome, outcome == "rejected" or bool(late))

    frame, drawn, period = Counter(), Counter(), Counter()
    for _, unit_id, group, outcome, late, contact, invited in cases:
        h = key(unit_id, group, outcome, late)
        period[h] += 1  # every case was returned within the wave's period
        frame[h] += contact
        drawn[h] += invited
    strata = {rid: key(u, g, o, late) for rid, u, g, o, late, _ in respondents}
    satisfied = {rid: code >= 4 for rid, *_, code in respondents}
    design = {rid: frame[h] / drawn[h] for rid, h in strata.items()}
    design_sum = defaultdict(float)
    for rid, h in strata.items():
        design_sum[h] += design[rid]
    weights = {
        rid: design[rid] * period[h] / design_sum[h] for rid, h in strata.items()
    }
    # strata with cases but no respondent: their cases spread over the unit
    unit_cases, unit_sum = defaultdict(float), defaultdict(float)
    for h, count in period.items():
        unit_cases[h[0]] += count
    for rid, h in strata.items():
        unit_sum[h[0]] += weights[rid]
    return {
        rid: w * unit_cases[strata[rid][0]] / unit_sum[strata[rid][0]]
        for rid, w in weights.items()
    }, satisfied


def _capped(weights: list[float], cap: float) -> list[float]:
    """Closed form: the k largest at cap x total, the rest scaled to fill it."""
    total = sum(weights)
    order = sorted(range(len(weights)), key=lambda i: -weights[i])
    for k in range(len(weights)):
        rest = [weights[i] for i in order[k:]]
        scale = (total - k * cap * total) / sum(rest)
        if max(rest) * scale <= cap * total + 1e-9:
            out = [0.0] * len(weights)
            for rank, i in enumerate(order):
                out[i] = cap * total if rank < k else weights[i] * scale
            return out
    raise AssertionError("cap infeasible")


def _wilson(p: float, n: float) -> tuple[float, float]:
    centre = (p + Z * Z / (2 * n)) / (1 + Z * Z / n)
    half = Z * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n)) / (1 + Z * Z / n)
    return centre - half, centre + half


def _independent(survey: Survey):
    weights, satisfied = _raw_weights(survey)
    ids = sorted(weights)
    capped = _capped([weights[i] for i in ids], max(CAP, 2 / len(ids)))
    total = sum(capped)
    share = sum(w for i, w in zip(ids, capped) if satisfied[i]) / total
    n_eff = total * total / sum(w * w for w in capped)
    return {
        "weights": weights,
        "share": share,
        "n": len(ids),
        "n_eff": n_eff,
        "deff": len(ids) / n_eff,
        "interval": _wilson(share, n_eff),
        "largest": max(capped) / total,
    }


# --------------------------------------------------------------------------- #
# Tests
# --------------------------------------------------------------------------- #


def test_the_official_figure_matches_an_independent_recomputation(drawn_city):
    expected = _independent(drawn_city)
    respondents, weights = official.unit_weights(
        drawn_city, unit("CITY"), ResultFilter()
    )
    assert {r.key for r in respondents} == set(expected["weights"])
    for key, weight in expected["weights"].items():
        assert weights[key] == pytest.approx(weight, rel=1e-9)
    # The weights undo the oversampling: the boosted cases count at their
    # share of the period's cases, far below their share of the answers.
    figure = official.official_figure(drawn_city, unit("CITY"), ResultFilter())
    assert figure.n == expected["n"]
    assert figure.figure.prop.estimate == pytest.approx(expected["share"], abs=1e-9)
    assert figure.n_eff == pytest.approx(expected["n_eff"], rel=1e-9)
    assert figure.design_effect == pytest.approx(expected["deff"], rel=1e-9)
    low, high = expected["interval"]
    assert figure.figure.prop.low == pytest.approx(low, abs=1e-9)
    assert figure.figure.prop.high == pytest.approx(high, abs=1e-9)
    # an unweighted share of the same answers is not what the page calls official
    plain = sum(1 for r in respondents if r.satisfied) / len(respondents)
    assert abs(plain - expected["share"]) > 0.01


def test_no_respondent_carries_more_than_the_stated_share(drawn_city):
    figure = official.official_figure(drawn_city, unit("CITY"), ResultFilter())
    cap = max(CAP, 2 / figure.n)
    assert figure.capped > 0  # W1's phoneless cases load a few respondents
    assert figure.cap_met
    assert figure.largest_share == pytest.approx(_independent(drawn_city)["largest"])
    assert figure.largest_share <= cap + 1e-9
    # untrimmed, someone carried more
    _, weights = official.unit_weights(drawn_city, unit("CITY"), ResultFilter())
    assert max(weights.values()) / sum(weights.values()) > cap


def test_the_cap_holds_for_any_weights():
    weights = {i: float(w) for i, w in enumerate([500, 90, 3, 1, 1] + [2] * 40)}
    trimmed = dw.trim_to_share(weights, 0.05)
    total = sum(trimmed.weights.values())
    assert total == pytest.approx(sum(weights.values()))
    assert max(trimmed.weights.values()) <= 0.05 * total + 1e-9
    assert trimmed.capped == 2 and trimmed.feasible
    # order kept among the uncapped
    assert trimmed.weights[2] > trimmed.weights[3]


def test_invited_answers_without_an_invitation_never_enter(drawn_city):
    before = official.official_figure(drawn_city, unit("CITY"), ResultFilter())
    for _ in range(25):
        _answer(drawn_city, unit("W1"), 1, "invited")
        _answer(drawn_city, unit("W1"), 1, "phone")
        _answer(drawn_city, unit("W1"), 1, "qr")
    db.session.commit()
    after = official.official_figure(drawn_city, unit("CITY"), ResultFilter())
    assert after == before
    report = reports.overview(drawn_city, unit("CITY"), ResultFilter())
    overview = official.official_overview(report)
    assert overview.without_invitation == 40 + 50
    assert overview.optin is not None and overview.optin.n == 55
    assert overview.gap is not None


def test_a_scope_without_invitations_says_so_in_words(
    make_survey, add_responses, make_user, login, client
):
    survey = make_survey()
    add_responses(survey, unit("W1"), 40, code=5, channel="invited")
    make_user("leader@city.vn", "leader", unit("CITY"))
    login("leader@city.vn")
    html = client.get("/results/test").get_data(as_text=True)
    section = html[html.index('id="official"') : html.index('id="h-headline"')]
    assert 'id="official-none"' in section
    assert "không có số liệu chính thức" in section
    assert "40 câu trả lời kênh mời không có thư mời" in section


def _pct(value: float) -> str:
    return f"{100 * value:.1f}".replace(".", ",")


def test_the_page_shows_the_official_figure_in_vietnamese(
    drawn_city, make_user, login, client
):
    expected = _independent(drawn_city)
    make_user("leader@city.vn", "leader", unit("CITY"))
    login("leader@city.vn")
    html = client.get("/results/test").get_data(as_text=True)
    section = html[html.index('id="official"') : html.index('id="h-headline"')]
    figure = section[section.index('id="official-figure"') :]
    figure = figure[: figure.index("</div>")]
    assert f"{_pct(expected['share'])} %" in figure
    low, high = expected["interval"]
    assert f"{_pct(low)}–{_pct(high)} %" in figure
    assert f"n = {expected['n']}" in figure
    assert f"n_eff = {expected['n_eff']:.1f}".replace(".", ",") in figure
    assert f"= {expected['deff']:.2f}".replace(".", ",") in figure
    assert "Số liệu chính thức" in section
    assert "không người trả lời nào chiếm quá 5 %" in section
    assert "40 câu trả lời kênh mời không có thư mời" in section
    assert "<details" in section and "n_eff" in section  # the glossary
    # exactly one thing is called official; the unweighted invited share is not
    assert "chỉ số chính thức" not in html
    brief = html[html.index('id="summary-official"') :]
    assert f"Số liệu chính thức: {_pct(expected['share'])} %" in brief[:400]
    # the ward's page has its own official figure (too few: in words)
    ward = client.get("/results/test/unit/W2").get_data(as_text=True)
    ward = ward[ward.index('id="official"') : ward.index('id="h-headline"')]
    answered = db.session.scalar(
        select(db.func.count(Response.id)).where(
            Response.invitation_id.is_not(None), Response.unit_id == unit("W2").id
        )
    )
    assert 0 < answered < expected["n"]
    assert f"n = {answered}" in ward


def test_the_incentive_export_reads_only_the_official_figure(
    drawn_city, add_responses, make_user, login, client
):
    # 150 invited answers without invitations at W2 would have made it
    # "eligible" on the unweighted invited share; they make no official figure.
    add_responses(drawn_city, unit("W2"), 150, code=5, channel="invited")
    make_user("leader@city.vn", "leader", unit("CITY"))
    login("leader@city.vn")
    text_ = client.get("/results/test/export.csv?lang=en&channel=invited").get_data(
        as_text=True
    )
    rows = list(csv.DictReader(io.StringIO(text_.lstrip("\ufeff"))))
    plain = {
        r["Unit"]: r["Ranking and incentives"]
        for r in rows
        if r["Measure"] == "Overall satisfaction (M1)"
    }
    assert plain["W2 Ward"] == "not eligible"
    measure = "Overall satisfaction (M1), official (invited, design-weighted)"
    official_rows = {r["Unit"]: r for r in rows if r["Measure"] == measure}
    expected = _independent(drawn_city)
    assert (
        official_rows["CITY Ward"]["Estimate (%)"] == f"{100 * expected['share']:.1f}"
    )
    assert official_rows["W2 Ward"]["Ranking and incentives"] == "not eligible"
    weighted = [r for r in rows if "invited channel" in r["Measure"]]
    assert weighted  # the old weighted rows stay, but decide nothing
    assert all(r["Ranking and incentives"] == "" for r in weighted)


def test_the_change_since_the_previous_period_is_in_brief(
    drawn_city, make_user, login, client
):
    today = date.today()
    responses = db.session.scalars(
        select(Response)
        .where(Response.invitation_id.is_not(None))
        .order_by(Response.id)
    ).all()
    for response in responses[::2]:  # half answered in the previous ten days
        response.submitted_at = datetime.now() - timedelta(days=15)
    db.session.commit()
    now = ResultFilter(date_from=today - timedelta(days=9), date_to=today)
    before = ResultFilter(
        date_from=today - timedelta(days=19), date_to=today - timedelta(days=10)
    )
    figure_now = official.official_figure(drawn_city, unit("CITY"), now)
    figure_before = official.official_figure(drawn_city, unit("CITY"), before)
    assert figure_now.n + figure_before.n == len(responses)
    make_user("leader@city.vn", "leader", unit("CITY"))
    login("leader@city.vn")
    html = client.get(
        f"/results/test?lang=en&from={now.date_from}&to={now.date_to}"
    ).get_data(as_text=True)
    brief = html[html.index('id="summary-official"') :]
    brief = brief[: brief.index("</li>")]
    d = (figure_now.figure.prop.estimate - figure_before.figure.prop.estimate) * 100
    assert f"Since the previous period of the same length: {d:.1f} points" in (
        brief.replace("\u2212", "-")
    )
    assert "95 % interval" in brief
    assert 'id="official-change"' in html


def test_a_unit_is_eligible_on_its_official_figure_alone(
    make_survey, add_responses, make_user, login, client
):
    survey = make_survey()
    _cases("W1", [("civil_status", "approved", False, True, 320)])
    _cases("W2", [("civil_status", "approved", False, True, 40)])
    today = date.today()
    wave = create_wave(
        survey, [unit("W1"), unit("W2")], today - timedelta(days=28), today, 220, 3
    )
    draw_wave(wave, now=datetime.now())
    for i, invitation in enumerate(
        db.session.scalars(
            select(Invitation)
            .where(Invitation.wave_id == wave.id)
            .order_by(Invitation.id)  # W1's 220 first: 22 of them answer 3
        )
    ):
        _answer(survey, invitation.unit, 3 if i % 10 == 0 else 5, "invited", invitation)
    db.session.commit()
    # W2: 40 drawn and answered, and 150 invited answers without a draw that
    # would make it eligible on the unweighted invited share
    add_responses(survey, unit("W2"), 150, code=5, channel="invited")
    make_user("leader@city.vn", "leader", unit("CITY"))
    login("leader@city.vn")
    text_ = client.get("/results/test/export.csv?lang=en&channel=invited").get_data(
        as_text=True
    )
    rows = list(csv.DictReader(io.StringIO(text_.lstrip("\ufeff"))))
    plain = {
        r["Unit"]: r["Ranking and incentives"]
        for r in rows
        if r["Measure"] == "Overall satisfaction (M1)"
    }
    assert plain["W1 Ward"] == "eligible" and plain["W2 Ward"] == "not eligible"
    measure = "Overall satisfaction (M1), official (invited, design-weighted)"
    w1 = next(r for r in rows if r["Measure"] == measure and r["Unit"] == "W1 Ward")
    assert w1["n"] == "220" and w1["Estimate (%)"] == "90.0"
    assert w1["Ranking and incentives"] == "eligible"
    w2 = next(r for r in rows if r["Measure"] == measure and r["Unit"] == "W2 Ward")
    assert w2["n"] == "40" and w2["Ranking and incentives"] == "not eligible"
