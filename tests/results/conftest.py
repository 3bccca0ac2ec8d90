"""Fixtures of the results tests: the seeded demo city and hand-made responses."""

from __future__ import annotations

import itertools
import secrets

import pytest
from sqlalchemy import select

from survey.extensions import db
from survey.models import Answer, Question, Response, Survey, Unit
from survey.services.demo import DEMO_SLUG, seed_demo

_ids = itertools.count(1)


def unit(code: str) -> Unit:
    found = db.session.scalar(select(Unit).where(Unit.code == code))
    assert found is not None, code
    return found


@pytest.fixture
def demo(app) -> Survey:
    """The demo city with 300 responses (the same seed every time)."""
    seed_demo(300)
    db.session.commit()
    return db.session.scalar(select(Survey).where(Survey.slug == DEMO_SLUG))


@pytest.fixture
def add_responses(app):
    """Add ``count`` responses at a unit answering the overall item with ``code``."""

    def add(
        survey: Survey,
        at: Unit,
        count: int,
        code: int = 5,
        comment: str | None = None,
        **fields,
    ) -> None:
        version = survey.published_version
        questions = {
            q.code: q
            for q in db.session.scalars(
                select(Question).where(Question.version_id == version.id)
            )
        }
        sat = questions["SAT"]
        option = {o.code: o.id for o in sat.options}[str(code)]
        for _ in range(count):
            answers = [Answer(question_id=sat.id, option_id=option, value_int=code)]
            if comment is not None:
                answers.append(
                    Answer(question_id=questions["NOTE"].id, value_text=comment)
                )
            db.session.add(
                Response(
                    survey_id=survey.id,
                    version_id=version.id,
                    unit_id=at.id,
                    channel=fields.get("channel", "qr"),
                    respondent_group=fields.get("respondent_group", "citizen"),
                    hard_flagged=fields.get("hard_flagged", False),
                    **{k: fields[k] for k in ("submitted_at",) if k in fields},
                    token=secrets.token_hex(16) + str(next(_ids)),
                    answers=answers,
                )
            )
        db.session.commit()

    return add
