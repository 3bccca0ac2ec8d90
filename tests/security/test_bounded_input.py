"""Ids too large for a database key are 404s; JSON bodies are bounded."""

import io
import json

import pytest
from werkzeug.routing import IntegerConverter

from survey.extensions import db
from survey.services.fieldwork.cases import create_api_client
from tests.conftest import csrf_token

HUGE = [2**31, 2**63 - 1, 2**63, 10**30]
PAGES = [
    "/admin/users/{id}",
    "/admin/waves/{id}",
    "/admin/reviews/{id}",
    "/admin/invitations/{id}/interview",
    "/admin/surveys/test/pages/{id}",
    "/admin/surveys/test/questions/{id}",
]
POSTS = [
    "/admin/waves/{id}/draw",
    "/admin/waves/{id}/contacts",
    "/admin/waves/{id}/close",
    "/admin/api-clients/{id}/revoke",
    "/admin/surveys/test/pages/{id}/delete",
    "/admin/surveys/test/questions/{id}/move",
    "/admin/surveys/test/questions/{id}/delete",
]


@pytest.fixture
def city_admin(client, make_unit, make_user, make_survey, login):
    city = make_unit("HCM", kind="city")
    make_user("ana@city.vn", "admin", city)
    make_survey(units=[city], owner=city, publish=False, open_=False)
    login("ana@city.vn")
    return client


@pytest.mark.parametrize("huge", HUGE)
def test_an_id_beyond_64_bits_is_not_found(city_admin, huge):
    token = csrf_token(city_admin, "/admin/users")
    for page in PAGES:
        assert city_admin.get(page.format(id=huge)).status_code == 404, page
    for post in POSTS:
        url = post.format(id=huge)
        assert city_admin.post(url, data={"csrf_token": token}).status_code == 404, url
    assert city_admin.get(f"/admin/users/{2**31 - 1}").status_code == 404


def test_every_int_route_is_bounded(app):
    converters = [
        converter
        for rule in app.url_map.iter_rules()
        for converter in (rule._converters or {}).values()
        if isinstance(converter, IntegerConverter)
    ]
    assert converters, "no integer route found"
    assert all(converter.max == 2**31 - 1 for converter in converters)


@pytest.fixture
def api(app):
    _client, token = create_api_client("one-stop")
    db.session.commit()
    return {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}


def test_json_nested_50000_deep_is_a_400(client, api):
    for body in ("[" * 50_000 + "]" * 50_000, '{"a":' * 50_000 + "1" + "}" * 50_000):
        response = client.post("/api/cases", data=body, headers=api)
        assert response.status_code == 400
        assert response.is_json


def test_json_a_little_too_deep_is_a_400_and_brackets_in_strings_do_not_count(
    client, api
):
    deep = {"cases": [{"x": json.loads("[" * 30 + "]" * 30)}]}
    assert client.post("/api/cases", json=deep, headers=api).status_code == 400
    strings = {"cases": "[" * 100}
    response = client.post("/api/cases", json=strings, headers=api)
    assert response.status_code == 400
    assert "expected" in response.get_json()["error"]  # the view's own message


def test_oversized_json_is_refused_without_a_500(client, api):
    body = json.dumps({"cases": [{"ref": "x" * 1000}] * 2000})
    assert len(body) > 1024 * 1024
    response = client.post("/api/cases", data=body, headers=api)
    assert response.status_code in (400, 413)
    chunked = client.post(  # no Content-Length: the body is read up to the cap
        "/api/cases",
        input_stream=io.BytesIO(body.encode()),
        headers={**api, "Transfer-Encoding": "chunked"},
    )
    assert chunked.status_code in (400, 413)


@pytest.mark.parametrize(
    "body",
    [
        '{"cases": [{"unit": "HCM\\u0000"}]}',
        '{"cases": [{"unit\\u0000": "HCM"}]}',
        '{"cases": ["\\u0000"]}',
    ],
)
def test_a_nul_in_json_is_refused_like_in_forms(client, api, body):
    response = client.post("/api/cases", data=body, headers=api)
    assert response.status_code == 400
    assert response.is_json
