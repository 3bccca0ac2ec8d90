"""Reading the citizen's form the way a browser would."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from html.parser import HTMLParser

import psycopg
import pytest
from flask import current_app
from flask.testing import FlaskClient
from sqlalchemy import event, select
from sqlalchemy.exc import OperationalError

from survey.extensions import db
from survey.models import Question
from survey.services.answering.surveys import KEPT


def form_fields(html: str) -> dict[str, str]:
    """The hidden fields a browser would send back: CSRF token, ticket, page."""
    fields = {}
    for name in ("csrf_token", "ticket", "page"):
        match = re.search(rf'name="{name}"[^>]*value="([^"]*)"', html) or re.search(
            rf'value="([^"]*)"[^>]*name="{name}"', html
        )
        assert match, f"no {name} field in the form"
        fields[name] = match.group(1)
    return fields


def open_form(client: FlaskClient, url: str) -> dict[str, str]:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return form_fields(response.get_data(as_text=True))


def qid(code: str) -> str:
    """The form field name of the question with this code."""
    question_id = db.session.scalar(select(Question.id).where(Question.code == code))
    return f"q_{question_id}"


def good_answers() -> dict[str, object]:
    """Valid answers to every question of the test survey (tests/conftest.py)."""
    return {
        qid("SAT"): "4",
        qid("LATE"): "yes",
        qid("WHY"): "Thiếu giấy tờ",
        qid("IMPROVE"): ["fast", "other"],
        qid("IMPROVE") + "_other": "Mở thêm quầy",
        qid("NPS"): "9",
        qid("STARS"): "4",
        qid("VISITS"): "3",
        qid("WHEN"): "2026-10-01",
        qid("NOTE"): "Cảm ơn",
    }


class SendAgainForm(HTMLParser):
    """The "Send again" form of a page: its action and hidden fields, as sent."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.action: str | None = None
        self.fields: list[tuple[str, str]] = []
        self.forms = 0
        self._inside = False
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "form" and "send-again" in (values.get("class") or ""):
            self.forms += 1
            self._inside = True
            self.action = values.get("action")
            assert (values.get("method") or "").lower() == "post"
        elif tag == "input" and self._inside:
            assert values.get("type") == "hidden"
            self.fields.append((values["name"] or "", values.get("value") or ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._inside = False


def flat(data: dict[str, object]) -> list[tuple[str, str]]:
    """A form's fields as (name, value) pairs, one per value, as a browser posts."""
    pairs = []
    for name, value in data.items():
        for one in value if isinstance(value, list) else [value]:
            pairs.append((name, str(one)))
    return sorted(pairs)


def driver_error(message: str) -> Exception:
    """The driver's own error, which SQLAlchemy wraps as it does in an outage."""
    if db.engine.dialect.name == "postgresql":
        return psycopg.OperationalError(message)
    return sqlite3.OperationalError(message)


@contextmanager
def outage(kind: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The database fails while the block runs, in one of three ways.

    ``down``: every statement fails (the server is gone before the request);
    ``insert``: the response's insert fails (it went during the request);
    ``lost``: the commit reaches the database, then the connection drops, so
    the citizen is told "try again" although the response was stored.
    The worker has kept no survey or unit (as after a restart), so that
    ``down`` fails a page that reads nothing else.
    """
    current_app.extensions.pop(KEPT, None)
    if kind == "lost":
        commit = db.session.commit

        def commit_then_drop() -> None:
            commit()
            raise OperationalError(
                "COMMIT", {}, driver_error("server closed the connection")
            )

        with monkeypatch.context() as patch:
            patch.setattr(db.session, "commit", commit_then_drop)
            yield
        return

    def fail(_conn, _cursor, statement, _params, _context, _many):
        if kind == "down" or statement.lstrip().upper().startswith("INSERT"):
            raise driver_error("could not connect to server: Connection refused")

    event.listen(db.engine, "before_cursor_execute", fail)
    try:
        yield
    finally:
        event.remove(db.engine, "before_cursor_execute", fail)
