"""Every role changes its own password with the current one; one rule."""

import pytest
from sqlalchemy import select

from survey.extensions import db
from survey.models import AuditEvent, User
from tests.conftest import csrf_token


def change(client, current, new, repeat=None):
    token = csrf_token(client, "/password")
    return client.post(
        "/password",
        data={
            "current": current,
            "new": new,
            "repeat": new if repeat is None else repeat,
            "csrf_token": token,
        },
    )


@pytest.mark.parametrize("role", ["admin", "designer", "leader"])
def test_every_role_changes_its_password_with_the_current_one(
    app, client, make_unit, make_user, login, role
):
    user = make_user("ana@city.vn", role, make_unit("HCM", kind="city"))
    login("ana@city.vn")
    other = app.test_client()
    token = csrf_token(other, "/login")
    other.post(
        "/login",
        data={
            "email": "ana@city.vn",
            "password": "a-long-password",
            "csrf_token": token,
        },
    )
    assert change(client, "wrong-password", "a-new-long-password").status_code == 422
    assert change(client, "a-long-password", "short").status_code == 422
    assert (
        change(client, "a-long-password", "a-new-long-password", "x").status_code == 422
    )
    db.session.refresh(user)
    assert user.check_password("a-long-password")
    response = change(client, "a-long-password", "a-new-long-password")
    assert response.status_code == 302
    db.session.refresh(user)
    assert user.check_password("a-new-long-password")
    home = "/results/" if role == "leader" else "/admin/"
    assert client.get(home).status_code == 200  # this session goes on
    assert other.get(home).status_code == 302  # the other one ended
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert "change_password" in actions


def test_an_admin_cannot_set_its_own_password_without_the_current_one(
    client, make_unit, make_user, login
):
    user = make_user("ana@city.vn", "admin", make_unit("HCM", kind="city"))
    login("ana@city.vn")
    url = f"/admin/users/{user.id}"
    token = csrf_token(client, url)
    response = client.post(
        url,
        data={
            "csrf_token": token,
            "name": "",
            "role": "admin",
            "unit_code": "HCM",
            "active": "y",
            "password": "chosen-without-the-old-one",
        },
    )
    assert response.status_code == 422
    db.session.refresh(user)
    assert user.check_password("a-long-password")


def test_the_cli_asks_the_same_12_characters_as_the_web(runner, make_unit):
    make_unit("HCM", kind="city")
    args = ["create-user", "ana@city.vn", "--role", "admin", "--unit", "HCM"]
    short = runner.invoke(args=args, input="ten-chars!\n")
    assert short.exit_code != 0 and "12" in short.output
    assert db.session.scalar(select(User.id)) is None
    ok = runner.invoke(args=args, input="twelve-chars\n")
    assert ok.exit_code == 0, ok.output


def test_logged_out_visitors_are_sent_to_the_login(client):
    response = client.get("/password")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
