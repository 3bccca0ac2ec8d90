"""Integrity indicators on a simulated city (issue #6, METHODOLOGY.md section 8).

200 honest units answer from one true rate (72 % satisfied on C6, both
channels): 40-400 opt-in and 20-150 invited responses a unit and month, the
opt-in ones on working days in office hours (busier mid-morning, days that
differ with a CV of 0.4), the invited ones at home on any day; the SIPAS
bank with its reverse-worded check B0.R, N/A answers, one-column answerers,
log-normal durations and recall slips against the case record. Nine units
cheat, each at 80/40, 200/80 and 400/150 responses a month: stuffing (four
sessions a month of 10-25 all-5 forms at 15-40 seconds a form), speeders
(staff fill 40 % of the kiosk forms in 40-100 seconds) and inflation (opt-in
20 points above invited). Indicators are computed by the service's own
``survey.services.integrity.unit_counts.unit_indicators`` from the ``UnitCounts`` that
``unit_counts`` would read from SQL (including the day of each 10-minute
window and the invited channel's soft flags). Periods: a month, and the
default year.

Measured with SEED = 6 (``pytest -s`` prints them), honest units:

=====================================  =========  =====  ================  =====
                                       month red  amber  year red          amber
=====================================  =========  =====  ================  =====
now                                   1 of 200   5      0 of 200          8
exact limits, pooled days and channels 2          15     8 (soft flags 5)  31
normal limits (before issue #6's fix)  3          16     9 (soft flags 6)  31
=====================================  =========  =====  ================  =====

The month's red is inflation_gap (a 1-in-1,200 chance for an honest unit).
Over seeds 100-119 (month, 4,000 units) and 100-109 (year, 2,000): red
0.18 % and 0.20 %, amber 2.1 % and 2.3 %; with pooled days and channels
0.45 % and 1.7 % red; before 0.65 % and 1.8 % red, 7.9 % and 12.1 % amber.

Cheats (SEED = 6; the rule meant for each was red at every size in every
seed tried): stuffing is red on all_top (13-39 % all at 5 against 2.6 % in
the city), bursts (14-23 forms in ten minutes) and soft_flags, now and then
inflation_gap; speeders on soft_flags alone (28-35 % flagged). Inflation is
red on inflation_gap over a year at every size (gap 19-22 points); in a
month the 10-point lower bound is passed by 400/150 answers two times in
three and by the smaller units one time in three, so the month is not asserted.
"""

from __future__ import annotations

import functools
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from statistics import NormalDist

import numpy as np
import pytest

from survey.domain import quality
from survey.domain.quality import GridAnswers, Indicator, RecordCheck
from survey.domain.statistics import Z95, Z998, funnel_limits, normal_upper_tail
from survey.services.integrity.unit_counts import UnitCounts, unit_indicators

SEED = 6  # the number; the figures above follow from it
HONEST_UNITS = 200
RED_ALLOWED = 2  # 1 % of the honest units
TRUE_RATE = 0.72  # share of 4-5 on C6 among honest respondents, both channels
INFLATED_RATE = TRUE_RATE + 0.20  # what an inflating unit's opt-in channel shows
PERIODS = {
    # a month, and the CLI's and admin form's default of 365 days
    "month": (date(2025, 6, 1), date(2025, 6, 30)),
    "year": (date(2024, 7, 1), date(2025, 6, 30)),
}

# Per unit and month: opt-in 40-400 and invited 20-150 responses, log-uniform
# (many small wards, few large ones) and independent, so channel mixes vary.
OPT_IN_PER_MONTH = (40, 400)
INVITED_PER_MONTH = (20, 150)
RESPONSES_PER_CASE = (0.1, 0.5)  # honest responses per completed case

# The SIPAS bank as ``unit_counts`` counts it: every likert5 answer 1-5 of a
# response, the reverse-worded check B0.R included.
GRID = 15  # B1.1-B3.6: the Likert items on the check item's page
PLAIN = 3 + 5  # B4.1-B4.3; C1-C4 and C6 (the last column)
FEEDBACK = 4 + 1  # B5.1-B5.4 and C5, asked of those who gave feedback
FEEDBACK_SHARE = 0.20
NOT_APPLICABLE = 0.03  # code 9 on any item, left out of every count
ITEM_CUTS = (0.03, 0.08, 0.25, 0.70)  # P(y <= 1..4) of an item at latent mean 0
CHECK_CUTS = (0.30, 0.65, 0.80, 0.92)  # "I waited too long": mostly disagree
ITEM_LOADING = 0.6  # share of an item's latent variance the respondent carries
ALL_FIVES, ALL_FOURS = 0.12, 0.04  # respondents who tick one column throughout
CARELESS = 0.15  # of those, the share that ticks it on B0.R as well

# Durations in seconds, log-normal per channel; one-column respondents are quick.
MEDIAN_SECONDS = {"opt_in": 200.0, "invited": 300.0}
DURATION_SIGMA = {"opt_in": 0.45, "invited": 0.50}

# The one-stop record behind an invited response, and what respondents recall.
LATE_RATE = (0.03, 0.15)  # per unit, uniform
SUPPLEMENTS = (0.80, 0.13, 0.07)  # 0, 1, 2 or more requests to supplement
SAYS_ON_TIME = {True: 0.25, False: 0.93}  # by whether the record shows late
SAYS_ONE_VISIT = {True: 0.20, False: 0.60}  # by 2 or more supplement requests

# Opt-in at the one-stop: working days 7:30-11:30 and 13:30-17:00 in half
# hours, busiest mid-morning; days differ (gamma, CV about 0.4). Invited
# respondents follow a link at home, any day 7:00-22:00.
OFFICE_SLOTS = (*(7.5 + 0.5 * i for i in range(8)), *(13.5 + 0.5 * i for i in range(7)))
SLOT_WEIGHTS = (0.6, 1.0, 1.3, 1.4, 1.3, 1.1, 0.9, 0.6, 0.6, 0.9, 1, 1, 0.9, 0.7, 0.4)
DAY_SHAPE = 6.0
INVITED_HOURS = (7.0, 22.0)

# The cheats.
STUFFING_SESSIONS_PER_MONTH = 4  # each 10-25 forms, 15-40 seconds a form
SPEEDER_SHARE = 0.40  # kiosk forms filled in by staff in 40-100 seconds
CHEAT_SIZES = {"small": (80, 40), "middling": (200, 80), "large": (400, 150)}
MEANT_FOR = {
    "stuffing": ("bursts", "all_top"),
    "speeders": ("soft_flags",),
    "inflation": ("inflation_gap",),
}


@dataclass(frozen=True)
class Plan:
    name: str
    opt_in: int  # expected per month
    invited: int  # expected per month
    cheat: str | None = None  # "stuffing", "speeders" or "inflation"


@dataclass
class SimulatedUnit:
    plan: Plan
    opt_in: np.ndarray  # per response: on the opt-in channel
    seconds: np.ndarray  # submitted, seconds after the period's first midnight
    durations: np.ndarray
    likert: np.ndarray  # responses x Likert items (B0.R last): 1-5, 0 if none
    record: np.ndarray  # invited: said on time, said one visit, late, supplements
    cases: int

    @property
    def overall(self) -> np.ndarray:
        return self.likert[:, GRID + PLAIN - 1]

    @property
    def grid(self) -> np.ndarray:
        return self.likert[:, :GRID]

    @property
    def check(self) -> np.ndarray:
        return self.likert[:, -1]


def _cuts(probabilities: tuple[float, ...]) -> np.ndarray:
    return np.array([NormalDist().inv_cdf(p) for p in probabilities])


def _answers(
    rng: np.random.Generator, n: int, rate: float
) -> tuple[np.ndarray, np.ndarray]:
    """Likert answers of n respondents (B0.R last) and their kind.

    One latent satisfaction per respondent drives every item, the check item
    reversed; some tick one column throughout (kind 1: all 5, kind 2: all 4).
    ``rate`` is the expected share of 4-5 on C6.
    """
    one_column = ALL_FIVES + ALL_FOURS
    latent_rate = (rate - one_column) / (1 - one_column)
    cuts, loading = _cuts(ITEM_CUTS), np.sqrt(ITEM_LOADING)
    # an item is loading * theta + noise ~ N(loading * mean, 1)
    mean = (cuts[2] + NormalDist().inv_cdf(latent_rate)) / loading
    theta = rng.standard_normal(n, dtype=np.float32)
    noise = np.sqrt(1 - ITEM_LOADING) * rng.standard_normal(
        (n, GRID + PLAIN + FEEDBACK + 1), dtype=np.float32
    )
    latent = loading * (theta + mean)[:, None] + noise
    latent[:, -1] = -loading * theta + noise[:, -1]
    values = 1 + np.searchsorted(cuts, latent[:, :-1])
    check = 1 + np.searchsorted(_cuts(CHECK_CUTS), latent[:, -1])
    kind = rng.choice(3, n, p=(1 - one_column, ALL_FIVES, ALL_FOURS))
    careless = rng.random(n) < CARELESS
    for code, value in ((1, 5), (2, 4)):
        rows = kind == code
        values[rows] = value
        check[rows] = np.where(careless[rows], value, rng.choice((1, 2), rows.sum()))
    answers = np.column_stack([values, check])
    answers[rng.random(answers.shape) < NOT_APPLICABLE] = 0
    answers[rng.random(n) >= FEEDBACK_SHARE, GRID + PLAIN : -1] = 0
    return answers, kind


def simulate_unit(
    rng: np.random.Generator, plan: Plan, start: date, end: date
) -> SimulatedUnit:
    """One unit's responses over the period, cheating as its plan says."""
    days = (end - start).days + 1
    months = days / 30.44
    n_opt = int(rng.poisson(plan.opt_in * months))
    n_inv = int(rng.poisson(plan.invited * months))
    working = np.array(
        [d for d in range(days) if (start + timedelta(days=d)).weekday() < 5]
    )
    day_weights = rng.gamma(DAY_SHAPE, 1.0, working.size)
    slot_weights = np.array(SLOT_WEIGHTS)
    opt_day = rng.choice(working, n_opt, p=day_weights / day_weights.sum())
    opt_slot = np.array(OFFICE_SLOTS)[
        rng.choice(len(OFFICE_SLOTS), n_opt, p=slot_weights / slot_weights.sum())
    ]
    opt_seconds = opt_day * 86400 + opt_slot * 3600 + rng.uniform(0, 1800, n_opt)
    inv_seconds = rng.integers(0, days, n_inv) * 86400 + rng.uniform(
        INVITED_HOURS[0] * 3600, INVITED_HOURS[1] * 3600, n_inv
    )
    opt_rate = INFLATED_RATE if plan.cheat == "inflation" else TRUE_RATE
    opt_answers, opt_kind = _answers(rng, n_opt, opt_rate)
    inv_answers, inv_kind = _answers(rng, n_inv, TRUE_RATE)

    def durations(channel: str, kind: np.ndarray) -> np.ndarray:
        median, sigma = MEDIAN_SECONDS[channel], DURATION_SIGMA[channel]
        drawn = rng.lognormal(np.log(median), sigma, kind.size)
        return np.maximum(5, np.round(np.where(kind > 0, 0.7, 1.0) * drawn))

    opt_durations = durations("opt_in", opt_kind)
    if plan.cheat == "speeders":
        fast = rng.random(n_opt) < SPEEDER_SHARE
        opt_durations[fast] = rng.integers(40, 101, fast.sum())

    stuffed_seconds: list[float] = []
    stuffed_durations: list[float] = []
    if plan.cheat == "stuffing":
        for _ in range(round(STUFFING_SESSIONS_PER_MONTH * months)):
            moment = rng.choice(working) * 86400 + rng.uniform(7.5, 16.5) * 3600
            for _ in range(int(rng.integers(10, 26))):
                took = float(rng.integers(15, 41))
                moment += took
                stuffed_seconds.append(moment)
                stuffed_durations.append(took)
    stuffed = np.full((len(stuffed_seconds), GRID + PLAIN + FEEDBACK + 1), 5)
    stuffed[:, GRID + PLAIN : -1] = 0  # "no feedback given": fewer pages

    n_honest_opt = n_opt
    n_opt += len(stuffed_seconds)
    late = rng.random(n_inv) < rng.uniform(*LATE_RATE)
    supplements = rng.choice(3, n_inv, p=SUPPLEMENTS)
    on_time = rng.random(n_inv) < np.where(
        late, SAYS_ON_TIME[True], SAYS_ON_TIME[False]
    )
    one_visit = rng.random(n_inv) < np.where(
        supplements >= 2, SAYS_ONE_VISIT[True], SAYS_ONE_VISIT[False]
    )
    record = np.full((n_opt + n_inv, 4), -1)
    record[n_opt:] = np.column_stack([on_time, one_visit, late, supplements])
    per_case = rng.uniform(*RESPONSES_PER_CASE)
    return SimulatedUnit(
        plan=plan,
        opt_in=np.arange(n_opt + n_inv) < n_opt,
        seconds=np.concatenate([opt_seconds, stuffed_seconds, inv_seconds]),
        durations=np.concatenate(
            [opt_durations, stuffed_durations, durations("invited", inv_kind)]
        ),
        likert=np.concatenate([opt_answers, stuffed, inv_answers]),
        record=record,
        cases=int(np.ceil((n_honest_opt + n_inv) / per_case)),
    )


def plans(rng: np.random.Generator) -> list[Plan]:
    """The honest units, then each cheat at three sizes."""
    honest = [
        Plan(
            f"honest-{i:03d}",
            round(np.exp(rng.uniform(*np.log(OPT_IN_PER_MONTH)))),
            round(np.exp(rng.uniform(*np.log(INVITED_PER_MONTH)))),
        )
        for i in range(HONEST_UNITS)
    ]
    cheats = [
        Plan(f"{cheat}-{size}", opt_in, invited, cheat)
        for cheat in MEANT_FOR
        for size, (opt_in, invited) in CHEAT_SIZES.items()
    ]
    return honest + cheats


# --- soft flags, as store_soft_flags finds them --------------------------------


def _contradiction_table() -> np.ndarray:
    """``record_contradiction`` for every combination an invited response shows."""
    table = np.zeros((2, 2, 2, 3), dtype=bool)
    for on_time, one_visit, late, supplements in np.ndindex(table.shape):
        check = RecordCheck(bool(on_time), 2 - one_visit, bool(late), supplements)
        table[on_time, one_visit, late, supplements] = (
            quality.record_contradiction(check) is not None
        )
    return table


CONTRADICTS = _contradiction_table()


@functools.cache
def _speeder(duration: float, median: float) -> bool:
    return quality.speeder(duration, median) is not None


@functools.cache
def _straight_liner(value: int, items: int, check: int | None) -> bool:
    return quality.straight_liner(GridAnswers((value,) * items, check)) is not None


def soft_flagged(units: list[SimulatedUnit]) -> list[np.ndarray]:
    """Per response: any soft flag (speeder, straight-liner, contradiction).

    Speeders against the city's median of their channel, taken as the SQL
    takes it (the row at count // 2); straight-liners on the check item's
    page; contradictions with the record on the invited channel only.
    """
    medians = {}
    for channel in (True, False):
        pooled = np.sort(
            np.concatenate([u.durations[u.opt_in == channel] for u in units])
        )
        medians[channel] = float(pooled[pooled.size // 2])
    result = []
    for u in units:
        flagged = np.zeros(u.opt_in.size, dtype=bool)
        median = np.where(u.opt_in, medians[True], medians[False])
        fast = np.flatnonzero(u.durations < quality.SPEEDER_FACTOR * median)
        for i in fast.tolist():
            flagged[i] |= _speeder(float(u.durations[i]), float(median[i]))
        answered = u.grid > 0
        lowest = np.where(answered, u.grid, 9).min(axis=1)
        items = answered.sum(axis=1)
        same = (lowest == u.grid.max(axis=1)) & (items >= quality.GRID_MIN_ITEMS)
        for i in np.flatnonzero(same).tolist():
            check = int(u.check[i]) or None
            flagged[i] |= _straight_liner(int(lowest[i]), int(items[i]), check)
        invited = ~u.opt_in
        flagged[invited] |= CONTRADICTS[tuple(u.record[invited].T)]
        result.append(flagged)
    return result


# --- per-unit counts and indicators, as the service computes them ---------------


@functools.cache
def _month_of_day(start: date, days: int) -> tuple[np.ndarray, np.ndarray]:
    keys = [(start + timedelta(days=d)).strftime("%Y-%m") for d in range(days)]
    return np.unique(keys, return_inverse=True)


def counts_of(u: SimulatedUnit, flagged: np.ndarray, start: date) -> UnitCounts:
    """What ``unit_counts`` gets from SQL for the unit (every submission)."""
    c = UnitCounts(responses=u.opt_in.size, opt_in=int(u.opt_in.sum()), cases=u.cases)
    c.soft_flagged = int(flagged.sum())
    c.invited_soft_flagged = int(flagged[~u.opt_in].sum())
    rated = (u.likert > 0).any(axis=1)
    lowest = np.where(u.likert > 0, u.likert, 9).min(axis=1)
    c.rated = int(rated.sum())
    c.all_top = int((rated & (lowest == 5)).sum())
    c.negatives = int((rated & (lowest <= 3)).sum())
    answered, satisfied = u.overall > 0, u.overall >= 4
    for channel, rows in (("opt_in", u.opt_in), ("invited", ~u.opt_in)):
        c.headline[channel] = [
            int((satisfied & rows).sum()),
            int((answered & rows).sum()),
        ]
    day = (u.seconds // 86400).astype(int)
    labels, month_of_day = _month_of_day(start, int(day.max()) + 1)
    month = month_of_day[day]
    satisfied_per_month = np.bincount(
        month[answered & satisfied], minlength=labels.size
    )
    answered_per_month = np.bincount(month[answered], minlength=labels.size)
    for label, x, n in zip(
        labels, satisfied_per_month, answered_per_month, strict=True
    ):
        if n:
            c.months[str(label)] = [int(x), int(n)]
    window = (u.seconds // quality.BURST_WINDOW_SECONDS).astype(int)
    ids, per_window = np.unique(window, return_counts=True)
    c.windows = per_window.tolist()
    c.window_days = (ids * quality.BURST_WINDOW_SECONDS // 86400).tolist()
    c.days = set(c.window_days)
    return c


def indicators(counts: list[UnitCounts]) -> list[list[Indicator]]:
    """The service's own ``unit_indicators``, in the units' order."""
    found = unit_indicators(dict(enumerate(counts)))
    return [found[i] for i in range(len(counts))]


@dataclass(frozen=True)
class City:
    period: str
    plans: list[Plan]
    counts: list[UnitCounts]
    indicators: list[list[Indicator]]

    def honest(self) -> list[list[Indicator]]:
        pairs = zip(self.plans, self.indicators, strict=True)
        return [f for p, f in pairs if p.cheat is None]

    def cheats(self, cheat: str) -> list[tuple[Plan, list[Indicator]]]:
        pairs = zip(self.plans, self.indicators, strict=True)
        return [(p, f) for p, f in pairs if p.cheat == cheat]


@functools.cache
def simulate_city(period: str) -> City:
    rng = np.random.default_rng([SEED, list(PERIODS).index(period)])
    start, end = PERIODS[period]
    unit_plans = plans(rng)
    units = [simulate_unit(rng, plan, start, end) for plan in unit_plans]
    counts = [
        counts_of(u, f, start) for u, f in zip(units, soft_flagged(units), strict=True)
    ]
    return City(period, unit_plans, counts, indicators(counts))


def levels(found: list[Indicator]) -> dict[str, str]:
    return {i.code: i.level for i in found}


def fired(found: list[Indicator]) -> str:
    """The amber and red indicators with their values, for the printout."""
    shown = [
        f"{i.code} {i.level} {i.value:.3g}" if i.value is not None else i.code
        for i in found
        if i.level in ("amber", "red")
    ]
    return ", ".join(shown) or "all green"


def units_at(found: list[list[Indicator]], level: str) -> int:
    return sum(quality.worst(f) == level for f in found)


def tally(found: list[list[Indicator]], level: str) -> dict[str, int]:
    return dict(Counter(i.code for f in found for i in f if i.level == level))


@pytest.fixture(params=sorted(PERIODS))
def city(request: pytest.FixtureRequest) -> City:
    return simulate_city(request.param)


# --- the tests -------------------------------------------------------------------


def test_honest_units_rarely_raise_a_red_flag(city):
    honest = city.honest()
    assert len(honest) == HONEST_UNITS
    red = [fired(f) for f in honest if quality.worst(f) == "red"]
    assert len(red) <= RED_ALLOWED, red


@pytest.mark.parametrize("cheat", sorted(MEANT_FOR))
def test_a_cheating_unit_is_red_on_the_rule_meant_for_it(city, cheat):
    for plan, found in city.cheats(cheat):
        if cheat == "inflation" and city.period == "month":
            # a month's answers rarely prove a 20-point gap's lower bound
            # above 10 points; a year's always do
            continue
        for code in MEANT_FOR[cheat]:
            assert levels(found)[code] == "red", (plan.name, fired(found))


def test_print_the_measured_figures(city):
    """Run with -s to read what the module docstring reports."""
    honest = city.honest()
    city_top = sum(c.all_top for c in city.counts) / sum(c.rated for c in city.counts)
    lines = [
        f"\n== {city.period} ({PERIODS[city.period][0]} to {PERIODS[city.period][1]})",
        f"honest units red {units_at(honest, 'red')}/{len(honest)}, "
        f"amber {units_at(honest, 'amber')}/{len(honest)}; "
        f"red rules {tally(honest, 'red')}, amber rules {tally(honest, 'amber')}",
        f"city all-top share {city_top:.2%}",
    ]
    for cheat in sorted(MEANT_FOR):
        for plan, found in city.cheats(cheat):
            lines.append(
                f"{plan.name} ({plan.opt_in}/{plan.invited} a month): {fired(found)}"
            )
    print("\n".join(lines))


# --- the rule changes the simulation called for ------------------------------------


def test_exact_limits_are_the_funnels_below_30_and_keep_their_tail_above():
    for n in range(1, 30):
        for p0 in (0.02, 0.3, 0.85):
            for z in (Z95, Z998):
                assert quality.exact_upper_limit(p0, n, z) == funnel_limits(p0, n, z)[1]
    for n in (40, 100, 400, 5000):
        for p0 in (0.02, 0.1, 0.85):
            first_red = round(quality.exact_upper_limit(p0, n, Z998) * n) + 1
            tail = quality.binomial_upper_tail(first_red, n, p0)
            assert tail <= normal_upper_tail(Z998)
            assert quality.binomial_upper_tail(first_red - 1, n, p0) > tail


def test_a_busy_days_busiest_window_is_no_burst_but_minutes_of_forms_are():
    quiet = [[1] * 18 + [2] * 3 for _ in range(20)]  # 24 a day
    busy = [1] * 20 + [2] * 14 + [3] * 4 + [8]  # 68 on the 21st day
    counts = [c for day in [*quiet, busy] for c in day]
    days = [d for d, day in enumerate([*quiet, busy]) for _ in day]
    assert quality.bursts(counts, 21).level == "red"  # the pooled rate
    assert quality.bursts(counts, 21, window_days=days).level == "amber"  # > 3 x 2
    stuffed = quality.bursts([*counts, 20], 21, window_days=[*days, 5])
    assert stuffed.level == "red" and stuffed.value == 20
    with pytest.raises(ValueError):
        quality.bursts(counts, 21, window_days=days[1:])


def test_soft_flags_are_held_against_the_units_channel_mix():
    city = {"opt_in": (800, 10_000), "invited": (700, 5_000)}  # 8 % and 14 %
    mix = {"opt_in": 200, "invited": 1_800}  # expects 13.4 %
    pooled = quality.soft_flag_concentration(268, 2_000, 1_500, 15_000)
    assert pooled.level == "red"
    fair = quality.soft_flag_concentration(
        268, 2_000, 1_500, 15_000, channel_n=mix, city_channels=city
    )
    assert fair.level == "green" and fair.reason == pooled.reason
    doubled = quality.soft_flag_concentration(
        536, 2_000, 1_500, 15_000, channel_n=mix, city_channels=city
    )
    assert doubled.level == "red"
