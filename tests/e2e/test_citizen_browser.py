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
    expect(visible).to_have_count(1)  # waits for the filter script, even under load
    visible.first.get_by_role("link").click()
    assert phone.url.endswith("/P-SAI-GON")


def test_a_citizen_walks_the_whole_survey_with_javascript(live_server, phone):
    before = responses_stored(live_server)
    phone.goto(live_server.url + FORM)
    walk_to_the_end(phone)
    phone.wait_for_url("**/thanks")
    assert "Câu trả lời của Ông/Bà đã được lưu" in phone.content()
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
    assert "Câu trả lời của Ông/Bà đã được lưu" in page.content()
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


# --- skip and end rules, the short form, the first screen --------------------


def add_survey(live_server, slug: str, spec) -> str:
    """A published, open survey of ``spec`` at P-SAI-GON, made once per server."""
    from survey.models import Survey, Unit
    from survey.services.design.definitions import create_survey

    with live_server.app.app_context():
        if db.session.scalar(select(Survey).where(Survey.slug == slug)) is None:
            city = db.session.scalar(select(Unit).where(Unit.code == "HCM"))
            ward = db.session.scalar(select(Unit).where(Unit.code == "P-SAI-GON"))
            survey = create_survey(slug, spec, city, [ward])
            survey.versions[0].publish()
            survey.open()
            db.session.commit()
    return f"/s/{slug}/P-SAI-GON"


def screened_out_stored(live_server) -> list[bool]:
    with live_server.app.app_context():
        return list(db.session.scalars(select(Response.screened_out)))


@pytest.mark.parametrize("script", [True, False], ids=["js", "no-js"])
def test_the_dead_end_of_the_issue_sends(live_server, browser, script):
    from tests.public.test_flow_rules import gate_spec

    url = live_server.url + add_survey(live_server, "gate-dead-end", gate_spec())
    context = browser.new_context(viewport=PHONE, java_script_enabled=script)
    page = context.new_page()
    before = responses_stored(live_server)
    page.goto(url)
    go = page.locator("#go")
    expect(go).to_have_text("Tiếp theo")  # page two may still show
    if script:  # the label follows the answer both ways
        page.get_by_text("Không", exact=True).click()
        expect(go).to_have_text("Gửi câu trả lời")
        page.get_by_text("Có", exact=True).click()
        expect(go).to_have_text("Tiếp theo")
    page.get_by_text("Không", exact=True).click()
    # With the script the button says what it will do; without, it still sends.
    name = "Gửi câu trả lời" if script else "Tiếp theo"
    page.get_by_role("button", name=name).click()
    page.wait_for_url("**/thanks")
    assert "Câu trả lời của Ông/Bà đã được lưu" in page.content()
    assert responses_stored(live_server) == before + 1
    context.close()


@pytest.mark.parametrize("script", [True, False], ids=["js", "no-js"])
def test_a_no_to_the_screening_item_ends_politely(live_server, browser, script):
    from survey.domain.banks import sipas_short_bank

    url = live_server.url + add_survey(live_server, "short-end", sipas_short_bank())
    context = browser.new_context(viewport=PHONE, java_script_enabled=script)
    page = context.new_page()
    before = screened_out_stored(live_server).count(True)
    page.goto(url)
    page.locator("fieldset.q").first.get_by_text("Không", exact=True).click()
    if script:  # the facts that follow are hidden at once, and the page sends
        expect(page.locator("fieldset.q:visible")).to_have_count(1)
        page.get_by_role("button", name="Gửi câu trả lời").click()
    else:
        page.get_by_role("button", name="Tiếp theo").click()
    page.wait_for_url("**/thanks?end=1")
    assert "không cần trả lời thêm" in page.content()
    assert screened_out_stored(live_server).count(True) == before + 1
    context.close()


UNANSWERED = "fieldset.q:visible:has(input[type=radio]):not(:has(input:checked))"


def tap_every_choice(page) -> int:
    """Tap the first option of each visible choice, re-reading the page after
    each tap (an answer may show more questions); the number of taps."""
    for taps in range(40):
        pending = page.locator(UNANSWERED)
        if not pending.count():
            return taps
        pending.first.locator("label").first.click()
    raise AssertionError("questions kept appearing")


def test_the_short_form_takes_at_most_twelve_taps(live_server, phone):
    from survey.domain.banks import sipas_short_bank

    url = live_server.url + add_survey(live_server, "short-taps", sipas_short_bank())
    before = responses_stored(live_server)
    phone.goto(url)
    taps, pages = 0, 1
    for _ in range(3):
        taps += tap_every_choice(phone)
        send = phone.get_by_role("button", name="Gửi câu trả lời")
        taps += 1
        if send.count():
            send.click()
            break
        phone.get_by_role("button", name="Tiếp theo").click()
        phone.wait_for_load_state()
        pages += 1
    phone.wait_for_url("**/thanks")
    assert taps <= 12 and pages <= 2, (taps, pages)
    assert responses_stored(live_server) == before + 1
    assert phone.js_errors == []


def first_question_bottom(page) -> float:
    """Where the first question's legend and first option end, in CSS pixels."""
    first = page.locator("fieldset.q:visible").first
    legend = first.locator("legend").bounding_box()
    option = first.locator("label, input, textarea").first.bounding_box()
    assert legend is not None and option is not None
    return max(legend["y"] + legend["height"], option["y"] + option["height"])


@pytest.mark.parametrize("form", ["full", "short"])
def test_the_first_question_is_above_the_fold_on_every_page(live_server, phone, form):
    from survey.domain.banks import sipas_short_bank

    path = FORM
    if form == "short":
        path = add_survey(live_server, "short-fold", sipas_short_bank())
    phone.goto(live_server.url + path)
    title = phone.locator("h1").first
    full_height = title.bounding_box()["height"]
    bottoms = []
    for number in range(10):
        bottoms.append(first_question_bottom(phone))
        if number:
            # After the first page the long title takes one line.
            assert title.bounding_box()["height"] < min(full_height, 40)
        tap_every_choice(phone)
        if phone.get_by_role("button", name="Gửi câu trả lời").count():
            break
        phone.get_by_role("button", name="Tiếp theo").click()
        phone.wait_for_load_state()
        assert not phone.locator(".error-summary").count()
    print("first-question bottoms", form, [round(b) for b in bottoms])
    assert max(bottoms) < PHONE["height"], bottoms
