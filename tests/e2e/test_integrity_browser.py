"""A leader sees the integrity notice beside a reviewed unit's headline (issue 25)."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select

from survey.extensions import db
from survey.models import Survey, Unit, UnitReview
from survey.models._time import utcnow
from survey.services.demo import DEMO_SLUG, MANIPULATED_UNIT
from tests.e2e.conftest import city_user

pytestmark = pytest.mark.browser

EMAIL = "integrity-leader@demo.gov.vn"
PASSWORD = "a-long-password-for-the-browser"


@pytest.fixture(scope="module")
def under_review(live_server):
    """The manipulated ward under review for this module only."""
    with live_server.app.app_context():
        survey = db.session.scalar(select(Survey).where(Survey.slug == DEMO_SLUG))
        unit = db.session.scalar(select(Unit).where(Unit.code == MANIPULATED_UNIT))
        today = utcnow().date()
        review = UnitReview(
            survey_id=survey.id,
            unit_id=unit.id,
            period_start=today,
            period_end=today,
            reason="bursts: busiest 10 minutes: 14 of 113; unit_score: chance 1e-30",
            opened_at=utcnow(),
        )
        db.session.add(review)
        db.session.commit()
        review_id = review.id
    yield review_id
    with live_server.app.app_context():
        db.session.execute(delete(UnitReview).where(UnitReview.id == review_id))
        db.session.commit()


def test_the_notice_is_beside_the_headline(live_server, under_review, phone):
    city_user(live_server, EMAIL, PASSWORD, "leader")
    phone.goto(live_server.url + "/login")
    phone.fill("input[name=email]", EMAIL)
    phone.fill("input[name=password]", PASSWORD)
    phone.locator("form button[type=submit]").last.click()
    phone.wait_for_load_state()
    phone.goto(f"{live_server.url}/results/{DEMO_SLUG}/unit/{MANIPULATED_UNIT}")
    notice = phone.locator("#integrity-notice")
    assert notice.is_visible()
    assert "vài phút" in notice.inner_text()  # the reason, in plain words
    # on screen, just above the headline figure
    box = notice.bounding_box()
    headline = phone.locator("#official, #m1").first.bounding_box()  # the first figure
    assert box["y"] < headline["y"] < box["y"] + box["height"] + 200
    phone.goto(f"{live_server.url}/results/{DEMO_SLUG}/unit/P-SAI-GON")
    assert phone.locator("#integrity-notice").count() == 0
    assert phone.js_errors == []
