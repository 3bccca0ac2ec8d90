"""A city leader clicks from the login page to an amber ward's headline (issue 25).

The manipulated ward is under review and Phường Sài Gòn is amber (both marks
made for this module only, as ``recompute_quality`` stores them). The city's
headline says what the ward under review weighs and the figure without it;
the amber ward's headline carries its amber notice with the plain reason.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import delete, select

from survey.extensions import db
from survey.models import Survey, Unit, UnitReview
from survey.models._time import utcnow
from survey.services.demo import DEMO_SLUG, MANIPULATED_UNIT
from tests.e2e.conftest import city_user

pytestmark = pytest.mark.browser

EMAIL = "amber-leader@demo.gov.vn"
PASSWORD = "a-long-password-for-the-amber-notice"
AMBER_WARD = "P-SAI-GON"


@pytest.fixture(scope="module")
def marks(live_server):
    with live_server.app.app_context():
        survey = db.session.scalar(select(Survey).where(Survey.slug == DEMO_SLUG))
        units = {
            u.code: u
            for u in db.session.scalars(
                select(Unit).where(Unit.code.in_((MANIPULATED_UNIT, AMBER_WARD)))
            )
        }
        today = utcnow().date()
        made = [
            UnitReview(
                survey_id=survey.id,
                unit_id=units[code].id,
                period_start=today,
                period_end=today,
                status=status,
                reason=reason,
                opened_at=utcnow(),
            )
            for code, status, reason in (
                (MANIPULATED_UNIT, "under_review", "bursts: 14 in 10 minutes"),
                (AMBER_WARD, "amber", "score_shift: mean 4.32 against 4.13"),
            )
        ]
        db.session.add_all(made)
        db.session.commit()
        ids = [m.id for m in made]
    yield ids
    with live_server.app.app_context():
        db.session.execute(delete(UnitReview).where(UnitReview.id.in_(ids)))
        db.session.commit()


def test_a_leader_clicks_to_the_amber_notice_beside_the_headline(
    live_server, marks, browser
):
    city_user(live_server, EMAIL, PASSWORD, "leader")
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(live_server.url + "/login")
        page.fill("input[name=email]", EMAIL)
        page.fill("input[name=password]", PASSWORD)
        page.locator("form button[type=submit]").last.click()
        page.wait_for_load_state()
        page.locator("nav a[href$='/results/']").first.click()
        page.wait_for_load_state()
        page.locator(f"table a[href$='/results/{DEMO_SLUG}']").click()
        page.wait_for_load_state()
        city = page.locator("#integrity-notice")
        assert city.is_visible()
        share = page.locator("#integrity-share").inner_text()
        # "… 62,4 % → 61,3 % khi không tính Phường Bến Thành."
        assert re.search(r"[\d,]+ % → [\d,]+ % khi không tính Phường Bến Thành", share)
        assert "mức vàng" in city.inner_text()  # the amber ward is named too
        row = page.locator(f"table.units tr[data-unit='{AMBER_WARD}']")
        assert (
            row.locator(".badge-amber").inner_text() == "vàng: câu trả lời bất thường"
        )
        row.locator("a").first.click()
        page.wait_for_load_state()
        notice = page.locator("#integrity-notice")
        assert notice.is_visible()
        assert notice.locator(".badge-amber").is_visible()
        text = notice.inner_text()
        assert "Cần thận trọng khi đọc các số liệu này" in text
        assert "điểm trung bình tăng" in text  # the reason, in plain words
        box, headline = (
            notice.bounding_box(),
            page.locator("#official, #m1").first.bounding_box(),
        )
        assert box["y"] < headline["y"] < box["y"] + box["height"] + 200
        notice.locator("a[href*='/results/method']").click()  # the method, read on
        page.wait_for_load_state()
        assert "/results/method" in page.url
        assert errors == []
    finally:
        context.close()
