"""Units under review through the admin pages: indicators, a reasoned decision."""

from __future__ import annotations

import secrets
from datetime import date, timedelta

from sqlalchemy import select

from survey.extensions import db
from survey.models import Answer, AuditEvent, Response, UnitReview
from survey.models._time import utcnow
from tests.admin.helpers import post, switch_user


def open_review(world, unit=None) -> UnitReview:
    today = date.today()
    review = UnitReview(
        survey_id=world.survey.id,
        unit_id=(unit or world.w1).id,
        period_start=today - timedelta(days=364),
        period_end=today,
        reason="all_top: 98% of 60 all-top <img src=x onerror=alert(1)>",
    )
    db.session.add(review)
    db.session.commit()
    return review


def add_rated_responses(world, unit, values: list[int]) -> None:
    """Responses answering the five-point item SAT with ``values``."""
    version = world.survey.published_version
    sat = next(q for q in version.questions if q.code == "SAT")
    for value in values:
        response = Response(
            survey_id=world.survey.id,
            version_id=version.id,
            unit_id=unit.id,
            channel="qr",
            token=secrets.token_hex(16),
            submitted_at=utcnow() - timedelta(hours=1),
        )
        response.answers.append(Answer(question_id=sat.id, value_int=value))
        db.session.add(response)
    db.session.commit()


def test_the_review_page_lists_units_under_review_with_their_indicators(
    client, as_admin
):
    review = open_review(as_admin)
    add_rated_responses(as_admin, as_admin.w1, [5] * 30)
    add_rated_responses(as_admin, as_admin.w2, [2, 3, 4, 5] * 8)
    html = client.get("/admin/reviews").get_data(as_text=True)
    assert "W1 · W1 Ward" in html
    assert "All-top rate" in html and "Inflation gap" in html
    assert "30 of 30" in html or "100%" in html  # the all-top reason, in words
    assert f"/admin/reviews/{review.id}" in html
    detail = client.get(f"/admin/reviews/{review.id}").get_data(as_text=True)
    assert "&lt;img src=x" in detail and "<img src=x" not in detail


def test_a_decision_needs_a_written_reason_and_is_audited(client, as_admin):
    review = open_review(as_admin)
    url = f"/admin/reviews/{review.id}"
    for reason in ("", "ok", " " * 30):
        refused = post(client, url, {"decision": "cleared", "reason": reason})
        assert refused.status_code == 422
    no_decision = post(client, url, {"reason": "A long enough reason here."})
    assert no_decision.status_code == 422
    db.session.expire_all()
    assert db.session.get(UnitReview, review.id).status == "under_review"
    reviewed = select(AuditEvent.id).where(AuditEvent.object_type == "unit_review")
    assert db.session.scalar(reviewed) is None

    reason = "Visited the ward: <b>posters</b> moved away from the counter."
    done = post(client, url, {"decision": "cleared", "reason": reason})
    assert done.status_code == 302
    db.session.expire_all()
    decided = db.session.get(UnitReview, review.id)
    assert (
        decided.status == "cleared" and decided.decided_by.email == "admin@city.gov.vn"
    )
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.object_type == "unit_review")
    )
    assert event.action == "clear" and event.details["reason"] == reason
    listing = client.get("/admin/reviews").get_data(as_text=True)
    assert "&lt;b&gt;posters&lt;/b&gt;" in listing and "<b>posters</b>" not in listing
    twice = post(client, url, {"decision": "confirmed", "reason": "Changed my mind."})
    assert twice.status_code == 200
    db.session.expire_all()
    assert db.session.get(UnitReview, review.id).status == "cleared"


def test_reviews_stay_in_the_administrators_scope(client, world, make_user, login):
    review = open_review(world, world.w2)
    make_user("w1-admin@city.gov.vn", "admin", world.w1)
    login("w1-admin@city.gov.vn")
    assert "W2 Ward" not in client.get("/admin/reviews").get_data(as_text=True)
    url = f"/admin/reviews/{review.id}"
    assert client.get(url).status_code == 403
    assert (
        post(client, url, {"decision": "cleared", "reason": "x" * 20}).status_code
        == 403
    )
    switch_user(client, login, "designer@city.gov.vn")
    assert client.get("/admin/reviews").status_code == 403


def test_quality_is_recomputed_from_the_review_page(client, as_admin):
    world = as_admin
    done = post(client, f"/admin/surveys/{world.survey.slug}/quality", {"days": "30"})
    assert done.status_code == 302
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.object_type == "quality")
    )
    assert event.details["days"] == 30
    bad = post(client, f"/admin/surveys/{world.survey.slug}/quality", {"days": "-1"})
    assert bad.status_code == 302
    assert (
        post(client, "/admin/surveys/nope/quality", {"days": "30"}).status_code == 404
    )
