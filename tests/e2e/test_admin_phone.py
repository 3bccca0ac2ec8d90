"""An administrator on a phone: in from the home page by clicking, then every
page of the staff menu fits 360 px (a wide table scrolls inside itself)."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import city_user, run_axe

pytestmark = pytest.mark.browser

EMAIL, PASSWORD = "phone-admin@demo.gov.vn", "a-long-password-for-the-phone"


def test_every_menu_page_fits_a_phone(live_server, phone):
    city_user(live_server, EMAIL, PASSWORD, "admin")
    phone.goto(live_server.url + "/")
    phone.get_by_role("link", name="Cán bộ, công chức: đăng nhập").click()
    phone.fill("input[name=email]", EMAIL)
    phone.fill("input[name=password]", PASSWORD)
    phone.locator("form button[type=submit]").last.click()
    phone.wait_for_load_state()
    menu = phone.locator("header nav a[href^='/admin/']")
    names = [menu.nth(i).inner_text() for i in range(menu.count())]
    assert len(names) >= 6, names
    too_wide, violations = {}, {}
    for name in names:
        phone.locator("header nav").get_by_role("link", name=name, exact=True).click()
        phone.wait_for_load_state()
        width = phone.evaluate("document.documentElement.scrollWidth")
        if width > 360:
            too_wide[phone.url] = width
        # A table that scrolls inside itself keeps its headers for axe.
        if found := [v["id"] for v in run_axe(phone)]:
            violations[phone.url] = found
    assert too_wide == {}
    assert violations == {}
    assert phone.js_errors == []
