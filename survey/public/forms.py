"""The citizen's form: CSRF, a honeypot, and a signed ticket.

The questions themselves are rendered from the version's rows by the template
macros and checked by ``survey.domain.answers``: one checker for every question
type, shared with the tests, instead of a WTForms field class per type.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import current_app
from flask_wtf import FlaskForm
from itsdangerous import BadSignature, URLSafeSerializer
from werkzeug.datastructures import MultiDict
from wtforms import HiddenField, StringField

from survey.models import Question


class AnswerForm(FlaskForm):
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


def issue_ticket(channel: str, version_id: int) -> str:
    """A signed idempotency token, start time, channel and version for the form."""
    data = {
        "t": secrets.token_hex(16),
        "s": int(time.time()),
        "c": channel,
        "v": version_id,
    }
    return _serializer().dumps(data)


def read_ticket(value: str) -> Ticket | None:
    """The ticket's contents, or None when it was tampered with."""
    try:
        data = _serializer().loads(value)
        started = datetime.fromtimestamp(int(data["s"]), UTC).replace(tzinfo=None)
        return Ticket(str(data["t"]), started, str(data["c"]), int(data["v"]))
    except (BadSignature, KeyError, TypeError, ValueError, OverflowError, OSError):
        return None


def raw_answers(
    form: MultiDict[str, str], questions: list[Question]
) -> tuple[dict[int, list[str]], dict[int, str]]:
    """The submitted strings per question id, and the "other, please specify" texts."""
    raw = {q.id: form.getlist(f"q_{q.id}") for q in questions}
    other = {q.id: form.get(f"q_{q.id}_other", "") for q in questions}
    return raw, other
