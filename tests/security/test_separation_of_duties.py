"""Separation of duties: nobody acts on the integrity or the official figure
of a unit in their own scope unless they are city-wide (survey/auth/rights.py).

Every role and scope against the four acts: deciding a unit's review,
planning a wave, drawing it, and entering a phone interview. A ward's own
administrator, which could clear its own review, draw its own wave and rate
itself by phone, is refused like everyone but the city's administrator.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from survey.extensions import db
from survey.models import Invitation, UnitReview, Wave
from tests.admin.conftest import World, world  # noqa: F401 - fixture
from tests.admin.helpers import post, switch_user
from tests.admin.test_admin_reviews import open_review
from tests.admin.test_admin_waves import add_cases, wave_form
from tests.conftest import csrf_token


def send(client, url, data=None):
    """POST with a CSRF token from a page every role may open."""
    token = csrf_token(client, "/password")
    return client.post(url, data={"csrf_token": token, **(data or {})})


def create(client, city, **changes):
    url = f"/admin/surveys/{city.survey.slug}/waves/new"
    return send(client, url, wave_form(city, **changes))


ALLOWED = {"decide": 302, "plan": 302, "draw": 302, "interview": 200}
ACTORS = {
    # e-mail, role, unit attribute of the world (None: the city)
    "city admin": ("admin@city.gov.vn", None, None),
    "ward admin of the unit": ("w1-admin@city.gov.vn", "admin", "w1"),
    "department admin": ("dept-admin@city.gov.vn", "admin", "dept"),
    "designer": ("designer@city.gov.vn", None, None),
    "leader": ("leader@city.gov.vn", None, None),
}


def prepare(client, city: World, login) -> tuple[UnitReview, Wave, Invitation]:
    """As the city's administrator: a review of W1, a drawn wave and a draft."""
    login("admin@city.gov.vn")
    add_cases(12)
    create(client, city, per_unit="1", units=[str(city.w1.id)], name="drawn")
    drawn = db.session.scalar(select(Wave).where(Wave.name == "drawn"))
    assert post(client, f"/admin/waves/{drawn.id}/draw").status_code == 302
    create(client, city, per_unit="1", units=[str(city.w1.id)], name="draft")
    draft = db.session.scalar(select(Wave).where(Wave.name == "draft"))
    invitation = db.session.scalar(
        select(Invitation).where(Invitation.wave_id == drawn.id)
    )
    return open_review(city, city.w1), draft, invitation


@pytest.mark.parametrize("actor", list(ACTORS))
def test_only_a_city_wide_administrator_acts_on_a_units_integrity(
    client,
    world,  # noqa: F811
    make_user,
    login,
    actor,
):
    review, draft, invitation = prepare(client, world, login)
    email, role, unit = ACTORS[actor]
    if role:
        make_user(email, role, getattr(world, unit))
    switch_user(client, login, email)
    waves_before = db.session.scalar(select(db.func.count(Wave.id)))
    statuses = {
        "decide": send(
            client,
            f"/admin/reviews/{review.id}",
            {"decision": "cleared", "reason": "Checked by phone, all fine."},
        ).status_code,
        "plan": create(
            client, world, per_unit="1", units=[str(world.w1.id)], name="mine"
        ).status_code,
        "draw": send(client, f"/admin/waves/{draft.id}/draw").status_code,
        "interview": client.get(
            f"/admin/invitations/{invitation.id}/interview"
        ).status_code,
    }
    db.session.expire_all()
    if actor == "city admin":
        assert statuses == ALLOWED
        return
    assert statuses == dict.fromkeys(ALLOWED, 403), statuses
    assert db.session.get(UnitReview, review.id).status == "under_review"
    assert db.session.get(Wave, draft.id).status == "draft"
    assert db.session.scalar(select(db.func.count(Wave.id))) == waves_before


def test_the_refusal_says_why(client, world, make_user, login):  # noqa: F811
    review = open_review(world, world.w1)
    make_user("w1-admin@city.gov.vn", "admin", world.w1)
    login("w1-admin@city.gov.vn")
    assert client.get(f"/admin/reviews/{review.id}").status_code == 200  # may read
    refused = post(
        client,
        f"/admin/reviews/{review.id}?lang=en",
        {"decision": "cleared", "reason": "It is all fine, trust me."},
    )
    assert refused.status_code == 403
    assert "city-wide administrator" in refused.get_data(as_text=True)
