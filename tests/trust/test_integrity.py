"""Integrity on the demo data: the manipulated ward goes red, an honest one not."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from survey.extensions import db
from survey.models import AuditEvent, ResponseFlag, Survey, UnitReview
from survey.models._time import utcnow
from survey.services.demo import DEMO_SLUG, MANIPULATED_UNIT, seed_demo
from survey.services.integrity.period import Period
from survey.services.integrity.quality import recompute_quality

HONEST_WARD = "P-SAI-GON"


@pytest.fixture
def demo(app) -> Survey:
    summary = seed_demo(1500, seed=2025)
    db.session.commit()
    return summary.survey


def last_year() -> Period:
    today = utcnow().date()
    return Period(today - timedelta(days=364), today)


def levels(indicators) -> dict[str, str]:
    return {i.code: i.level for i in indicators}


def test_the_manipulated_ward_is_red_and_an_honest_ward_green(demo):
    report = recompute_quality(demo, last_year())
    db.session.commit()
    manipulated = levels(report.indicators[MANIPULATED_UNIT])
    # The demo's stuffer ticks 5 throughout, "I had to wait too long" too:
    # coded, that is not "all at the top"; the stuffed burst, the
    # straight-liners and the channel gap show it.
    assert manipulated["all_top"] == "green"
    assert manipulated["bursts"] == "red"
    assert manipulated["soft_flags"] == "red"
    assert manipulated["inflation_gap"] == "red"
    assert manipulated["arrival_surge"] == "red"
    assert manipulated["unit_score"] == "red"
    honest = levels(report.indicators[HONEST_WARD])
    assert "red" not in honest.values() and "amber" not in honest.values()
    # Only the manipulated ward goes under review.
    assert report.reviews_opened == [MANIPULATED_UNIT]
    review = db.session.scalar(select(UnitReview))
    assert review.unit.code == MANIPULATED_UNIT and review.status == "under_review"
    assert "unit_score" in review.reason and "bursts" in review.reason


def test_soft_flags_are_stored_once_and_a_review_needs_a_written_reason(
    demo, runner, make_user
):
    first = recompute_quality(demo, last_year())
    db.session.commit()
    assert first.flags_added["straight_liner"] > 0
    assert first.flags_added["speeder"] > 0
    stored = db.session.scalar(select(func.count(ResponseFlag.id)))
    result = runner.invoke(args=["recompute-quality", "--survey", DEMO_SLUG])
    assert result.exit_code == 0, result.output
    assert f"{MANIPULATED_UNIT}: inflation_gap=red all_top=green" in result.output
    assert "unit_score=red" in result.output
    assert "speeder 0, straight_liner 0" in result.output  # nothing twice
    assert "Units put under review: none." in result.output  # not opened twice
    assert db.session.scalar(select(func.count(ResponseFlag.id))) == stored

    review = db.session.scalar(select(UnitReview))
    make_user("admin@city.vn", "admin", review.unit.parent)
    args = ["review-unit", "clear", MANIPULATED_UNIT, "--survey", DEMO_SLUG]
    short = runner.invoke(args=[*args, "--reason", "ok", "--by", "admin@city.vn"])
    assert short.exit_code != 0 and "reason" in short.output
    done = runner.invoke(
        args=[
            *args,
            "--reason",
            "Visited the ward: posters moved away from the counter.",
            "--by",
            "admin@city.vn",
        ]
    )
    assert done.exit_code == 0, done.output
    db.session.expire_all()
    assert review.status == "cleared" and review.decided_by.email == "admin@city.vn"
    event = db.session.scalar(
        select(AuditEvent).where(
            AuditEvent.object_type == "unit_review", AuditEvent.action == "clear"
        )
    )
    assert "posters" in event.details["reason"]
