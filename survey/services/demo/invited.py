"""The invited channel of the demo: cases, one drawn wave, its answers, the
quality checks."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select, update

from survey.extensions import db
from survey.models import Response, ServiceCase, Survey, Unit, User, Wave
from survey.models._time import utcnow
from survey.services.demo.answers import Rows, _fake_response, _plan_items
from survey.services.demo.units import DEMO_POPULATION, Population, _service_points
from survey.services.demo.writer import _BulkWriter

# --- the invited channel: cases, one drawn wave, its answers, the checks -------

DEMO_WAVE_PER_UNIT = 10
DEMO_WAVE_SEED = 2025
# Procedure groups a unit of each kind handles, the first the most often.
PROCEDURE_GROUPS = {
    "department": ("business_registration", "permits", "civil_status"),
    "branch": ("land", "land", "construction"),
}
WARD_GROUPS = ("civil_status", "certification", "land", "social_protection")
OUTCOME_WEIGHTS = (("approved", 85), ("rejected", 7), ("returned", 5), ("withdrawn", 3))


@dataclass(frozen=True)
class TrustSummary:
    cases: int
    invitations: int
    answered: int
    reviews: list[str]


def _case_values(
    rng: random.Random, unit: Unit, returned: date, level: float
) -> dict[str, Any]:
    """A plausible case of ``unit`` returned on ``returned``."""
    groups = PROCEDURE_GROUPS.get(unit.kind, WARD_GROUPS)
    outcomes, weights = zip(*OUTCOME_WEIGHTS, strict=True)
    took = rng.randint(2, 20)
    # Worse units are late more often.
    late = rng.random() < 0.35 * (1 - level)
    promised = took - rng.randint(1, 4) if late else took + rng.randint(0, 5)
    received = returned - timedelta(days=took)
    return {
        "procedure_group": rng.choice(groups),
        "applicant_type": "business" if rng.random() < 0.15 else "citizen",
        "submission_channel": rng.choices(("counter", "online", "postal"), (60, 35, 5))[
            0
        ],
        "outcome": rng.choices(outcomes, weights)[0],
        "received_on": received,
        "due_on": received + timedelta(days=max(1, promised)),
        "returned_on": returned,
        "supplement_requests": rng.choices((0, 1, 2), (80, 15, 5))[0],
    }


def add_demo_cases(
    service_points: list[Unit],
    responses: int,
    rng: random.Random,
    today: date,
    population: Population | None = None,
) -> int:
    """A year of completed cases per unit, about twice its demo responses.

    Cases older than four weeks are bulk-inserted without a contact (their
    numbers were erased when their waves closed); the last weeks' cases come
    in through the import service with a phone number, ready to be drawn.
    """
    from survey.services.fieldwork.cases import case_reference_hash, import_cases

    population = population or DEMO_POPULATION
    weights = population.weights(service_points)
    total_weight = sum(weights)
    history: list[dict[str, Any]] = []
    recent: list[dict[str, object]] = []
    now = utcnow()
    phone = 0
    for unit, weight in zip(service_points, weights, strict=True):
        yearly = max(40, math.ceil(2 * responses * weight / total_weight))
        fresh = max(20, math.ceil(yearly / 12))
        level = population.level(unit.code)
        for i in range(yearly):
            returned = today - timedelta(days=rng.randint(27, 364))
            history.append(
                {
                    **_case_values(rng, unit, returned, level),
                    "reference_hash": case_reference_hash(f"DEMO-{unit.code}-H{i}"),
                    "unit_id": unit.id,
                    "source": "csv",
                    "imported_at": now,
                }
            )
        for i in range(fresh):
            returned = today - timedelta(days=rng.randint(7, 26))
            values = _case_values(rng, unit, returned, level)
            phone += 1
            recent.append(
                {
                    **{k: str(v) for k, v in values.items()},
                    "reference": f"DEMO-{unit.code}-R{i}",
                    "unit_code": unit.code,
                    # Obviously made up: 0900 and a running number.
                    "phone": f"0900{phone:06d}",
                }
            )
    for start in range(0, len(history), 2000):
        db.session.execute(insert(ServiceCase), history[start : start + 2000])
    report = import_cases(recent, all_or_nothing=True, today=today)
    if not report.ok:
        raise ValueError(f"demo cases rejected: {report.rejected[:3]}")
    return len(history) + report.added


def answer_invitations(
    survey: Survey,
    wave: Wave,
    rng: random.Random,
    now: datetime,
    interviewer: User | None = None,
    share: float = 0.45,
    population: Population | None = None,
) -> int:
    """Synthetic answers to ``share`` of the wave's invitations, linked to them.

    Most come through the link (channel "invited"); with an ``interviewer``,
    one in four is a phone interview entered by them. Others were only opened.
    """
    population = population or DEMO_POPULATION
    version = survey.published_version
    assert version is not None and wave.drawn_at is not None
    questions, fields = _plan_items(version)
    rows: Rows = ([], [], [], [])
    links: list[dict[str, Any]] = []
    response_id = (db.session.scalar(select(func.max(Response.id))) or 0) + 1
    window = (now - wave.drawn_at).total_seconds()
    for invitation in sorted(wave.invitations, key=lambda i: i.id):
        luck = rng.random()
        opened = wave.drawn_at + timedelta(seconds=rng.random() * window * 0.8)
        if luck >= share:
            if luck < share + 0.15:
                invitation.mark_opened(opened)
            continue
        phone = interviewer is not None and rng.random() < 0.25
        submitted = opened + timedelta(minutes=rng.randint(3, 90))
        unit = invitation.unit
        _fake_response(
            rng,
            response_id,
            survey.id,
            version.id,
            (unit.id, unit.code, population.level(unit.code)),
            questions,
            fields,
            now,
            *rows,
            channel="phone" if phone else "invited",
            submitted_at=min(submitted, now),
        )
        links.append(
            {
                "id": response_id,
                "invitation_id": invitation.id,
                "interviewer_id": interviewer.id if phone and interviewer else None,
            }
        )
        if not phone:
            invitation.mark_opened(opened)
        invitation.mark_answered(min(submitted, now))
        response_id += 1
    writer = _BulkWriter()
    writer.write(*rows)
    writer.finish()
    if links:
        db.session.execute(update(Response), links)
    db.session.flush()
    return len(links)


def seed_trust_demo(
    survey: Survey,
    responses: int,
    seed: int = 2025,
    interviewer: User | None = None,
    now: datetime | None = None,
    population: Population | None = None,
) -> TrustSummary:
    """Cases, one drawn wave with answered invitations, then the quality checks.

    The wave was drawn five days ago over the four weeks before; about half
    its invitations are answered. The recomputed quality puts the manipulated
    ward under review, as ``recompute-quality`` would.
    """
    from survey.services.fieldwork.waves import create_wave, draw_wave
    from survey.services.integrity.period import Period
    from survey.services.integrity.quality import recompute_quality

    now = now or utcnow()
    today = now.date()
    rng = random.Random(seed + 1)
    service_points = _service_points(survey)
    cases = add_demo_cases(service_points, responses, rng, today, population)
    drawn = now - timedelta(days=5)
    wave = create_wave(
        survey,
        service_points,
        drawn.date() - timedelta(days=28),
        drawn.date() - timedelta(days=1),
        DEMO_WAVE_PER_UNIT,
        seed=DEMO_WAVE_SEED,
        stratify=True,
        oversample_factor=2.0,
        name="Demo: invitations by SMS",
    )
    draw_wave(wave, now=drawn)
    answered = answer_invitations(
        survey, wave, rng, now, interviewer, population=population
    )
    from survey.services.demo.outbox import simulate_outreach

    simulate_outreach(wave, random.Random(seed + 2), drawn)
    if interviewer is not None:
        from survey.services.demo.fieldwork import share_demo_interviews

        share_demo_interviews(wave, interviewer, random.Random(seed + 3))
    report = recompute_quality(survey, Period(today - timedelta(days=364), today))
    return TrustSummary(cases, len(wave.invitations), answered, report.reviews_opened)
