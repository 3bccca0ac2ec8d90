"""The outside audit's four scenarios of issue 25, on demo-like data.

A year of demo responses; then 40 extra responses are posted through
``record_response`` (the citizen's code path) in an honest ward, Phường Sài
Gòn, within the last four weeks, and ``recompute_quality`` runs over the
year as the command does. The careful, subtle and honest posts arrive as
the ward's citizens do (on days of those weeks, at the times of day of the
ward's own submissions), so that what decides is what the answers say, not
when they came.
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import select

from survey.domain.quality_evidence import unit_level
from survey.domain.questions import CHECK, OVERALL
from survey.domain.simulation import SimulatedResponse
from survey.extensions import db
from survey.models import Answer, Question, Response, Survey, Unit
from survey.models._time import utcnow
from survey.services.demo import generate_responses, seed_demo
from survey.services.integrity.period import Period
from survey.services.integrity.quality import recompute_quality
from tests.trust.simulation_driver import post, questions_of

WARD = "P-SAI-GON"
EXTRA = 40


@pytest.fixture
def demo(app) -> Survey:
    survey = seed_demo(0).survey
    generate_responses(survey, 8000, seed=2025)
    db.session.commit()
    return survey


def likert_codes(survey: Survey) -> dict[str, str]:
    """The unconditional Likert items of the form: code -> dimension."""
    return {
        q.code: q.dimension or ""
        for q in questions_of(survey)
        if q.type == "likert5" and q.condition_question_id is None
    }


def own_answers(survey: Survey, unit: Unit, rng: random.Random) -> list[dict]:
    """The Likert answers of 40 of the ward's own stored responses."""
    ids = list(
        db.session.scalars(
            select(Response.id)
            .where(Response.unit_id == unit.id, Response.hard_flagged.is_(False))
            .order_by(Response.id)
        )
    )
    chosen = rng.sample(ids, EXTRA)
    items = likert_codes(survey)
    rows = db.session.execute(
        select(Answer.response_id, Question.code, Answer.value_int)
        .join(Question, Question.id == Answer.question_id)
        .where(Answer.response_id.in_(chosen), Question.code.in_(list(items)))
    )
    answers: dict[int, dict[str, int]] = {rid: {} for rid in chosen}
    for rid, code, value in rows:
        answers[rid][code] = value
    return [answers[rid] for rid in chosen]


def own_moments(rng: random.Random, unit: Unit, start: datetime) -> list[int]:
    """40 moments in those weeks at the ward's own times of day, as seconds.

    The times of day are those of 40 of the ward's stored submissions, so
    the posts arrive as the ward's citizens do.
    """
    stored = list(
        db.session.scalars(
            select(Response.submitted_at)
            .where(Response.unit_id == unit.id)
            .order_by(Response.id)
        )
    )
    moments = []
    for at in rng.sample(stored, EXTRA):
        day = start + timedelta(days=rng.randrange(25))
        moment = datetime.combine(day.date(), at.time())
        moments.append(int((moment - start).total_seconds()))
    return sorted(moments)


def scenario(name: str, survey: Survey, unit: Unit) -> list[SimulatedResponse]:
    rng = random.Random(f"audit-{name}")
    items = likert_codes(survey)
    start = datetime.combine(utcnow().date() - timedelta(days=25), time())
    if name == "crude":
        first = 3 * 3600 + 600
        return [
            SimulatedResponse(
                first + i * 3 // EXTRA,
                2,
                "qr",
                "one-phone",
                tuple((code, 5) for code in items),
            )
            for i in range(EXTRA)
        ]
    moments = own_moments(rng, unit, start)
    if name == "careful":
        return [
            SimulatedResponse(
                at,
                rng.randint(90, 180),
                "qr",
                f"phone-{i % 8}",
                tuple(
                    (
                        code,
                        rng.choice((1, 2))
                        if dimension == CHECK
                        else 5
                        if dimension == OVERALL or rng.random() < 0.8
                        else 4,
                    )
                    for code, dimension in items.items()
                ),
            )
            for i, at in enumerate(moments)
        ]
    shift = 0.5 if name == "subtle" else 0.0
    out = []
    for i, (at, answers) in enumerate(
        zip(moments, own_answers(survey, unit, rng), strict=True)
    ):
        moved = []
        for code, value in answers.items():
            if value != 9 and rng.random() < shift:
                value = max(1, value - 1) if items[code] == CHECK else min(5, value + 1)
            moved.append((code, value))
        duration = round(rng.lognormvariate(5.6, 0.35))
        out.append(SimulatedResponse(at, duration, "qr", f"citizen-{i}", tuple(moved)))
    return out


def run(monkeypatch, survey: Survey, name: str) -> dict[str, str]:
    unit = db.session.scalar(select(Unit).where(Unit.code == WARD))
    start = datetime.combine(utcnow().date() - timedelta(days=25), time())
    posted = post(monkeypatch, survey, unit, scenario(name, survey, unit), start)
    assert posted == EXTRA
    today = utcnow().date()
    report = recompute_quality(survey, Period(today - timedelta(days=364), today))
    db.session.commit()
    found = report.indicators[WARD]
    levels: dict = {i.code: i.level for i in found}
    levels["unit"] = unit_level(found)
    levels["reviewed"] = "yes" if WARD in report.reviews_opened else "no"
    levels["found"] = {i.code: i for i in found}
    return levels


def test_crude_stuffing_is_red_on_impossible_speed_and_arrival(demo, monkeypatch):
    levels = run(monkeypatch, demo, "crude")
    assert levels["hard_flags"] == "red" and levels["arrival_surge"] == "red"
    assert levels["unit"] == "red" and levels["reviewed"] == "yes"


def test_careful_stuffing_is_red_on_what_the_answers_say(demo, monkeypatch):
    levels = run(monkeypatch, demo, "careful")
    assert levels["arrival_surge"] == "green" and levels["hard_flags"] == "green"
    assert levels["favourable_pattern"] == "red"
    assert levels["unit"] == "red" and levels["reviewed"] == "yes"


def test_a_subtle_shift_is_amber_as_the_harness_measures(demo, monkeypatch):
    """40 of the ward's own forms, each item one point up with probability 0.5.

    Measured: the mean score of the ward's opt-in forms of the four weeks
    moves from 4.13 to 4.32 (z = +3.2, chance 0.0008 alone; 0.004 over the
    five pieces of evidence): amber, not red. Here the 40 forms are 60 % of
    the ward's opt-in forms of those weeks; the harness measures how
    rarely a shift is seen when it is a smaller share
    (docs/methodology-integrity.md).
    """
    levels = run(monkeypatch, demo, "subtle")
    shift = levels["found"]["score_shift"]
    assert levels["arrival_surge"] == "green"
    assert levels["score_shift"] == "amber" and shift.value > 0.1
    assert levels["unit"] == "amber" and levels["reviewed"] == "no"


def test_the_honest_control_stays_green(demo, monkeypatch):
    levels = run(monkeypatch, demo, "honest")
    assert levels["unit"] == "green" and levels["reviewed"] == "no"
    assert all(i.level != "red" for i in levels["found"].values()), levels
