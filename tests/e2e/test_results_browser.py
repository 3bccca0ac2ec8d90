"""A leader reads the overview in a real browser: the charts render, no JS error."""

from __future__ import annotations

import pytest

from survey.services.demo import DEMO_SLUG
from tests.e2e.conftest import city_user

pytestmark = pytest.mark.browser

EMAIL = "browser-leader@demo.gov.vn"
PASSWORD = "a-long-password-for-the-browser"


@pytest.fixture(scope="module")
def leader(live_server) -> str:
    return city_user(live_server, EMAIL, PASSWORD, "leader")


def log_in(page, url: str, email: str) -> None:
    page.goto(url + "/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state()


def test_overview_renders_its_charts_on_a_phone(live_server, leader, phone):
    log_in(phone, live_server.url, leader)
    phone.goto(f"{live_server.url}/results/{DEMO_SLUG}")
    # Below the phone's first screen, each chart is drawn as she scrolls to it
    # (charts.js), not before.
    phone.wait_for_selector("#chart-trend", state="attached")
    assert phone.locator("#chart-trend .main-svg").count() == 0
    for chart in ("#chart-factors", "#chart-trend"):
        phone.locator(chart).scroll_into_view_if_needed()
        phone.wait_for_selector(f"{chart} .main-svg", timeout=15_000)
    assert phone.locator("#m1 .value").first.is_visible()
    assert phone.js_errors == []


def test_unit_page_renders_with_the_real_csp_on_a_desktop(live_server, leader, browser):
    # No CSP bypass here: Plotly must work under script-src 'self'.
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    def console(message) -> None:
        if message.type == "error":
            errors.append(f"{message.text} @ {message.location}")

    page.on("console", console)
    try:
        log_in(page, live_server.url, leader)
        page.goto(f"{live_server.url}/results/{DEMO_SLUG}/unit/S-NN-MT")
        page.wait_for_selector("#chart-factors .main-svg", timeout=15_000)
        page.goto(f"{live_server.url}/results/{DEMO_SLUG}/questions")
        page.wait_for_selector("#chart-likert .main-svg", timeout=15_000)
        assert errors == [], "\n".join(errors)
    finally:
        context.close()
