"""Leaders see a unit's integrity review beside its headline (issue 25)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from survey.extensions import db
from survey.models import Unit
from survey.models._time import utcnow
from survey.services.demo import DEMO_SLUG, MANIPULATED_UNIT, seed_demo
from survey.services.integrity.period import Period
from survey.services.integrity.quality import recompute_quality


@pytest.fixture
def reviewed(app):
    survey = seed_demo(1500, seed=2025).survey
    db.session.commit()
    today = utcnow().date()
    report = recompute_quality(survey, Period(today - timedelta(days=364), today))
    db.session.commit()
    assert report.reviews_opened == [MANIPULATED_UNIT]
    return survey


@pytest.fixture
def leader(reviewed, make_user, login):
    city = db.session.scalar(select(Unit).where(Unit.code == "HCM"))
    make_user("leader@city.vn", "leader", city)
    login("leader@city.vn")


def notice(html: str) -> str:
    found = re.search(r'<div class="integrity-notice.*?</div>', html, re.S)
    return found.group(0) if found else ""


def test_the_notice_sits_beside_a_reviewed_units_headline(client, leader):
    html = client.get(f"/results/{DEMO_SLUG}/unit/{MANIPULATED_UNIT}").get_data(
        as_text=True
    )
    shown = notice(html)
    assert "đang được xem xét về tính trung thực từ" in shown  # Vietnamese first
    assert "bốn tuần qua" in shown or "vài phút" in shown  # why, in plain words
    assert html.index('id="integrity-notice"') < html.index('id="m1"')
    assert "/results/method" in shown  # a leader is pointed at the method


def test_the_city_says_which_units_inside_it_are_under_review(client, leader):
    html = client.get(f"/results/{DEMO_SLUG}?lang=en").get_data(as_text=True)
    shown = notice(html)
    assert "1 unit in this area is under integrity review: Ben Thanh Ward" in shown
    honest = client.get(f"/results/{DEMO_SLUG}/unit/P-SAI-GON").get_data(as_text=True)
    assert notice(honest) == ""


def test_an_administrator_gets_the_link_to_the_evidence(
    client, reviewed, make_user, login
):
    city = db.session.scalar(select(Unit).where(Unit.code == "HCM"))
    make_user("admin@city.vn", "admin", city)
    login("admin@city.vn")
    html = client.get(f"/results/{DEMO_SLUG}/unit/{MANIPULATED_UNIT}").get_data(
        as_text=True
    )
    assert re.search(r'href="/admin/reviews/\d+"', notice(html))
