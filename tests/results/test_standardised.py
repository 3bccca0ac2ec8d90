"""M5 on the overview: each unit's share standardised for its mix of procedures.

A city of two wards by hand. W1 serves mostly civil-status cases (which the
city rates highly), W2 mostly land cases (rated low): the raw shares put W1
far above W2; standardised for the mix, W2 is a little above W1. The
expected figures are worked out here from METHODOLOGY.md section 5, not from
the platform's helpers.
"""

from __future__ import annotations

import csv
import io
import math
import re
import secrets
from datetime import date, datetime, timedelta

from sqlalchemy import select

from survey.extensions import db
from survey.models import Answer, Invitation, Question, Response, ServiceCase, Survey
from survey.models.waves import Wave
from tests.results.conftest import unit

# (unit, procedure group, answers, satisfied)
MIX = [
    ("W1", "civil_status", 40, 36),
    ("W1", "land", 10, 4),
    ("W2", "civil_status", 10, 9),
    ("W2", "land", 40, 20),
]


def _linked_answers(survey: Survey) -> None:
    """One case, one invitation and one invited answer per person of MIX."""
    version = survey.published_version
    sat = db.session.scalar(
        select(Question).where(
            Question.version_id == version.id, Question.code == "SAT"
        )
    )
    options = {o.code: o.id for o in sat.options}
    today = date.today()
    wave = Wave(
        survey=survey,
        version=version,
        period_start=today - timedelta(days=28),
        period_end=today,
        sample_per_unit=50,
        seed=1,
        units=[unit("W1"), unit("W2")],
    )
    db.session.add(wave)
    for code, group, answers, satisfied in MIX:
        ward = unit(code)
        for i in range(answers):
            case = ServiceCase(
                reference_hash=secrets.token_hex(32),
                unit_id=ward.id,
                procedure_group=group,
                applicant_type="citizen",
                submission_channel="counter",
                outcome="approved",
                received_on=today - timedelta(days=9),
                due_on=today,
                returned_on=today - timedelta(days=3),
            )
            invitation = Invitation(
                wave=wave,
                case=case,
                unit_id=ward.id,
                expires_at=datetime.now() + timedelta(days=10),
                status="answered",
            )
            db.session.add_all([case, invitation])
            db.session.flush()
            value = 5 if i < satisfied else 2
            db.session.add(
                Response(
                    survey_id=survey.id,
                    version_id=version.id,
                    unit_id=ward.id,
                    channel="invited",
                    respondent_group="citizen",
                    token=secrets.token_hex(16),
                    invitation_id=invitation.id,
                    answers=[
                        Answer(
                            question_id=sat.id,
                            option_id=options[str(value)],
                            value_int=value,
                        )
                    ],
                )
            )
    db.session.commit()


def _wilson(x: float, n: float, z: float = 1.96) -> tuple[float, float]:
    p = x / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def _expected() -> dict[str, tuple[float, float, float, float]]:
    """Raw share, standardised rate and its interval per ward, by hand."""
    group_x: dict[str, float] = {}
    group_n: dict[str, float] = {}
    for _, group, n, x in MIX:
        group_x[group] = group_x.get(group, 0) + x
        group_n[group] = group_n.get(group, 0) + n
    city = sum(group_x.values()) / sum(group_n.values())  # 69 / 100
    out = {}
    for ward in ("W1", "W2"):
        rows = [(g, n, x) for w, g, n, x in MIX if w == ward]
        observed = sum(x for _, _, x in rows)
        n = sum(n for _, n, _ in rows)
        expected = sum(n * group_x[g] / group_n[g] for g, n, _ in rows)
        rate = observed / expected * city
        low, high = _wilson(observed, n)
        factor = n * city / expected
        out[ward] = (observed / n, rate, low * factor, min(1.0, high * factor))
    return out


def _row(html: str, code: str) -> str:
    match = re.search(rf'<tr data-unit="{code}">(.*?)</tr>', html, re.S)
    assert match, code
    return match.group(1)


def test_hand_computed_figures():
    expected = _expected()
    # W1: E = 40 x 0.9 + 10 x 0.48 = 40.8; 40 / 40.8 x 0.69 = 67.6 %
    assert round(100 * expected["W1"][1], 1) == 67.6
    # W2: E = 10 x 0.9 + 40 x 0.48 = 28.2; 29 / 28.2 x 0.69 = 71.0 %
    assert round(100 * expected["W2"][1], 1) == 71.0


def test_leader_sees_standardised_beside_raw(make_survey, make_user, login, client):
    survey = make_survey()
    _linked_answers(survey)
    make_user("leader@city.vn", "leader", unit("CITY"))
    login("leader@city.vn")
    html = client.get("/results/test?lang=en").get_data(as_text=True)
    assert "Standardised for the mix of procedures" in html
    assert 'id="standardised-method"' in html  # the plain explanation at hand
    expected = _expected()
    for ward in ("W1", "W2"):
        raw, rate, low, high = expected[ward]
        cells = _row(html, ward)
        assert f"{100 * raw:.1f} %" in cells
        standardised = re.search(r'class="num standardised">(.*?)</td>', cells, re.S)
        assert standardised, cells
        text = standardised.group(1)
        assert f"{100 * rate:.1f} %" in text
        assert f"({100 * low:.1f}–{100 * high:.1f})" in text
        assert "n = 50" in text
    # the order of the two wards turns round once the mix is allowed for
    assert expected["W1"][0] > expected["W2"][0]
    assert expected["W1"][1] < expected["W2"][1]


def test_vietnamese_page_explains_it_with_a_decimal_comma(
    make_survey, make_user, login, client
):
    survey = make_survey()
    _linked_answers(survey)
    make_user("leader@city.vn", "leader", unit("CITY"))
    login("leader@city.vn")
    html = client.get("/results/test?lang=vi").get_data(as_text=True)
    assert "Chuẩn hóa theo cơ cấu thủ tục" in html
    cells = _row(html, "W1")
    assert "67,6 %" in re.search(r'standardised">(.*?)</td>', cells, re.S).group(1)


def test_export_holds_the_standardised_column(make_survey, make_user, login, client):
    survey = make_survey()
    _linked_answers(survey)
    make_user("leader@city.vn", "leader", unit("CITY"))
    login("leader@city.vn")
    body = client.get("/results/test/export.csv?lang=en").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    header = rows[0]
    column = header.index("Standardised for the mix of procedures (%)")
    expected = _expected()
    for ward, name in (("W1", unit("W1").name("en")), ("W2", unit("W2").name("en"))):
        row = next(r for r in rows if r[0] == name and r[1].startswith("Overall"))
        _, rate, low, high = expected[ward]
        assert float(row[column]) == round(100 * rate, 1)
        assert float(row[column + 1]) == round(100 * low, 1)
        assert float(row[column + 2]) == round(100 * high, 1)
        assert row[column + 3] == "50"


def test_no_column_without_procedure_groups(
    make_survey, add_responses, make_user, login, client
):
    """Opt-in answers carry no case, hence no procedure: no column, no export."""
    survey = make_survey()
    add_responses(survey, unit("W1"), 30, code=5)
    add_responses(survey, unit("W2"), 30, code=2)
    make_user("leader@city.vn", "leader", unit("CITY"))
    login("leader@city.vn")
    html = client.get("/results/test?lang=en").get_data(as_text=True)
    assert 'data-unit="W1"' in html
    assert "Standardised for the mix of procedures" not in html
    body = client.get("/results/test/export.csv?lang=en").get_data(as_text=True)
    assert "Standardised for the mix of procedures" not in body


def test_opt_in_filter_drops_the_column(make_survey, make_user, login, client):
    survey = make_survey()
    _linked_answers(survey)
    make_user("leader@city.vn", "leader", unit("CITY"))
    login("leader@city.vn")
    html = client.get("/results/test?lang=en&channel=optin").get_data(as_text=True)
    assert "Standardised for the mix of procedures" not in html
