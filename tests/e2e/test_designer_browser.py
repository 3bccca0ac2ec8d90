"""A designer's day in a real browser, by clicking only: build, condition,
translate (with the warning), publish, publish v2 with its diff, assign with
the picker, print the posters."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from survey.extensions import db
from survey.models import Unit, User
from tests.e2e.conftest import run_axe

pytestmark = pytest.mark.browser

EMAIL, PASSWORD = "walk-designer@demo.gov.vn", "a-long-password-for-the-designer"
SLUG = "designer-walk"


@pytest.fixture(scope="module")
def designer(live_server) -> None:
    """A designer of the Department of Agriculture and Environment."""
    with live_server.app.app_context():
        if db.session.scalar(select(User).where(User.email == EMAIL)) is None:
            dept = db.session.scalar(select(Unit).where(Unit.code == "S-NN-MT"))
            user = User(email=EMAIL, role="designer", unit=dept)
            user.set_password(PASSWORD)
            db.session.add(user)
            db.session.commit()


def save(page, base: str) -> None:
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_url(f"{base}/admin/surveys/{SLUG}")


def test_a_designer_builds_translates_publishes_twice_and_prints(
    live_server, designer, browser
):
    base = live_server.url
    context = browser.new_context(
        viewport={"width": 1280, "height": 900},
        bypass_csp=True,  # axe only
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(f"{base}/login")
        page.get_by_role("link", name="English").click()
        page.fill("input[name=email]", EMAIL)
        page.fill("input[name=password]", PASSWORD)
        page.locator("form button[type=submit]").last.click()
        page.wait_for_url(f"{base}/admin/**")
        if not page.url.rstrip("/").endswith("/admin"):
            page.get_by_role("link", name="Surveys", exact=True).first.click()

        # Build: a blank survey, a choice question, a question shown after it.
        page.get_by_role("link", name="New survey").click()
        page.fill("#slug", SLUG)
        page.fill("#title_vi", "Khảo sát thử của phòng")
        page.fill("#title_en", "The office's trial survey")
        page.get_by_role("button", name="Create the survey").click()
        page.wait_for_url(f"{base}/admin/surveys/{SLUG}")
        page.get_by_role("link", name="Add a question to this page").first.click()
        page.fill("#code", "LATE")
        page.select_option("#type", "single")
        page.fill("#text_vi", "Hồ sơ có bị trễ hẹn không?")
        page.fill("#text_en", "Was your case late?")
        page.fill("#options", "yes|Có|Yes\nno|Không|No")
        save(page, base)
        page.get_by_role("link", name="Add a question to this page").first.click()
        page.fill("#code", "WHY")
        page.select_option("#type", "short_text")
        page.fill("#text_vi", "Vì sao trễ hẹn?")  # no English: the warning
        page.select_option(
            "#condition_question", label="LATE: Hồ sơ có bị trễ hẹn không?"
        )
        assert page.get_by_label("Có").is_visible()
        page.get_by_label("Có").check()
        save(page, base)
        assert "if LATE is yes" in page.content()
        page.get_by_role("link", name="Edit WHY").click()
        assert run_axe(page) == []  # the condition builder
        page.go_back()

        # Translate: the page says what lacks English.
        page.get_by_role("link", name="English texts").click()
        assert "question WHY: its text" in page.content()
        assert run_axe(page) == []
        assert (
            page.get_by_role(
                "link", name="Download the texts as a spreadsheet (.xlsx)"
            ).count()
            == 1
        )
        page.get_by_role("link", name="The office's trial survey").first.click()

        # Publish v1: asked once, with the warning.
        page.get_by_role("link", name="Publish version 1").click()
        assert "1 text has no English version" in page.content()
        page.get_by_role("button", name="Publish version 1").click()
        page.wait_for_load_state()
        assert "Version 1 is published." in page.content()

        # Version 2: reword, and the diff before publishing says so.
        page.get_by_role("button", name="Edit: start a new draft version").click()
        page.wait_for_load_state()
        page.get_by_role("link", name="Edit LATE").click()
        page.fill("#text_vi", "Hồ sơ của Ông/Bà có bị trễ hẹn không?")
        save(page, base)
        page.get_by_role("link", name="Publish version 2").click()
        html = page.content()
        assert "What changes against version 1" in html
        assert "Vietnamese wording changed" in html
        assert run_axe(page) == []
        page.get_by_role("button", name="Publish version 2").click()
        page.wait_for_load_state()
        assert "Version 2 is published." in page.content()

        # Assign with the picker: search, tick, assign.
        page.get_by_role("link", name="Search and tick units").click()
        page.fill("#q", "S-NN-MT-CN")
        page.get_by_role("button", name="Search").click()
        page.wait_for_load_state()
        boxes = page.locator("input[name=codes]:not([disabled])")
        assert boxes.count() >= 1
        boxes.first.check()
        page.get_by_role("button", name="Assign the ticked units").click()
        page.wait_for_url(f"{base}/admin/surveys/{SLUG}")
        assert "S-NN-MT-CN" in page.locator("ul.columns").inner_text()

        # Posters: the unit's A4 poster with its QR code.
        page.get_by_role("link", name="Links, QR codes and posters").click()
        page.get_by_role("link", name="A4 poster").first.click()
        page.wait_for_load_state()
        assert page.locator(".poster-qr svg").count() == 1
        assert f"/s/{SLUG}/S-NN-MT-CN" in page.locator(".poster-link").inner_text()
        assert errors == []
    finally:
        context.close()
