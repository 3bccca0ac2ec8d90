"""A leader gets in from the login page by clicking only: never a typed URL.

The city leader: login, the staff menu's "Results", the survey, a ward of the
units table, and back to the city by the breadcrumb. The ward's leader: login,
"Results", the survey (their ward's overview), its questions, and back.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from survey.extensions import db
from survey.models import Unit, User
from survey.services.demo import DEMO_SLUG
from tests.e2e.conftest import city_user

pytestmark = pytest.mark.browser

PASSWORD = "a-long-password-for-the-way-in"
CITY_LEADER = "way-in-city@demo.gov.vn"
WARD_LEADER = "way-in-ward@demo.gov.vn"
WARD = "P-SAI-GON"


def ward_user(live_server, email: str) -> str:
    with live_server.app.app_context():
        if db.session.scalar(select(User).where(User.email == email)) is None:
            ward = db.session.scalar(select(Unit).where(Unit.code == WARD))
            user = User(email=email, role="leader", unit=ward)
            user.set_password(PASSWORD)
            db.session.add(user)
            db.session.commit()
    return email


def log_in_by_clicking(page, base: str, email: str) -> None:
    page.goto(base + "/login")  # the only address typed: the way in
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state()
    # The staff menu leads to the results index.
    page.locator("nav a[href$='/results/']").first.click()
    page.wait_for_load_state()
    assert page.url.endswith("/results/")


def test_city_leader_clicks_to_the_overview_a_ward_and_back(live_server, browser):
    email = city_user(live_server, CITY_LEADER, PASSWORD, "leader")
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        log_in_by_clicking(page, live_server.url, email)
        page.locator(f"table a[href$='/results/{DEMO_SLUG}']").click()
        page.wait_for_load_state()
        assert page.url.endswith(f"/results/{DEMO_SLUG}")
        assert page.locator("#m1 .stat-value").is_visible()
        page.locator(f"table.units tr[data-unit='{WARD}'] a").click()
        page.wait_for_load_state()
        assert page.url.endswith(f"/unit/{WARD}")
        assert "Sài Gòn" in page.locator("p.unit-name").inner_text()
        page.locator("nav.breadcrumb a").first.click()  # back to the city
        page.wait_for_load_state()
        assert page.url.endswith("/unit/HCM")
        assert page.locator(f"table.units tr[data-unit='{WARD}']").count() == 1
    finally:
        context.close()


def test_ward_leader_clicks_to_the_ward_its_questions_and_back(live_server, phone):
    email = ward_user(live_server, WARD_LEADER)
    log_in_by_clicking(phone, live_server.url, email)
    phone.locator(f"table a[href$='/results/{DEMO_SLUG}']").click()
    phone.wait_for_load_state()
    assert "Sài Gòn" in phone.locator("p.unit-name").inner_text()
    assert phone.locator("#m1 .stat-value").is_visible()
    phone.locator("nav.subnav a[href$='/questions']").click()
    phone.wait_for_load_state()
    assert phone.url.endswith(f"/unit/{WARD}/questions")
    phone.locator("nav.subnav a").first.click()  # back to the overview
    phone.wait_for_load_state()
    assert phone.url.endswith(f"/unit/{WARD}")
    assert phone.js_errors == []
