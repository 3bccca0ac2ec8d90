"""The form's first page is rendered once per worker; each citizen's tokens differ."""

from __future__ import annotations

import gzip

import pytest
from flask import template_rendered
from itsdangerous import URLSafeSerializer
from sqlalchemy import func, select

from survey.extensions import db
from survey.models import Response
from survey.services.design.designer import new_draft_from
from tests.public.helpers import form_fields, good_answers

URL = "/s/test/W1"


@pytest.fixture
def renders(app):
    """The templates rendered while the test runs, by name."""
    seen: list[str] = []

    def record(_sender, template, **_extra) -> None:
        seen.append(template.name)

    template_rendered.connect(record, app)
    yield seen
    template_rendered.disconnect(record, app)


@pytest.fixture
def cached(app, monkeypatch):
    monkeypatch.setitem(app.config, "SURVEY_PAGE_CACHE", True)


def version_of(app, ticket: str) -> int:
    serializer = URLSafeSerializer(app.config["SECRET_KEY"], salt="answer-ticket")
    return serializer.loads(ticket)["v"]


def without_tokens(html: str) -> str:
    fields = form_fields(html)
    return html.replace(fields["csrf_token"], "CSRF").replace(fields["ticket"], "T")


def test_two_citizens_get_the_same_page_but_their_own_tokens(
    app, make_survey, renders, cached
):
    make_survey()
    first = app.test_client().get(URL).get_data(as_text=True)
    second = app.test_client().get(URL).get_data(as_text=True)
    assert renders.count("public/answer.html") == 1  # the second was kept
    assert without_tokens(first) == without_tokens(second)
    assert form_fields(first)["csrf_token"] != form_fields(second)["csrf_token"]
    assert form_fields(first)["ticket"] != form_fields(second)["ticket"]
    assert first.count(form_fields(second)["ticket"]) == 0


def test_without_the_setting_tests_render_every_page(app, make_survey, renders):
    make_survey()
    for _ in range(2):
        assert app.test_client().get(URL).status_code == 200
    assert renders.count("public/answer.html") == 2


def test_a_citizen_answers_from_the_kept_page(app, client, make_survey, cached):
    make_survey()
    app.test_client().get(URL)  # another citizen: the page is kept
    fields = form_fields(client.get(URL).get_data(as_text=True))
    data = {**fields, **good_answers(), "page": "1", "action": "submit"}
    assert client.post(URL, data=data).status_code == 302
    assert db.session.scalar(select(func.count(Response.id))) == 1


def test_each_language_is_kept_apart(app, make_survey, cached):
    make_survey()
    english = app.test_client().get(URL + "?lang=en").get_data(as_text=True)
    vietnamese = app.test_client().get(URL).get_data(as_text=True)
    assert '<html lang="en">' in english and "Next" in english
    assert '<html lang="vi">' in vietnamese and "Tiếp theo" in vietnamese


def test_publishing_a_new_version_changes_the_page(app, make_survey, renders, cached):
    survey = make_survey()
    before = app.test_client().get(URL).get_data(as_text=True)
    old_version = survey.published_version.id
    assert version_of(app, form_fields(before)["ticket"]) == old_version

    draft = new_draft_from(survey.published_version)
    draft.title_vi = "Khảo sát phiên bản mới"
    draft.publish()
    db.session.commit()
    after = app.test_client().get(URL).get_data(as_text=True)
    assert "Khảo sát phiên bản mới" in after
    assert "Khảo sát phiên bản mới" not in before
    assert version_of(app, form_fields(after)["ticket"]) == draft.id != old_version
    assert renders.count("public/answer.html") == 2


def test_the_kept_page_goes_out_compressed_as_the_rendered_one_reads(
    app, make_survey, renders, cached
):
    make_survey()
    rendered = app.test_client().get(URL).get_data(as_text=True)
    for _ in range(2):  # two citizens served from the kept page
        response = app.test_client().get(URL, headers={"Accept-Encoding": "gzip"})
        assert response.headers["Content-Encoding"] == "gzip"
        assert "Accept-Encoding" in response.headers["Vary"]
        kept = gzip.decompress(response.data).decode()
        assert without_tokens(kept) == without_tokens(rendered)
        assert form_fields(kept)["ticket"] != form_fields(rendered)["ticket"]
    assert renders.count("public/answer.html") == 1
