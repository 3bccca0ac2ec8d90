"""Reading the citizen's form the way a browser would."""

from __future__ import annotations

import re

from flask.testing import FlaskClient
from sqlalchemy import select

from survey.extensions import db
from survey.models import Question


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
