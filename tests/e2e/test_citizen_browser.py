"""A citizen answers the demo survey on a phone, in a real browser."""

import pytest

from survey.services.demo import DEMO_SLUG

pytestmark = pytest.mark.browser


def test_demo_survey_opens_on_a_phone(live_server, phone):
    phone.goto(f"{live_server.url}/s/{DEMO_SLUG}/P-SAI-GON")
    assert phone.locator("h1").first.is_visible()
    assert "Phường Sài Gòn" in phone.content()
    assert phone.locator("fieldset legend").count() >= 3
    # Nothing overflows a 360 px wide screen.
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 360
    assert phone.js_errors == []


def test_home_lists_the_demo_survey_and_its_wards(live_server, phone):
    phone.goto(live_server.url + "/")
    phone.get_by_role("link", name="Khảo sát").first.click()
    phone.fill("#q", "sai gon")
    visible = phone.locator("#unit-list li:visible")
    assert visible.count() == 1
    visible.first.get_by_role("link").click()
    assert phone.url.endswith("/P-SAI-GON")
