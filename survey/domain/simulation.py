"""A city of simulated units with known truth, for the integrity evidence (issue 25).

Honest units answer from a latent-satisfaction model: one latent level per
respondent drives every item (the reverse-worded check item reversed), a
few respondents tick one column throughout, N/A now and then; the unit's
level drifts a little from month to month. They arrive as a one-stop
office's citizens do: working days (Saturday mornings too), 7:30-11:30 and
13:30-17:00, busier mid-morning, days that differ (gamma, CV 0.4) and
months that differ (seasonal factor); the invited channel answers at home,
any day 7:00-22:00. Durations are log-normal around 4 minutes.

Manipulations are added to (or, for coaching, applied to) the last four
weeks only, as a share (``strength``) of the unit's honest responses of
those weeks, spread over minutes, a day, a week or the month:

- ``crude``: every item at 5 (the check item too), one device, 2-4 s a form;
- ``careful``: overall 5, the other items 5 or sometimes 4, the check item
  1-2, eight rotating devices, 90-180 s a form, in opening hours;
- ``subtle``: answers drawn from the unit's own honest distribution, each
  item moved one point favourably with probability ``shift``;
- ``coaching``: that share of the honest opt-in respondents answer the
  staff items at 5, the rest as they would;
- ``selective``: the opt-in respondents below the unit's median latent
  level are turned away with probability ``strength`` (only satisfied
  applicants handed the QR code).

Everything is pure and seeded: ``simulate_unit`` returns responses that
``survey.domain.quality_evidence`` can count, and that the test driver
posts through the real services.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from statistics import NormalDist

from survey.domain.banks import sipas_bank
from survey.domain.quality_evidence import (
    CURRENT_DAYS,
    STAFF_DIMENSIONS,
)
from survey.domain.questions import CHECK, LIKERT5, OVERALL

DAY = 86400
HISTORY_DAYS = 6 * 28  # the unit's earlier weeks the evidence reads
# Day 0 is a Monday: 2025-01-06 00:00 UTC, 20094 days after 1970-01-01.
EPOCH_DAY = 20094
FAMILIES = ("crude", "careful", "subtle", "coaching", "selective")
SPREADS = {"minutes": 0, "day": 1, "week": 7, "month": CURRENT_DAYS}
HOUR_WEIGHTS = {7: 0.6, 8: 1.2, 9: 1.4, 10: 1.3, 11: 0.8, 13: 0.7, 14: 1.0}
HOUR_WEIGHTS |= {15: 1.0, 16: 0.8}
WEEKDAY_WEIGHTS = (1.3, 1.1, 1.0, 1.0, 0.9, 0.4, 0.0)  # Monday busiest, Sunday shut
SEASON = (1.0, 0.8, 1.1, 1.0, 0.9, 1.2, 1.0, 0.9)  # month factors, cycled
DAY_CV, INVITED_SHARE = 0.4, 0.3
ONE_COLUMN = 0.06  # tick 5 throughout
CARELESS = 0.5  # of those, also 5 on the check item
NOT_APPLICABLE = 0.03
ITEM_LOADING = 0.6
CUTS = tuple(NormalDist().inv_cdf(p) for p in (0.04, 0.10, 0.30, 0.72))
MONTH_DRIFT = 0.05  # SD of the unit's monthly latent level
CAREFUL_DEVICES = 8
INVITED = frozenset({"invited", "phone"})


@dataclass(frozen=True)
class Item:
    code: str
    kind: str  # "overall", "staff", "other" or "check"


def sipas_items() -> tuple[Item, ...]:
    """The SIPAS bank's unconditional Likert items, by kind."""
    items = []
    for q in sipas_bank().questions():
        if q.type != LIKERT5 or q.condition is not None:
            continue
        if q.dimension == OVERALL:
            kind = "overall"
        elif q.dimension == CHECK:
            kind = "check"
        elif q.dimension in STAFF_DIMENSIONS:
            kind = "staff"
        else:
            kind = "other"
        items.append(Item(q.code, kind))
    return tuple(items)


@dataclass(frozen=True)
class Plan:
    """One unit: its size, its citizens' level, and what (if anything) it does."""

    name: str
    monthly: int  # expected honest responses per four weeks
    level: float = 0.3  # latent mean satisfaction (0: the items' own cuts)
    family: str | None = None
    strength: float = 0.1
    spread: str = "month"
    shift: float = 0.5  # subtle: probability of moving an item up a point
    loading: float = ITEM_LOADING  # how strongly one latent level drives the items
    one_column: float = ONE_COLUMN


@dataclass(frozen=True)
class SimulatedResponse:
    at: int  # seconds since day 0 (a Monday)
    duration: int
    channel: str  # "qr" or "invited"
    device: str
    answers: tuple[tuple[str, int], ...]  # item code, 1-5 or 9 (N/A)
    planted: bool = False


@dataclass
class SimulatedUnit:
    plan: Plan
    responses: list[SimulatedResponse] = field(default_factory=list)


def _answers(
    rng: random.Random, items: Sequence[Item], level: float, plan: Plan
) -> tuple[tuple[str, int], ...]:
    """One honest respondent's answers."""
    if rng.random() < plan.one_column:
        check = 5 if rng.random() < CARELESS else rng.choice((1, 2))
        return tuple((i.code, check if i.kind == "check" else 5) for i in items)
    loading = math.sqrt(plan.loading)
    theta = rng.gauss(level, 1.0)
    noise = math.sqrt(1 - plan.loading)
    out = []
    for item in items:
        latent = loading * theta + noise * rng.gauss(0, 1)
        if item.kind == "check":
            latent = -latent - 0.5  # "I waited too long": mostly disagree
        value = 1 + sum(latent > cut for cut in CUTS)
        out.append((item.code, 9 if rng.random() < NOT_APPLICABLE else value))
    return tuple(out)


def _moment(rng: random.Random, day: int) -> int:
    """A moment of that day in opening hours, busier mid-morning."""
    hours = list(HOUR_WEIGHTS)
    hour = rng.choices(hours, [HOUR_WEIGHTS[h] for h in hours])[0]
    start = 30 if hour == 7 else 0
    return day * DAY + hour * 3600 + rng.randint(start * 60, 3599)


def _open_day(rng: random.Random, first: int, days: int) -> int:
    while True:
        day = first + rng.randrange(days)
        if WEEKDAY_WEIGHTS[day % 7] > 0:
            return day


def _honest(
    rng: random.Random, plan: Plan, items: Sequence[Item], first: int, days: int
) -> list[SimulatedResponse]:
    """The honest responses of ``days`` days from day ``first``."""
    out: list[SimulatedResponse] = []
    for month_start in range(first, first + days, 28):
        season = SEASON[(month_start // 28) % len(SEASON)]
        level = plan.level + rng.gauss(0, MONTH_DRIFT)
        for day in range(month_start, min(first + days, month_start + 28)):
            weight = WEEKDAY_WEIGHTS[day % 7]
            if weight == 0:
                continue
            busy = rng.gammavariate(1 / DAY_CV**2, DAY_CV**2)
            mean = plan.monthly * season * weight * busy / sum(WEEKDAY_WEIGHTS) / 4
            for _ in range(_poisson(rng, mean)):
                out.append(_respondent(rng, plan, items, level, day))
    return out


def _respondent(
    rng: random.Random, plan: Plan, items: Sequence[Item], level: float, day: int
) -> SimulatedResponse:
    invited = rng.random() < INVITED_SHARE
    if invited:
        at = day * DAY + rng.randint(7 * 3600, 22 * 3600)
    else:
        at = _moment(rng, day)
    return SimulatedResponse(
        at=at,
        duration=max(20, round(rng.lognormvariate(math.log(240), 0.45))),
        channel="invited" if invited else "qr",
        device=f"d{rng.getrandbits(40):x}",
        answers=_answers(rng, items, level, plan),
    )


def _poisson(rng: random.Random, mean: float) -> int:
    if mean <= 0:
        return 0
    if mean > 50:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, k, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k


def _planted_times(
    rng: random.Random, count: int, spread: str, first: int
) -> list[int]:
    """When the planted forms arrive within the current four weeks."""
    days = SPREADS[spread]
    if days == 0:
        start = _moment(rng, _open_day(rng, first, CURRENT_DAYS))
        return [start + 3 * i for i in range(count)]
    begin = _open_day(rng, first, CURRENT_DAYS - days + 1)
    return sorted(_moment(rng, _open_day(rng, begin, days)) for _ in range(count))


def _planted(
    rng: random.Random, plan: Plan, items: Sequence[Item], honest: int, first: int
) -> list[SimulatedResponse]:
    count = max(1, round(plan.strength * honest))
    times = _planted_times(rng, count, plan.spread, first)
    out = []
    for i, at in enumerate(times):
        if plan.family == "crude":
            answers = tuple((item.code, 5) for item in items)
            duration, device = rng.randint(2, 4), "crude"
        elif plan.family == "careful":
            answers = tuple(
                (
                    item.code,
                    rng.choice((1, 2))
                    if item.kind == "check"
                    else 5
                    if item.kind == "overall" or rng.random() < 0.8
                    else 4,
                )
                for item in items
            )
            duration = rng.randint(90, 180)
            device = f"careful-{i % CAREFUL_DEVICES}"
        else:  # subtle
            own = _answers(rng, items, plan.level, plan)
            answers = tuple(
                (code, _shifted(rng, value, kind, plan.shift))
                for (code, value), kind in zip(
                    own, (item.kind for item in items), strict=True
                )
            )
            duration = max(20, round(rng.lognormvariate(math.log(240), 0.45)))
            device = f"d{rng.getrandbits(40):x}"
        out.append(SimulatedResponse(at, duration, "qr", device, answers, True))
    return out


def _shifted(rng: random.Random, value: int, kind: str, shift: float) -> int:
    if value == 9 or rng.random() >= shift:
        return value
    return max(1, value - 1) if kind == "check" else min(5, value + 1)


def _coach(
    rng: random.Random, response: SimulatedResponse, items: Sequence[Item]
) -> SimulatedResponse:
    staff = {i.code for i in items if i.kind == "staff"}
    answers = tuple((c, 5 if c in staff else v) for c, v in response.answers)
    return replace(response, answers=answers, planted=True)


def simulate_unit(
    rng: random.Random, plan: Plan, items: Sequence[Item] = ()
) -> SimulatedUnit:
    """History (``HISTORY_DAYS``) then the current four weeks, as planned."""
    items = items or sipas_items()
    history = _honest(rng, plan, items, 0, HISTORY_DAYS)
    current = _honest(rng, plan, items, HISTORY_DAYS, CURRENT_DAYS)
    family = plan.family
    if family in ("crude", "careful", "subtle"):
        current += _planted(rng, plan, items, len(current), HISTORY_DAYS)
    elif family == "coaching":
        current = [
            _coach(rng, r, items)
            if r.channel == "qr" and rng.random() < plan.strength
            else r
            for r in current
        ]
    elif family == "selective":
        current = _selective(rng, plan, items, current)
    responses = sorted(history + current, key=lambda r: r.at)
    return SimulatedUnit(plan, responses)


def _selective(
    rng: random.Random,
    plan: Plan,
    items: Sequence[Item],
    current: list[SimulatedResponse],
) -> list[SimulatedResponse]:
    """Turn away opt-in respondents who would score under the unit's median."""
    scores = sorted(_score(r) for r in current if r.channel == "qr")
    if not scores:
        return current
    middle = scores[len(scores) // 2]
    kept = [
        r
        for r in current
        if r.channel != "qr" or _score(r) >= middle or rng.random() >= plan.strength
    ]
    # the unit keeps its volume: the turned-away places go to satisfied ones
    while len(kept) < len(current):
        day = _open_day(rng, HISTORY_DAYS, CURRENT_DAYS)
        r = _respondent(rng, plan, items, plan.level, day)
        if r.channel == "qr" and _score(r) >= middle:
            kept.append(replace(r, planted=True))
    return kept


def _score(response: SimulatedResponse) -> float:
    values = [v for _, v in response.answers if v != 9]
    return sum(values) / len(values) if values else 0.0
