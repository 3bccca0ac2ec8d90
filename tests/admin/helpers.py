"""Posting admin forms the way a browser does."""

from __future__ import annotations

from flask.testing import FlaskClient

from tests.conftest import csrf_token


def post(client: FlaskClient, url: str, data: dict | None = None, **kwargs):
    """POST with the session's CSRF token, as the page's form would."""
    token = csrf_token(client, "/admin/units")
    return client.post(url, data={"csrf_token": token, **(data or {})}, **kwargs)


def switch_user(client: FlaskClient, login, email: str) -> None:
    """Log the current user out, then log ``email`` in."""
    post(client, "/logout")
    login(email)
