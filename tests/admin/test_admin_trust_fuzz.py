"""Fuzzing the trust pages' forms: never a 500, a refused post stores nothing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from survey.extensions import db
from survey.models import UnitReview
from tests.admin.helpers import post
from tests.admin.test_admin_fuzz import (
    BUTTONS,
    FIELD_FORMS,
    UPLOAD_FORMS,
    field_names,
    fingerprint,
    hostile,
    upload,
)
from tests.admin.test_admin_fuzz import FORMS as ADMIN_FORMS
from tests.conftest import csrf_token

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


# Buttons and uploads of the trust pages: hostile fields and ids that may not
# exist; never a 500, and a refusal stores nothing.
TRUST_BUTTONS = [
    "/admin/waves/1/draw",
    "/admin/waves/1/close",
    "/admin/waves/1/contacts",
    "/admin/api-clients/1/revoke",
    "/admin/surveys/city-survey/quality",
    "/admin/invitations/1/interview",
    "/admin/waves/1/outreach",
    "/admin/waves/1/send",
    "/admin/reforms/import",
    "/admin/reforms/import-2025",
    "/admin/reforms/1/undo",
    "/admin/waves/1/backchecks",
    "/admin/backchecks/1",
    "/admin/requests/new",
    "/admin/requests/1",
    "/admin/exports/new",
]


@pytest.mark.parametrize("url", TRUST_BUTTONS)
@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(values=st.dictionaries(hostile, hostile, max_size=4))
def test_any_trust_button_post_is_answered_below_500(client, as_admin, url, values):
    before = fingerprint()
    response = post(client, url, values)
    assert response.status_code < 500
    if response.status_code not in (200, 302):
        assert fingerprint() == before


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(content=st.one_of(st.binary(max_size=2000), hostile.map(str.encode)))
def test_any_case_file_is_answered_below_500(client, as_admin, content):
    token = csrf_token(client, "/admin/cases/import")
    before = fingerprint()
    response = upload(client, "/admin/cases/import", token, "cases.csv", content)
    assert response.status_code < 500
    if response.status_code != 302:
        assert fingerprint() == before


def test_every_admin_form_is_fuzzed(app):
    """A new POST view of the admin must join the fuzzing above."""
    routes = app.url_map.bind("localhost")
    every = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("admin.") and "POST" in (rule.methods or ())
    }
    urls = [*ADMIN_FORMS, *UPLOAD_FORMS, *FORMS, *TRUST_BUTTONS]
    urls += [str(t) for t in FIELD_FORMS + BUTTONS]
    urls += ["/admin/contact-data", "/admin/cases/import"]
    fuzzed = {
        routes.match(
            url.format(page=1, question=1, designer=1, code="W1", review=1),
            method="POST",
        )[0]
        for url in urls
    }
    assert every == fuzzed
