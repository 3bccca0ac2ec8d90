"""An administrator builds a survey in a real browser, and a citizen answers it."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from survey.extensions import db
from survey.models import Response, Survey
from tests.e2e.conftest import city_user
from tests.e2e.test_citizen_browser import walk_to_the_end

pytestmark = pytest.mark.browser

EMAIL = "browser-admin@demo.gov.vn"
PASSWORD = "a-long-password-for-the-admin"
SLUG = "browser-sipas"
UNIT = "P-SAI-GON"
EDITED = "Hôm nay bạn đến làm thủ tục gì? (bản sửa trong trình duyệt)"


@pytest.fixture(scope="module")
def admin(live_server) -> str:
    return city_user(live_server, EMAIL, PASSWORD, "admin")


def test_an_admin_publishes_a_sipas_survey_and_a_citizen_answers_it(
    live_server, admin, browser, phone
):
    base = live_server.url
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(f"{base}/login")
        page.fill("input[name=email]", admin)
        page.fill("input[name=password]", PASSWORD)
        page.locator("form button[type=submit]").last.click()
        page.wait_for_url(f"{base}/admin/**")
        page.goto(f"{base}/admin/?lang=en")

        # Create from the SIPAS template.
        page.goto(f"{base}/admin/surveys/new")
        page.fill("#slug", SLUG)
        page.select_option("#template", "sipas")
        page.get_by_role("button", name="Create the survey").click()
        page.wait_for_url(f"{base}/admin/surveys/{SLUG}")
        assert "Draft version 1" in page.content()

        # Edit the first question's text.
        first = page.locator("tbody tr[id^=q]").first
        code = first.locator("td").first.inner_text()
        first.get_by_role("link", name=f"Edit {code}").click()
        page.fill("#text_vi", EDITED)
        page.get_by_role("button", name="Save").click()
        page.wait_for_url(f"{base}/admin/surveys/{SLUG}")
        assert EDITED in page.content()

        # Publish, assign a ward, open.
        page.get_by_role("link", name="Publish version 1").click()
        page.wait_for_url(f"{base}/admin/surveys/{SLUG}/publish/confirm")
        assert "Publish version 1?" in page.content()  # asked once, then done
        page.get_by_role("button", name="Publish version 1").click()
        page.wait_for_load_state()
        assert "Version 1 is published." in page.content()
        page.fill("#unit_code", UNIT)
        page.get_by_role("button", name="Assign").click()
        page.wait_for_load_state()
        page.get_by_role("button", name="Open the survey").click()
        page.wait_for_load_state()
        assert page.get_by_role("link", name="Close the survey").count() == 1

        # The unit's QR poster: the QR, the bilingual call, the short link.
        page.get_by_role("link", name="Links, QR codes and posters").click()
        page.get_by_role("link", name="A4 poster").first.click()
        page.wait_for_url(f"**/poster/{UNIT}")
        assert page.locator(".poster-qr svg").count() == 1
        assert page.locator(".poster-call").is_visible()
        link = page.locator(".poster-link").inner_text().strip()
        assert link.endswith(f"/s/{SLUG}/{UNIT}")
        assert errors == []
    finally:
        context.close()

    # A citizen follows the poster's link on a phone and answers.
    phone.goto(link)
    assert EDITED in phone.content()
    walk_to_the_end(phone)
    phone.wait_for_url("**/thanks")
    with live_server.app.app_context():
        survey = db.session.scalar(select(Survey).where(Survey.slug == SLUG))
        stored = db.session.scalar(
            select(func.count(Response.id)).where(Response.survey_id == survey.id)
        )
    assert stored == 1
