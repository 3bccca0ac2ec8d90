"""Arrival surges: a unit's last four weeks against its own hours and days.

Issue 25; the rule is published in docs/methodology-integrity.md.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from survey.domain.quality import Indicator, binomial_upper_tail, poisson_tail
from survey.domain.quality_counts import (
    CURRENT_DAYS,
    FLAT_SHARE,
    HOURS_OF_WEEK,
    MAX_DAY_CV,
    PROFILE_PRIOR,
    WINDOWS_PER_HOUR,
    UnitEvidence,
    evidence_level,
)
from survey.domain.statistics import regularized_incomplete_beta


def hour_of_week(hour_index: int) -> int:
    """0 = Monday 0:00-1:00; ``hour_index`` counts hours since 1970-01-01 (Thu)."""
    return ((hour_index // 24 + 3) % 7) * 24 + hour_index % 24


def slot_shares(
    own: Mapping[int, int], city: Mapping[int, int] | None = None
) -> list[float]:
    """Expected share of a week's traffic in each hour of the week.

    The unit's own profile, pulled towards the city's (worth
    ``PROFILE_PRIOR`` responses) when its history is short, then a tenth
    spread evenly so that an hour never seen is not impossible.
    """
    own_total = sum(own.values())
    city = city or {}
    city_total = sum(city.values())
    prior = PROFILE_PRIOR if city_total else 0.0
    shares = []
    for slot in range(HOURS_OF_WEEK):
        city_share = city.get(slot, 0) / city_total if city_total else 0.0
        total = own_total + prior
        profile = (
            (own.get(slot, 0) + prior * city_share) / total
            if total
            else 1 / HOURS_OF_WEEK
        )
        shares.append((1 - FLAT_SHARE) * profile + FLAT_SHARE / HOURS_OF_WEEK)
    return shares


def day_dispersion(evidence: UnitEvidence, day_share: Sequence[float]) -> float:
    """Coefficient of variation of the days beyond Poisson noise, 0 to 1.

    Each history day against what its weekday should bring (a Monday is
    busier than a Saturday by design, which is no dispersion); what varies
    beyond Poisson noise is the day-to-day busyness, and a busy day is no
    surge.
    """
    total = sum(evidence.history_day_counts.values())
    weeks = evidence.history_days / 7
    if total < 20 or weeks < 1:
        return 0.4
    excess, squares = 0.0, 0.0
    first = evidence.history_first_day
    for day in range(first, first + evidence.history_days):
        expected = total * day_share[(day + 3) % 7] / weeks
        if expected <= 0:
            continue
        count = evidence.history_day_counts.get(day, 0)
        excess += (count - expected) ** 2 - count
        squares += expected * expected
    if squares <= 0:
        return 0.4
    return min(MAX_DAY_CV, math.sqrt(max(0.0, excess / squares)))


def negative_binomial_tail(k: int, mean: float, cv: float) -> float:
    """P(X >= k) for a Poisson count whose mean is gamma with this CV."""
    if cv <= 0:
        return poisson_tail(k, mean)
    if k <= 0:
        return 1.0
    if not mean > 0:
        return 0.0
    r = 1 / (cv * cv)
    p = r / (r + mean)  # success probability; P(X >= k) = I_{1-p}(k, r)
    return regularized_incomplete_beta(1 - p, k, r)


def arrival_surge(
    evidence: UnitEvidence, city_slots: Mapping[int, int] | None = None
) -> Indicator:
    """The most unusual day, hour or 10 minutes of the current weeks.

    Days against the unit's weekday profile with its own day-to-day
    dispersion; an hour against its day's total and the hour's share of
    that weekday; 10 minutes against the hour's total (a sixth each). Each
    family is Bonferroni-corrected over the days, hours or windows of the
    four weeks, and the three together by three.
    """
    code = "arrival_surge"
    n = sum(evidence.current_hours.values())
    if n < 1:
        return Indicator(code, "none", "no submissions in the last four weeks")
    shares = slot_shares(evidence.history_slots, city_slots)
    day_share = [sum(shares[d * 24 : d * 24 + 24]) for d in range(7)]
    cv = day_dispersion(evidence, day_share)
    per_day: dict[int, int] = {}
    for hour, count in evidence.current_hours.items():
        per_day[hour // 24] = per_day.get(hour // 24, 0) + count
    days = CURRENT_DAYS
    weeks = days / 7
    day_p, worst_day = 1.0, 0
    for day, count in per_day.items():
        weekday = (day + 3) % 7
        expected = n * day_share[weekday] / weeks
        p = negative_binomial_tail(count, expected, cv)
        if p < day_p:
            day_p, worst_day = p, count
    hour_p, worst_hour = 1.0, 0
    for hour, count in evidence.current_hours.items():
        weekday = (hour // 24 + 3) % 7
        within = shares[hour_of_week(hour)] / day_share[weekday]
        p = binomial_upper_tail(count, per_day[hour // 24], within)
        if p < hour_p:
            hour_p, worst_hour = p, count
    window_p, worst_window = 1.0, 0
    for window, count in evidence.current_windows.items():
        in_hour = evidence.current_hours.get(window // WINDOWS_PER_HOUR, count)
        p = binomial_upper_tail(count, in_hour, 1 / WINDOWS_PER_HOUR)
        if p < window_p:
            window_p, worst_window = p, count
    p = min(
        1.0,
        3
        * min(
            day_p * days,
            hour_p * days * 24,
            window_p * days * 24 * WINDOWS_PER_HOUR,
        ),
    )
    text = (
        f"busiest day {worst_day}, hour {worst_hour}, 10 minutes {worst_window} "
        f"of {n} in four weeks, against the unit's own weekday and hour "
        f"profile; chance {p:.2g}"
    )
    return Indicator(code, evidence_level(p), text, p, p)
