"""Results pages on a 360 px phone: no horizontal page scroll, scrolling tables
are focusable labelled regions, and axe finds nothing serious on the overview."""

from __future__ import annotations

import pytest

from survey.services.demo import DEMO_SLUG
from tests.e2e.conftest import city_user, run_axe

pytestmark = pytest.mark.browser

EMAIL = "phone-leader@demo.gov.vn"
PASSWORD = "a-long-password-for-the-phone"
PAGES = ["", "/unit/S-NN-MT", "/unit/P-SAI-GON", "/questions", "/unit/HCM/questions"]


@pytest.fixture
def signed_in(live_server, phone):
    email = city_user(live_server, EMAIL, PASSWORD, "leader")
    phone.goto(live_server.url + "/login")
    phone.fill("input[name=email]", email)
    phone.fill("input[name=password]", PASSWORD)
    phone.locator("form button[type=submit]").last.click()
    phone.wait_for_load_state()
    return phone


@pytest.mark.parametrize("path", PAGES)
def test_results_page_fits_a_phone(live_server, signed_in, path):
    page = signed_in
    page.goto(f"{live_server.url}/results/{DEMO_SLUG}{path}")
    page.wait_for_load_state("networkidle")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"{path or '/'}: {width} px wide"
    # Every table wider than the screen scrolls inside a labelled, focusable region.
    regions = page.evaluate(
        """() => [...document.querySelectorAll('table')].map(t => {
            const box = t.closest('.table-scroll');
            return {
              wide: t.scrollWidth > t.parentElement.clientWidth + 1,
              region: !!box && box.getAttribute('role') === 'region'
                && box.getAttribute('tabindex') === '0'
                && !!box.getAttribute('aria-label'),
            };
        })"""
    )
    assert all(r["region"] for r in regions if r["wide"]), regions


def test_overview_is_axe_clean_on_a_phone(live_server, signed_in):
    page = signed_in
    page.goto(f"{live_server.url}/results/{DEMO_SLUG}")
    page.locator("#chart-trend").scroll_into_view_if_needed()  # drawn when near
    page.wait_for_selector("#chart-trend .main-svg", timeout=15_000)
    violations = run_axe(page)
    assert violations == [], [(v["id"], len(v["nodes"])) for v in violations]
