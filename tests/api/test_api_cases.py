"""The one-stop system posts cases with its own API token."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from survey.extensions import db
from survey.models import ApiClient, ServiceCase
from tests.trust.conftest import case_row

URL = "/api/cases"


@pytest.fixture
def token(runner, make_survey) -> str:
    make_survey()
    result = runner.invoke(args=["create-api-client", "one-stop"])
    assert result.exit_code == 0, result.output
    return result.output.strip().splitlines()[-1]


def post(client, body, token: str | None, **kwargs):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(
        URL, data=data, headers=headers, content_type="application/json", **kwargs
    )


def cases() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(ServiceCase.id)))


def test_only_the_token_hash_is_stored(token):
    stored = db.session.scalar(select(ApiClient))
    assert stored.name == "one-stop" and token not in stored.token_hash
    assert len(token) >= 40


def test_cases_are_accepted_once_with_the_token(client, token):
    body = {"cases": [case_row("API-1"), case_row("API-2", outcome="rejected")]}
    response = post(client, body, token)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json() == {"added": 2, "duplicates": 0}
    replay = post(client, body, token)
    assert replay.get_json() == {"added": 0, "duplicates": 2}
    assert cases() == 2
    assert db.session.scalar(select(ApiClient)).last_used_at is not None


@pytest.mark.parametrize("given", [None, "wrong-token", ""])
def test_no_or_a_wrong_token_gets_401(client, token, given):
    response = post(client, {"cases": [case_row("X")]}, given)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert "token" in response.get_json()["error"]
    assert cases() == 0


def test_a_disabled_client_gets_401(client, token):
    from survey.models._time import utcnow

    db.session.scalar(select(ApiClient)).disabled_at = utcnow()
    db.session.commit()
    assert post(client, {"cases": [case_row("X")]}, token).status_code == 401


@pytest.mark.parametrize(
    "body, fragment",
    [
        ("{not json", "not JSON"),
        ([1, 2], "expected"),
        ({"cases": "x"}, "expected"),
        ({"cases": []}, "between 1 and"),
    ],
)
def test_malformed_bodies_get_400_with_a_reason(client, token, body, fragment):
    response = post(client, body, token)
    assert response.status_code == 400
    assert fragment in response.get_json()["error"]


def test_an_invalid_case_gets_422_and_nothing_is_stored(client, token):
    body = {"cases": [case_row("OK-1"), case_row("BAD-1", unit_code="NOPE")]}
    response = post(client, body, token)
    assert response.status_code == 422
    payload = response.get_json()
    assert payload["rejected"] == [
        {"index": 1, "reason": "unit_code 'NOPE' is unknown"}
    ]
    assert cases() == 0


def test_a_body_over_the_limit_gets_413_json(client, token):
    big = {"cases": [case_row("Z", procedure_group="x" * 600_000)]}
    response = post(client, body=big, token=token)
    assert response.status_code == 413
    assert "larger" in response.get_json()["error"]


def test_the_endpoint_needs_no_csrf_token_but_is_rate_limited(app, token):
    from survey import create_app

    limited_app = create_app(
        {**app.config, "RATELIMIT_ENABLED": True, "SURVEY_API_LIMIT": "3/minute"}
    )
    limited_app.test_client_class = type(app.test_client())
    client = limited_app.test_client()
    statuses = []
    for i in range(5):
        response = post(client, {"cases": [case_row(f"R-{i}")]}, token)
        statuses.append(response.status_code)
    with limited_app.app_context():
        db.engine.dispose()
    assert statuses == [200, 200, 200, 429, 429]
    assert response.get_json()["error"]
    assert cases() == 3
