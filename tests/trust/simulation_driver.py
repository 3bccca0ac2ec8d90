"""Posting simulated responses through the real service, on a simulated clock.

``post`` hands each response to ``survey.services.answering.responses.record_response``
(the code a citizen's submission runs), with the service's clock set to the
response's moment, so hard flags, device checks and timestamps come out as
they would for a real post.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

import survey.services.answering.responses as responses_service
from survey.domain.answers import CleanAnswer
from survey.domain.simulation import SimulatedResponse
from survey.extensions import db
from survey.models import Question, Survey, Unit
from survey.public.devices import device_key
from survey.services.answering.responses import Submission, record_response

DAY0 = datetime(2025, 1, 6)  # simulation day 0, a Monday (EPOCH_DAY)


def questions_of(survey: Survey) -> list[Question]:
    version = survey.published_version
    assert version is not None
    return list(
        db.session.scalars(select(Question).where(Question.version_id == version.id))
    )


def post(
    monkeypatch: pytest.MonkeyPatch,
    survey: Survey,
    unit: Unit,
    simulated: Iterable[SimulatedResponse],
    day0: datetime = DAY0,
) -> int:
    """Record every response at ``day0`` + its ``at``; how many were stored."""
    version = survey.published_version
    assert version is not None
    questions = questions_of(survey)
    by_code = {q.code: q for q in questions}
    clock = [day0]
    monkeypatch.setattr(responses_service, "utcnow", lambda: clock[0])
    stored = 0
    for r in sorted(simulated, key=lambda r: r.at):
        now = day0 + timedelta(seconds=r.at)
        clock[0] = now
        answers = {
            by_code[code].id: CleanAnswer(
                by_code[code].id, option_codes=(str(value),), value_int=value
            )
            for code, value in r.answers
        }
        submission = Submission(
            token=secrets.token_hex(16),
            started_at=now - timedelta(seconds=r.duration),
            channel=r.channel,
            language="vi",
            device_hash=device_key("simulation", DAY0.date(), r.device, ""),
            honeypot_filled=False,
        )
        stored += record_response(version, unit, questions, answers, submission)
    monkeypatch.undo()
    db.session.commit()
    return stored
