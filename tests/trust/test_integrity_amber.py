"""An amber unit carries the notice beside its figure; an area says what its
units under review weigh (issue 25).

The amber unit is the audit's subtle shift (``test_integrity_audit``): 40 of
Phường Sài Gòn's own forms, each item a point up with probability 0.5,
posted through ``record_response``; ``recompute_quality`` finds it amber.
The units under review are the demo's manipulated ward.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from survey.extensions import db
from survey.models import Unit, UnitReview
from survey.models._time import utcnow
from survey.services.demo import DEMO_SLUG, MANIPULATED_UNIT, seed_demo
from survey.services.integrity.period import Period
from survey.services.integrity.quality import recompute_quality, units_under_review
from tests.trust.test_integrity_audit import WARD, demo, run  # noqa: F401


def notice(html: str) -> str:
    found = re.search(r'<div class="integrity-notice.*?</div>', html, re.S)
    return found.group(0) if found else ""


def amber_rows(survey) -> int:
    return db.session.scalar(
        select(func.count(UnitReview.id)).where(
            UnitReview.survey_id == survey.id, UnitReview.status == "amber"
        )
    )


@pytest.fixture
def amber_ward(demo, monkeypatch, make_user, login):  # noqa: F811
    levels = run(monkeypatch, demo, "subtle")
    assert levels["unit"] == "amber"
    city = db.session.scalar(select(Unit).where(Unit.code == "HCM"))
    make_user("leader@city.vn", "leader", city)
    make_user("admin@city.vn", "admin", city)
    return demo


def test_an_amber_unit_shows_the_notice_beside_its_headline(client, login, amber_ward):
    login("leader@city.vn")
    html = client.get(f"/results/{amber_ward.slug}/unit/{WARD}").get_data(as_text=True)
    shown = notice(html)
    assert "badge-amber" in shown
    assert "Cần thận trọng khi đọc các số liệu này" in shown  # Vietnamese first
    assert "điểm trung bình tăng nhiều hơn mức có thể do ngẫu nhiên" in shown
    assert html.index('id="integrity-notice"') < html.index('id="m1"')
    assert "/results/method" in shown
    # the ward is not under review: it stays in rankings and exports
    unit = db.session.scalar(select(Unit).where(Unit.code == WARD))
    assert unit.id not in units_under_review(amber_ward)
    city = client.get(f"/results/{amber_ward.slug}?lang=en").get_data(as_text=True)
    # The demo's dates follow the clock: on some days a second unit is amber
    # too, so the notice is read for the ward, not for a count.
    area = notice(city)
    assert re.search(r"units? in this area (is|are) amber on the integrity", area)
    assert "Saigon Ward" in area or WARD in area
    row = re.search(rf'<tr data-unit="{WARD}">.*?</tr>', city, re.S)
    assert row and "amber: unusual answers" in row.group(0)  # beside the number


def test_an_administrator_opens_the_amber_evidence(client, login, amber_ward):
    login("admin@city.vn")
    html = client.get(f"/results/{amber_ward.slug}/unit/{WARD}?lang=en").get_data(
        as_text=True
    )
    link = re.search(r'href="(/admin/reviews/\d+)"', notice(html))
    assert link
    page = client.get(link.group(1) + "?lang=en")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Why the unit is amber (not under review)" in text
    assert "score_shift" in text and "Record the decision" not in text
    # an amber mark is no decided review either
    reviews = client.get("/admin/reviews?lang=en").get_data(as_text=True)
    assert "Decided lately" not in reviews


def test_recomputing_replaces_the_amber_marks(amber_ward):
    # The ward, and on some days a second unit: the demo's dates follow the
    # clock (see above). Replaced, the marks are as many as the units again.
    assert amber_rows(amber_ward) >= 1
    today = utcnow().date()
    again = recompute_quality(amber_ward, Period(today - timedelta(days=364), today))
    assert WARD in again.amber
    assert amber_rows(amber_ward) == len(again.amber)


@pytest.fixture
def reviewed_city(app, make_user, login):
    survey = seed_demo(1500, seed=2025).survey
    db.session.commit()
    today = utcnow().date()
    report = recompute_quality(survey, Period(today - timedelta(days=364), today))
    db.session.commit()
    assert report.reviews_opened == [MANIPULATED_UNIT]
    city = db.session.scalar(select(Unit).where(Unit.code == "HCM"))
    make_user("leader@city.vn", "leader", city)
    login("leader@city.vn")
    return survey


def test_the_city_headline_shows_itself_without_the_units_under_review(
    client, reviewed_city
):
    html = client.get(f"/results/{DEMO_SLUG}?lang=en").get_data(as_text=True)
    share = re.search(r'<span id="integrity-share">(.*?)</span>', html, re.S)
    assert share, notice(html)
    text = " ".join(share.group(1).split())
    print(text)  # the demo's figure, for the report
    found = re.search(
        r"They gave ([\d.]+) % of the answers to the overall question: "
        r"([\d.]+) % → ([\d.]+) % without Ben Thanh Ward",
        text,
    )
    assert found, text
    weight, with_them, without = (float(g) for g in found.groups())
    assert 0 < weight < 50
    # the manipulated ward inflates the city: without it, the figure is lower
    assert without < with_them
    headline = re.search(r'id="m1".*?([\d.]+) %', html, re.S)
    assert headline and float(headline.group(1)) == with_them
