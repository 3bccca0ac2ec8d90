"""The real city as the demo: Ho Chi Minh City's 168 units and their 442 predecessors.

``seed_real_city`` builds the small demo's units (the city, its departments
and the fourteen wards whose levels the small demo knows), then Vietnam's
reform of 1 July 2025 from the ``vietnamadminunits`` data: the other new
wards, communes and the special zone, and the former provinces, districts,
wards and communes under the city, linked to their successors. Two years of
synthetic responses follow: before the reform under the former units, from
it on under the new ones, with volumes that differ as much as a large ward
and an island commune do.
"""

from __future__ import annotations

import hashlib
import math
import random
from collections.abc import Callable
from datetime import datetime, timedelta

from flask_babel import force_locale
from sqlalchemy import select

from survey.domain.banks import sipas_bank
from survey.extensions import db
from survey.models import ReformLink, Unit
from survey.models._time import utcnow
from survey.services import demo
from survey.services.city.reform_data import EFFECTIVE_2025, import_vn2025
from survey.services.design.definitions import create_survey

PROVINCE = "thanhphohochiminh"
YEARS = 2
DEFAULT_RESPONSES = 40_000
# The reform took effect at local midnight: 17:00 UTC the day before.
CUTOVER = datetime.combine(EFFECTIVE_2025, datetime.min.time()) - timedelta(hours=7)


def _fraction(code: str, salt: str) -> float:
    """A stable number in [0, 1) for a unit code: the same city every seed."""
    digest = hashlib.sha256(f"{salt}:{code}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def real_city_level(code: str) -> float:
    """How satisfied a unit's citizens are: the small demo's, or 0.50-0.86."""
    if code in demo.DEMO_LEVELS:
        return demo.DEMO_LEVELS[code]
    return round(0.50 + 0.36 * _fraction(code, "level"), 3)


def real_city_weights(units: list[Unit]) -> list[float]:
    """Volumes from a log-normal spread: a large ward serves ~30 times an island.

    The centre is busier: the small demo's wards and the former wards of
    District 1 (Phường Sài Gòn's predecessors among them) serve six times
    their draw, so that their histories have figures to show.
    """
    weights = []
    for unit in units:
        u = min(max(_fraction(unit.code, "volume"), 1e-6), 1 - 1e-6)
        z = math.sqrt(2) * _inverse_erf(2 * u - 1)
        weight = math.exp(0.9 * z) * (3 if unit.kind == "department" else 1)
        central = unit.code in demo.DEMO_LEVELS or (
            unit.parent is not None and unit.parent.name_vi == "Quận 1"
        )
        weights.append(weight * (6 if central else 1))
    return weights


def _inverse_erf(y: float) -> float:
    """Winitzki's approximation: enough to spread volumes, no SciPy needed."""
    a = 0.147
    ln = math.log(1 - y * y)
    first = 2 / (math.pi * a) + ln / 2
    return math.copysign(math.sqrt(math.sqrt(first**2 - ln / a) - first), y)


REAL_CITY = demo.Population(level=real_city_level, weights=real_city_weights)


def seed_real_city(
    responses: int = DEFAULT_RESPONSES,
    seed: int = 2025,
    progress: Callable[[int], None] | None = None,
    now: datetime | None = None,
) -> demo.DemoSummary:
    """The city, the reform, the SIPAS survey open everywhere, and its answers."""
    now = now or utcnow()
    units = demo.create_units()
    city = units["HCM"]
    with force_locale("en"):  # the report's notes, should there be any
        report = import_vn2025(None, PROVINCE, city)
    if report.reform is None:
        raise ValueError(f"the 2025 reform did not import: {report.rejected[:3]}")
    new_points, former_points = _service_points(city)
    survey = create_survey(demo.DEMO_SLUG, sipas_bank(), city, new_points)
    survey.publish_results = True
    survey.versions[0].publish(now=now - timedelta(days=365 * YEARS + 30))
    survey.open()
    db.session.flush()
    after = max(1.0, (now - CUTOVER).total_seconds() / 86400)
    before = max(1.0, 365.0 * YEARS - after)
    later = round(responses * after / (after + before))
    rng = random.Random(seed)
    demo.generate_responses(
        survey,
        responses - later,
        seed=rng.randrange(2**31),
        progress=progress,
        now=CUTOVER - timedelta(seconds=1),
        population=REAL_CITY,
        service_points=former_points,
        span_days=before,
    )
    demo.generate_responses(
        survey,
        later,
        seed=rng.randrange(2**31),
        progress=progress,
        now=now,
        population=REAL_CITY,
        service_points=new_points,
        span_days=after,
    )
    total = len(new_points) + len(former_points)
    return demo.DemoSummary(total, survey, responses)


def _service_points(city: Unit) -> tuple[list[Unit], list[Unit]]:
    """(units serving people today, former units that served them before)."""
    below = list(
        db.session.scalars(select(Unit).where(Unit.path.startswith(city.path)))
    )
    predecessors = set(db.session.scalars(select(ReformLink.predecessor_id)))
    new = [
        u
        for u in below
        if u.valid_to is None and u.id != city.id and real_city_level(u.code) > 0
    ]
    former = [u for u in below if u.id in predecessors]
    return sorted(new, key=lambda u: u.code), sorted(former, key=lambda u: u.code)
