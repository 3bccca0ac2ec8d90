"""A citizen answers the demo survey on a phone, in a real browser."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from survey.extensions import db
from survey.models import Answer, Question, Response
from survey.services.demo import DEMO_SLUG
from tests.e2e.conftest import PHONE, run_axe

pytestmark = pytest.mark.browser
FORM = f"/s/{DEMO_SLUG}/P-SAI-GON"


def responses_stored(live_server) -> int:
    with live_server.app.app_context():
        return db.session.scalar(select(func.count(Response.id)))


def answer_visible_questions(page) -> None:
    """Tick the first option of every visible choice question on the page."""
    for fieldset in page.locator("fieldset.q:visible").all():
        if fieldset.locator("input[type=radio]").count():
            fieldset.locator("label").first.click()


def walk_to_the_end(page) -> None:
    """Answer page after page (again where a condition revealed a question)."""
    for _ in range(15):
        answer_visible_questions(page)
        send = page.get_by_role("button", name="Gửi câu trả lời")
        if send.count():
            send.click()
            return
        page.get_by_role("button", name="Tiếp theo").click()
        page.wait_for_load_state()
    raise AssertionError("never reached the last page")


def test_demo_survey_opens_on_a_phone(live_server, phone):
    phone.goto(live_server.url + FORM)
    assert phone.locator("h1").first.is_visible()
    assert "Phường Sài Gòn" in phone.content()
    assert phone.locator("fieldset legend").count() >= 3
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert phone.js_errors == []


def test_home_lists_the_demo_survey_and_its_wards(live_server, phone):
    phone.goto(live_server.url + "/")
    phone.get_by_role("link", name="Khảo sát").first.click()
    phone.fill("#q", "sai gon")
    visible = phone.locator("#unit-list li:visible")
    # The filter runs on the input event: wait for it on a busy machine.
    expect(visible).to_have_count(1)
    visible.first.get_by_role("link").click()
    assert phone.url.endswith("/P-SAI-GON")


def test_a_citizen_walks_the_whole_survey_with_javascript(live_server, phone):
    before = responses_stored(live_server)
    phone.goto(live_server.url + FORM)
    walk_to_the_end(phone)
    phone.wait_for_url("**/thanks")
    assert "Câu trả lời của bạn đã được lưu" in phone.content()
    assert phone.js_errors == []
    assert responses_stored(live_server) == before + 1
    with live_server.app.app_context():
        newest = db.session.scalar(select(func.max(Response.id)))
        overall = db.session.scalar(
            select(Answer.value_int)
            .join(Question)
            .where(Answer.response_id == newest, Question.code == "C6")
        )
    assert overall == 1  # the first option of the scale: "very dissatisfied"


def test_a_citizen_walks_the_whole_survey_without_javascript(live_server, browser):
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    before = responses_stored(live_server)
    page.goto(live_server.url + FORM)
    walk_to_the_end(page)
    page.wait_for_url("**/thanks")
    assert "Câu trả lời của bạn đã được lưu" in page.content()
    assert responses_stored(live_server) == before + 1
    context.close()


def test_the_draft_survives_a_reload(live_server, phone):
    phone.goto(live_server.url + FORM)
    phone.locator("fieldset.q").first.locator("label").first.click()
    phone.reload()
    assert phone.locator("fieldset.q").first.locator("input").first.is_checked()


def test_form_errors_and_thanks_pass_the_accessibility_audit(live_server, phone):
    phone.goto(live_server.url + FORM)
    assert run_axe(phone) == []
    phone.get_by_role("button", name="Tiếp theo").click()
    phone.wait_for_load_state()
    assert phone.locator(".error-summary").is_visible()
    assert run_axe(phone) == []
    walk_to_the_end(phone)
    phone.wait_for_url("**/thanks")
    assert run_axe(phone) == []


def test_the_form_works_at_200_percent_zoom(live_server, browser):
    # A 360 px phone at 200 % zoom lays out like a 180 px wide screen.
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, device_scale_factor=2
    )
    page = context.new_page()
    page.goto(live_server.url + FORM)
    page.evaluate("document.body.style.zoom = '200%'")
    root = "document.documentElement"
    overflow = page.evaluate(f"{root}.scrollWidth > {root}.clientWidth * 1.02")
    assert not overflow
    context.close()
