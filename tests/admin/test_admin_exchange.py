"""Survey definitions as JSON: an exact round trip, and refusals that leave nothing."""

import json
from io import BytesIO

from sqlalchemy import func, select

from survey.extensions import db
from survey.models import Question, Survey
from tests.admin.helpers import post
from tests.conftest import csrf_token


def upload(client, slug: str, content: bytes):
    return client.post(
        "/admin/surveys/import",
        data={
            "csrf_token": csrf_token(client, "/admin/surveys/import"),
            "slug": slug,
            "file": (BytesIO(content), "survey.json"),
        },
        content_type="multipart/form-data",
    )


def counts() -> tuple[int, int]:
    return (
        db.session.scalar(select(func.count(Survey.id))),
        db.session.scalar(select(func.count(Question.id))),
    )


def test_export_import_export_is_exact(client, as_admin):
    first = client.get("/admin/surveys/city-survey/export.json")
    assert (
        first.status_code == 200
        and "attachment" in first.headers["Content-Disposition"]
    )
    response = upload(client, "copy", first.data)
    assert response.status_code == 302, response.get_data(as_text=True)
    second = client.get("/admin/surveys/copy/export.json")
    a, b = json.loads(first.data), json.loads(second.data)
    assert a["definition"] == b["definition"]
    assert a["slug"] == "city-survey" and b["slug"] == "copy"
    copy = db.session.scalar(select(Survey).where(Survey.slug == "copy"))
    assert copy.status == "draft" and copy.owner_unit.code == "CITY"


def test_a_template_survey_round_trips_too(client, as_admin):
    post(
        client,
        "/admin/surveys/new",
        {"slug": "sipas", "template": "sipas", "title_vi": "", "title_en": ""},
    )
    first = client.get("/admin/surveys/sipas/export.json").data
    assert upload(client, "sipas-copy", first).status_code == 302
    second = client.get("/admin/surveys/sipas-copy/export.json").data
    assert json.loads(first)["definition"] == json.loads(second)["definition"]


def test_bad_files_are_refused_and_nothing_is_half_imported(client, as_admin):
    good = json.loads(client.get("/admin/surveys/city-survey/export.json").data)
    before = counts()
    broken_condition = json.loads(json.dumps(good))
    questions = broken_condition["definition"]["pages"][0]["questions"]
    questions[2]["condition"]["question"] = "NOT-THERE"
    wrong_type = json.loads(json.dumps(good))
    wrong_type["definition"]["pages"][1]["questions"][0]["type"] = "hologram"
    cases = [
        (b"{not json", "not JSON"),
        (b"\xff\xfe\x00\x01", "not JSON"),
        (b'{"hello": "world"}', "not a survey definition"),
        (json.dumps([1, 2]).encode(), "not a survey definition"),
        (json.dumps(broken_condition).encode(), "no earlier question"),
        (json.dumps(wrong_type).encode(), "unknown type"),
        (b"[" * 100000 + b"]" * 100000, "not JSON"),
    ]
    for content, message in cases:
        response = upload(client, "bad", content)
        assert response.status_code in (413, 422), message
        if response.status_code == 422:
            assert message in response.get_data(as_text=True), message
    assert counts() == before
    taken = upload(client, "city-survey", json.dumps(good).encode())
    assert "taken" in taken.get_data(as_text=True)
    bad_slug = upload(client, "Bad Slug", json.dumps(good).encode())
    assert "lowercase" in bad_slug.get_data(as_text=True)
    assert counts() == before


def test_an_oversized_definition_is_refused_before_parsing(app):
    # Over HTTP the file limit answers first (the form's FileSize); the test
    # client would leave its spooled upload open, so check the service directly.
    import pytest

    from survey.services.design.exchange import ExchangeError, read_definition

    with (
        app.test_request_context("/?lang=en"),
        pytest.raises(ExchangeError, match="too large"),
    ):
        read_definition(b" " * (600 * 1024))
