"""Property-based fuzzing of the admin forms: never a 500, a refusal stores nothing."""

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from survey.extensions import db
from tests.admin.helpers import post
from tests.admin.test_admin_designer import create, survey

hostile = st.one_of(
    st.text(max_size=300),
    st.sampled_from(
        [
            "<script>alert(1)</script>",
            "'; DROP TABLE units; --",
            "\x00\ud7ff\ufeff\u202e",
            "9" * 5000,
            "-1",
            "1e309",
            "2026-13-45T25:61",
            "../../etc/passwd",
            "a|b|c|d|e|f\n|||\n" * 50,
        ]
    ),
)

FORMS = [
    "/admin/surveys/new",
    "/admin/surveys/fuzz/texts",
    "/admin/surveys/fuzz/questions/new",
    "/admin/surveys/fuzz/pages/{page}",
    "/admin/units/new",
    "/admin/units/W1",
    "/admin/users/new",
]


def fingerprint() -> tuple[int, ...]:
    """Row counts of every table: a refused post must leave them all unchanged."""
    db.session.expire_all()
    return tuple(
        db.session.scalar(select(func.count()).select_from(table))
        for table in db.metadata.sorted_tables
    )


def field_names(html: str) -> list[str]:
    names = re.findall(r'<(?:input|select|textarea)[^>]*\sname="([^"]+)"', html)
    return sorted(set(names) - {"csrf_token"})


@pytest.fixture
def fuzz_survey(client, as_admin):
    assert create(client, "fuzz").status_code == 302
    return as_admin


@pytest.mark.parametrize("form", FORMS)
@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_any_admin_form_post_is_answered_below_500(client, fuzz_survey, form, data):
    url = form.format(page=survey("fuzz").draft_version.pages[0].id)
    page = client.get(url)
    assert page.status_code == 200
    names = field_names(page.get_data(as_text=True))
    values = {name: data.draw(hostile, label=name) for name in names}
    before = fingerprint()
    response = post(client, url, values)
    assert response.status_code < 500
    if response.status_code != 302:  # refused: the form again, or a 4xx
        assert fingerprint() == before
