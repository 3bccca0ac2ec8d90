"""After login, ``next`` may only send the user to a path on this site."""

from urllib.parse import quote

import pytest

from tests.conftest import csrf_token

BYPASSES = [
    "////evil.example/",
    "//evil.example/",
    "/\\evil.example/",
    "/\\/evil.example/",
    "\\\\evil.example/",
    "https:evil.example",
    "https://evil.example/",
    "javascript:alert(1)",
    "%2F%2Fevil.example/",
    "/%2F/evil.example/",
    "/%5Cevil.example/",
    "/\t/evil.example/",
    "/admin/\r\nLocation: https://evil.example/",
    "/admin/%0d%0aSet-Cookie:x=1",
    "evil.example",
    " //evil.example/",
]


def login_with_next(client, target):
    token = csrf_token(client, "/login")
    return client.post(
        "/login?next=" + quote(target, safe=""),
        data={
            "email": "ana@city.vn",
            "password": "a-long-password",
            "csrf_token": token,
        },
    )


@pytest.mark.parametrize("target", BYPASSES)
def test_a_foreign_or_broken_next_lands_on_the_home_page(
    client, make_unit, make_user, target
):
    make_user("ana@city.vn", "admin", make_unit("HCM", kind="city"))
    response = login_with_next(client, target)
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/"


def test_a_path_on_this_site_is_kept(client, make_unit, make_user):
    make_user("ana@city.vn", "admin", make_unit("HCM", kind="city"))
    response = login_with_next(client, "/admin/units?q=a%2Fb")
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/units?q=a%2Fb"
