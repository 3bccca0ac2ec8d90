"""The citizen's form: CSRF, a honeypot, and a signed ticket.

The questions themselves are rendered from the version's rows by the template
macros and checked by ``survey.domain.answers``: one checker for every question
type, shared with the tests, instead of a WTForms field class per type.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import current_app, session
from flask_wtf import FlaskForm
from itsdangerous import BadSignature, URLSafeSerializer
from werkzeug.datastructures import MultiDict
from wtforms import HiddenField, StringField

from survey.public.pages import FormQuestion


class AnswerForm(FlaskForm):  # type: ignore[misc]  # Flask-WTF has no types
    # Invisible to people (hidden by CSS, out of the tab order); bots fill it in.
    website = StringField()
    ticket = HiddenField()
    page = HiddenField(default="0")

    @property
    def action(self) -> str:
        """Which button was pressed: "next", "back" or "submit"."""
        from flask import request

        return request.form.get("action", "submit")


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="answer-ticket")


@dataclass(frozen=True)
class Ticket:
    token: str  # the idempotency token: one response per ticket
    started_at: datetime  # naive UTC, from the server's clock
    channel: str
    version_id: int  # the version the citizen saw: answers are kept against it


# A ticket older than this is refused (as the CSRF token is): tickets cannot
# be collected in bulk and aged past the speeder threshold.
TICKET_MAX_SECONDS = 6 * 3600
_SESSION_KEY = "ticket_key"


def _session_key() -> str:
    """A random key of the browser session that tickets are bound to."""
    key = session.get(_SESSION_KEY)
    if not isinstance(key, str):
        key = session[_SESSION_KEY] = secrets.token_hex(8)
    return key


def issue_ticket(channel: str, version_id: int) -> str:
    """A signed idempotency token, start time, channel and version for the form,
    bound to the browser session that asked for it."""
    data = {
        "t": secrets.token_hex(16),
        "s": int(time.time()),
        "c": channel,
        "v": version_id,
        "o": _session_key(),
    }
    return _serializer().dumps(data)


def read_ticket(value: str) -> Ticket | None:
    """The ticket's contents, or None when it was tampered with, is older than
    TICKET_MAX_SECONDS, or was issued to another session."""
    try:
        data = _serializer().loads(value)
        age = time.time() - int(data["s"])
        if not -60 <= age <= TICKET_MAX_SECONDS:
            return None
        if data.get("o") != session.get(_SESSION_KEY):
            return None
        started = datetime.fromtimestamp(int(data["s"]), UTC).replace(tzinfo=None)
        return Ticket(str(data["t"]), started, str(data["c"]), int(data["v"]))
    except (BadSignature, KeyError, TypeError, ValueError, OverflowError, OSError):
        return None


def raw_answers(
    form: MultiDict[str, str], questions: Sequence[FormQuestion]
) -> tuple[dict[int, list[str]], dict[int, str]]:
    """The submitted strings per question id, and the "other, please specify" texts."""
    raw = {q.id: form.getlist(f"q_{q.id}") for q in questions}
    other = {q.id: form.get(f"q_{q.id}_other", "") for q in questions}
    return raw, other
