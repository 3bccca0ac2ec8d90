"""The simulation harness through the real services (issue 25), at small size.

Simulated units are posted response by response through
``record_response`` on a simulated clock; ``recompute_quality``'s SQL
counts must then be exactly what the harness counts from the same
responses, and give the same evidence and levels. So the power the
command measures at full size (pure, fast) is the power of the service.
"""

from __future__ import annotations

import math
import random
from datetime import timedelta

import pytest
from sqlalchemy import select

from survey.domain.quality_evidence import city_evidence, unit_level
from survey.domain.simulation import (
    CURRENT_DAYS,
    HISTORY_DAYS,
    Plan,
    simulate_unit,
    sipas_items,
)
from survey.domain.simulation_counts import evidence_of
from survey.extensions import db
from survey.models import Unit
from survey.services.demo import seed_demo
from survey.services.integrity.evidence import unit_evidence
from survey.services.integrity.period import Period
from survey.services.integrity.quality import recompute_quality
from tests.trust.simulation_driver import DAY0, post

PLANS = {
    "P-SAI-GON": Plan("honest", 30, 0.3),
    "P-TAN-DINH": Plan("careful", 30, 0.3, "careful", 0.5, "week"),
    "P-BAN-CO": Plan("crude", 30, 0.3, "crude", 0.2, "minutes"),
    "P-XUAN-HOA": Plan("coached", 30, 0.3, "coaching", 0.8, "month"),
}
LAST_DAY = DAY0 + timedelta(days=HISTORY_DAYS + CURRENT_DAYS - 1)
PERIOD = Period(DAY0.date(), LAST_DAY.date())


@pytest.fixture
def posted(app, monkeypatch):
    survey = seed_demo(0).survey
    db.session.commit()
    rng = random.Random(25)
    items = sipas_items()
    units = {u.code: u for u in db.session.scalars(select(Unit))}
    simulated = {}
    for code, plan in PLANS.items():
        unit = simulate_unit(rng, plan, items)
        stored = post(monkeypatch, survey, units[code], unit.responses)
        assert stored == len(unit.responses)
        simulated[units[code].id] = evidence_of(unit.responses, items)
    return survey, simulated


def test_the_services_counts_are_the_harness_counts(posted):
    survey, simulated = posted
    counted = unit_evidence(survey, PERIOD.start, PERIOD.end)
    assert set(counted) == set(simulated)
    for unit_id, expected in simulated.items():
        got = counted[unit_id]
        for part in ("history", "current"):
            a, b = vars(getattr(got, part)), vars(getattr(expected, part))
            assert {k: a[k] for k in ("n", "favourable", "coached")} == {
                k: b[k] for k in ("n", "favourable", "coached")
            }
            assert math.isclose(a["score_sum"], b["score_sum"], rel_tol=1e-9)
            assert math.isclose(a["score_squares"], b["score_squares"], rel_tol=1e-9)
        for name in (
            "history_days",
            "history_first_day",
            "history_slots",
            "history_day_counts",
            "current_hours",
            "current_windows",
            "hard_flagged",
            "history_hard_flagged",
            "submitted",
            "history_submitted",
            "repeats",
            "history_repeats",
        ):
            assert getattr(got, name) == getattr(expected, name), name
        for name in (
            "history_durations",
            "history_favourable_durations",
            "favourable_durations",
        ):
            assert sorted(getattr(got, name)) == sorted(getattr(expected, name)), name


def test_recompute_quality_gives_the_harness_levels(posted):
    survey, simulated = posted
    report = recompute_quality(survey, PERIOD)
    db.session.commit()
    expected = {unit: unit_level(f) for unit, f in city_evidence(simulated).items()}
    codes = {u.id: u.code for u in db.session.scalars(select(Unit))}
    got = {
        code: unit_level(found)
        for code, found in report.indicators.items()
        if code in PLANS
    }
    assert got == {codes[unit]: level for unit, level in expected.items()}
    assert got["P-SAI-GON"] == "green"
    assert got["P-BAN-CO"] == "red"  # 6 forms in 18 s, all impossibly fast
    assert got["P-XUAN-HOA"] == "red"  # the officer standing by
    assert sorted(report.reviews_opened) == sorted(
        code for code, level in got.items() if level == "red"
    )
