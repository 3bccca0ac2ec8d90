"""Planning a wave in a real browser: the sample size follows the margin typed."""

from __future__ import annotations

import pytest

from survey.services.demo import DEMO_SLUG
from tests.e2e.conftest import city_user

pytestmark = pytest.mark.browser

EMAIL = "wave-admin@demo.gov.vn"
PASSWORD = "a-long-password-for-the-waves"


@pytest.fixture(scope="module")
def wave_admin(live_server) -> str:
    return city_user(live_server, EMAIL, PASSWORD, "admin")


def test_the_implied_sample_size_is_shown_as_the_margin_is_typed(
    live_server, wave_admin, browser
):
    base = live_server.url
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(f"{base}/login?lang=en")
        page.fill("input[name=email]", wave_admin)
        page.fill("input[name=password]", PASSWORD)
        page.locator("form button[type=submit]").last.click()
        page.wait_for_url(f"{base}/admin/**")
        page.goto(f"{base}/admin/surveys/{DEMO_SLUG}/waves/new")
        page.fill("#moe", "5")
        assert "needs 196 responses per unit" in page.locator("#implied-n").inner_text()
        assert page.locator("input[name=sample_mode][value=moe]").is_checked()
        page.fill("#moe", "10")
        assert "needs 49 responses per unit" in page.locator("#implied-n").inner_text()
        assert errors == []  # the script ran under the CSP, without errors
    finally:
        context.close()
