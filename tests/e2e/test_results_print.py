"""The overview prints as a report: a "Print report" button, and on paper no
menu, sub-menu or filters, but the charts, the tables and a header saying what
the report is (survey, scope, period, date printed)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from survey.extensions import db
from survey.models import Survey, Unit
from survey.services.demo import DEMO_SLUG
from tests.e2e.conftest import city_user

pytestmark = pytest.mark.browser

EMAIL = "print-leader@demo.gov.vn"
PASSWORD = "a-long-password-for-the-print"
SHOWN = "sel => { const e = document.querySelector(sel); return !!e && getComputedStyle(e).display !== 'none' && e.getClientRects().length > 0; }"  # noqa: E501


A4_WIDTH = 700  # print.js: 210 mm less the margins, in CSS pixels


def chart_width(page) -> float:
    svg = "document.querySelector('#chart-factors .main-svg')"
    return page.evaluate(f"{svg}.getBoundingClientRect().width")


def shown(page, selector: str) -> bool:
    return page.evaluate(SHOWN, selector)


def test_the_overview_prints_without_menus_and_with_a_header(live_server, browser):
    email = city_user(live_server, EMAIL, PASSWORD, "leader")
    with live_server.app.app_context():
        title = db.session.scalar(
            select(Survey.title_vi).where(Survey.slug == DEMO_SLUG)
        )
        city = db.session.scalar(select(Unit.name_vi).where(Unit.code == "HCM"))
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    printed: list[bool] = []
    try:
        page.goto(live_server.url + "/login?lang=vi")
        page.fill("input[name=email]", email)
        page.fill("input[name=password]", PASSWORD)
        page.locator("form button[type=submit]").last.click()
        page.wait_for_load_state()
        page.locator("nav a[href$='/results/']").first.click()
        page.wait_for_load_state()
        page.locator(f"table a[href$='/results/{DEMO_SLUG}']").click()
        page.wait_for_load_state()
        button = page.get_by_role("button", name="In báo cáo")
        assert button.is_visible()  # print.js shows it (no inline script)
        # The button opens the print dialog: window.print, counted, not shown.
        page.evaluate("() => { window.print = () => { window.__printed = true; }; }")
        button.click()
        printed.append(page.evaluate("() => window.__printed === true"))
        assert shown(page, "header.top nav") and shown(page, "nav.subnav")
        assert not shown(page, "#print-header")

        # While it prints, each chart is redrawn at the width of an A4 page.
        page.wait_for_selector("#chart-factors .main-svg")  # near the top: drawn
        assert chart_width(page) > A4_WIDTH
        # Charts below the screen are not drawn yet (charts.js draws each as
        # it comes near); printing draws every one.
        undrawn = "document.querySelectorAll('.chart:not(.js-plotly-plot)').length"
        assert page.evaluate(undrawn) > 0
        page.evaluate("() => window.dispatchEvent(new Event('beforeprint'))")
        assert page.evaluate(undrawn) == 0
        assert chart_width(page) == A4_WIDTH
        page.evaluate("() => window.dispatchEvent(new Event('afterprint'))")
        assert chart_width(page) > A4_WIDTH

        page.emulate_media(media="print")
        for hidden in ("header.top", "nav.subnav", "details.filters", "nav.breadcrumb"):
            assert not shown(page, hidden), hidden
        assert not button.is_visible()
        header = page.locator("#print-header")
        assert header.is_visible()
        text = header.inner_text()
        assert city in text, text
        assert title in page.locator("h1").inner_text()  # printed above it
        for words in ("Phạm vi", "Khoảng thời gian", "In ngày"):
            assert words in text, text
        for kept in ("#chart-factors", "#chart-trend", "table.units", "table.factors"):
            assert shown(page, kept), kept
    finally:
        context.close()
    assert printed == [True]
    assert errors == [], errors
