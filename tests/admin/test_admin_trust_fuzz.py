"""Fuzzing the trust pages' forms: never a 500, a refused post stores nothing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from survey.extensions import db
from survey.models import UnitReview
from tests.admin.helpers import post
from tests.admin.test_admin_fuzz import field_names, fingerprint, hostile

FORMS = [
    "/admin/surveys/city-survey/waves/new",
    "/admin/reviews/{review}",
    "/admin/api-clients",
]


@pytest.fixture
def review(as_admin) -> int:
    today = date.today()
    opened = UnitReview(
        survey_id=as_admin.survey.id,
        unit_id=as_admin.w1.id,
        period_start=today - timedelta(days=30),
        period_end=today,
        reason="made up",
    )
    db.session.add(opened)
    db.session.commit()
    return opened.id


@pytest.mark.parametrize("form", FORMS)
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_any_trust_form_post_is_answered_below_500(client, review, form, data):
    url = form.format(review=review)
    page = client.get(url)
    assert page.status_code == 200
    names = field_names(page.get_data(as_text=True))
    values = {name: data.draw(hostile, label=name) for name in names}
    before = fingerprint()
    response = post(client, url, values)
    assert response.status_code < 500
    if response.status_code not in (200, 302):  # refused: nothing stored
        assert fingerprint() == before


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(phone=hostile, action=hostile, page=hostile)
def test_contact_data_and_wave_pages_take_any_input(
    client, as_admin, phone, action, page
):
    response = post(client, "/admin/contact-data", {"phone": phone, "action": action})
    assert response.status_code < 500
    assert client.get("/admin/waves/1", query_string={"page": page}).status_code < 500
