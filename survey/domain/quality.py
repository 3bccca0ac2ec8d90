"""Quality flags and integrity indicators of METHODOLOGY.md section 8, pure.

Per response: the soft flags that need context (speeder against the median
of its version and channel, straight-liner with a contradicting check item,
contradiction with the case record). Per unit and period: integrity
indicators, each green, amber or red (or "none" when it cannot be computed)
with a reason a leader can read. Counts come from SQL; nothing here touches
a database.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, TypeAlias

from survey.domain.statistics import (
    Z95,
    Z998,
    newcombe_difference,
    normal_upper_tail,
    p_chart_signals,
    regularized_incomplete_beta,
    wilson,
)

Level: TypeAlias = Literal["green", "amber", "red", "none"]

# Hard: faster than anyone can read and tick an item (a second each); the
# response leaves the official figures. Slow enough to read is never hard.
HARD_SPEED_SECONDS_PER_ITEM = 1
# Soft: under the time it takes to read an item (about 12 words at 4 words a
# second) and tick it; the response stays in and feeds the unit indicators.
READING_SECONDS_PER_ITEM = 3
SPEEDER_FACTOR = 0.5  # under half the median duration of version and channel
GRID_MIN_ITEMS = 8  # a grid this long can be straight-lined
INFLATION_RED = 0.10  # Newcombe lower bound of opt-in minus invited above this
INFLATION_AMBER = 0.05
ALL_TOP_MIN_RED = 3  # all-top forms before all-top can be red
ZERO_NEGATIVES_RED = 0.001  # (1 - q0)^n below this
ZERO_NEGATIVES_AMBER = 0.05
BURST_WINDOW_SECONDS = 600
BURST_RED = 0.001  # Poisson tail of the busiest window, times the windows
BURST_AMBER = 0.05
BURST_P95_FACTOR = 3  # a window above 3 x the usual 95th percentile count
OFFICE_WINDOWS_PER_DAY = 48  # 8 office hours of 10-minute windows
RATINGS_PER_CASE_AMBER = 0.9  # opt-in responses per completed case
Z99 = 2.326


@dataclass(frozen=True)
class Indicator:
    code: str
    level: Level
    reason: str
    value: float | None = None
    p: float | None = None  # chance under "honest", where the rule has one


# --------------------------------------------------------------------------- #
# Per response
# --------------------------------------------------------------------------- #


def speeder(
    duration: float | None, median: float | None, answered: int | None = None
) -> str | None:
    """Reason when the response took under half the median, or under the
    reading time of its answered items (``READING_SECONDS_PER_ITEM`` each),
    else None."""
    if duration is None:
        return None
    if median is not None and median > 0 and duration < SPEEDER_FACTOR * median:
        return f"{duration:.0f} s, under half the median of {median:.0f} s"
    if answered and duration < READING_SECONDS_PER_ITEM * answered:
        return (
            f"{duration:.0f} s for {answered} answers, under "
            f"{READING_SECONDS_PER_ITEM} s to read each"
        )
    return None


@dataclass(frozen=True)
class GridAnswers:
    values: tuple[int, ...]  # answers 1-5 to the grid's items (N/A left out)
    check: int | None  # the reverse-keyed check item (B0.R), 1-5, or None


def straight_liner(grid: GridAnswers, min_items: int = GRID_MIN_ITEMS) -> str | None:
    """Same answer on every item of a long grid while the check contradicts it.

    Agreeing with everything and also with "I had to wait too long" (or
    disagreeing with both) cannot both be meant; a neutral 3 proves nothing.
    """
    if len(grid.values) < min_items or len(set(grid.values)) != 1:
        return None
    value, check = grid.values[0], grid.check
    if check is None or value == 3:
        return None
    if (value >= 4 and check >= 4) or (value <= 2 and check <= 2):
        return (
            f"{value} on all {len(grid.values)} grid items and {check} "
            "on the reverse-worded check"
        )
    return None


@dataclass(frozen=True)
class RecordCheck:
    said_on_time: bool | None  # "early" or "on time" -> True, "late" -> False
    said_visits: int | None  # A1
    record_late: bool | None
    record_supplements: int | None


def record_contradiction(check: RecordCheck) -> str | None:
    """Reason when the answers contradict the one-stop record, else None."""
    if check.said_on_time and check.record_late:
        return "says on time, the record shows the result was late"
    if (
        check.said_visits == 1
        and check.record_supplements is not None
        and check.record_supplements >= 2
    ):
        return (
            f"says one visit, the record shows {check.record_supplements} "
            "requests to supplement the file"
        )
    return None


# --------------------------------------------------------------------------- #
# Per unit and period
# --------------------------------------------------------------------------- #


def inflation_gap(
    opt_in: tuple[int, int], invited: tuple[int, int], min_n: int = 10
) -> Indicator:
    """Opt-in minus invited satisfied share, judged by its Newcombe interval."""
    code = "inflation_gap"
    (x1, n1), (x2, n2) = opt_in, invited
    if n1 < min_n or n2 < min_n:
        return Indicator(code, "none", f"too few answers (opt-in {n1}, invited {n2})")
    gap = newcombe_difference(wilson(x1, n1), wilson(x2, n2))
    if gap.estimate is None or gap.low is None:
        return Indicator(code, "none", "no interval")
    text = (
        f"opt-in {x1 / n1:.0%} vs invited {x2 / n2:.0%}: gap "
        f"{gap.estimate * 100:+.0f} points, 95 % lower bound {gap.low * 100:+.0f}"
    )
    if gap.low > INFLATION_RED:
        return Indicator(code, "red", text, gap.estimate)
    if gap.low > INFLATION_AMBER:
        return Indicator(code, "amber", text, gap.estimate)
    return Indicator(code, "green", text, gap.estimate)


def binomial_upper_tail(k: int, n: int, p: float) -> float:
    """P(X >= k) for X ~ Bin(n, p), through the incomplete beta function."""
    if k <= 0:
        return 1.0
    if k > n or not p > 0:
        return 0.0
    if p >= 1:
        return 1.0
    return regularized_incomplete_beta(p, k, n - k + 1)


def exact_upper_limit(p0: float, n: int, z: float) -> float:
    """Upper funnel limit around p0 at n from the binomial itself, never below p0.

    k/n for the smallest k with P(X > k) at most the one-sided tail of z, so
    a share above it is at most that likely at p0: the exact limits
    ``funnel_limits`` uses below n = 30, for every n. Normal limits are too
    low when n p0 is small: at p0 = 2 % an honest unit of 40 to 400 crosses
    the normal 99.8 % limit 3 to 8 times in a thousand instead of once.
    """
    if n < 1:
        return 1.0
    tail = normal_upper_tail(z)
    low, high = 0, n  # P(X > n) = 0: the search always ends
    while low < high:
        k = (low + high) // 2
        if binomial_upper_tail(k + 1, n, p0) <= tail:
            high = k
        else:
            low = k + 1
    return max(low / n, min(max(p0, 0.0), 1.0))


def all_top_rate(x: int, n: int, city_x: int, city_n: int) -> Indicator:
    """Share of responses with every rated item at 5, against the city's funnel.

    ``city_x / city_n`` is the reference rate (``quality_references``); red
    needs ``ALL_TOP_MIN_RED`` such forms or more.

    The limits are exact binomial ones: all-top answers are rare when the
    reverse-worded check counts, so n p0 is small and normal limits too low.
    """
    code = "all_top"
    if n < 1 or city_n < 1:
        return Indicator(code, "none", "no rated responses")
    share, p0 = x / n, city_x / city_n
    red_high = exact_upper_limit(p0, n, Z998)
    amber_high = exact_upper_limit(p0, n, Z95)
    text = (
        f"{share:.0%} of {n} all at the top (city {p0:.1%}; "
        f"99.8 % limit {red_high:.0%})"
    )
    # One or two all-top forms can be anyone's: never red below the minimum.
    if share > red_high and x >= ALL_TOP_MIN_RED:
        return Indicator(code, "red", text, share)
    if share > amber_high:
        return Indicator(code, "amber", text, share)
    return Indicator(code, "green", text, share)


def zero_negatives(negatives: int, n: int, city_q0: float) -> Indicator:
    """No answer of 3 or less among n responses: how likely, given the city?"""
    code = "zero_negatives"
    if n < 1 or not 0.0 < city_q0 < 1.0:
        return Indicator(code, "none", "no rated responses")
    if negatives > 0:
        return Indicator(code, "green", f"{negatives} of {n} with an answer <= 3", 1.0)
    chance = (1.0 - city_q0) ** n
    text = (
        f"none of {n} responses has an answer <= 3 (city {city_q0:.0%}); "
        f"chance {chance:.2g}"
    )
    if chance < ZERO_NEGATIVES_RED:
        return Indicator(code, "red", text, chance)
    if chance < ZERO_NEGATIVES_AMBER:
        return Indicator(code, "amber", text, chance)
    return Indicator(code, "green", text, chance)


def poisson_tail(k: int, mean: float) -> float:
    """P(X >= k) for X ~ Poisson(mean), summed from k up (no cancellation)."""
    if k <= 0:
        return 1.0
    if not mean > 0:
        return 0.0
    term = math.exp(-mean + k * math.log(mean) - math.lgamma(k + 1))
    total, i = 0.0, k
    while term > 1e-300 and i < k + 1000:
        total += term
        i += 1
        term *= mean / i
        if term < total * 1e-16:
            break
    return min(1.0, total)


def bursts(
    window_counts: Sequence[int],
    active_days: int,
    *,
    window_days: Sequence[int] | None = None,
) -> Indicator:
    """The most unusual 10-minute window against a Poisson rate over office hours.

    ``window_counts`` are the counts of the windows with any submission;
    the busiest window's tail probability is multiplied by the number of
    windows looked at, 48 for each day with any submission (Bonferroni).

    With ``window_days`` (the day of each window, in the same order; the
    active days are counted from it) each window is judged against its own
    day: that day's submissions spread over 48 windows. Traffic differs from
    day to day (a Monday, the day before a holiday), and a busy day's busiest
    window is no burst; forms filled in minutes stand out on any day. Without
    it the rate is the period's n spread over all those windows, which takes
    a busy day for a burst.
    """
    code = "bursts"
    if window_days is not None and len(window_days) != len(window_counts):
        raise ValueError("window_days must give the day of every window")
    pairs = [
        (count, window_days[i] if window_days is not None else 0)
        for i, count in enumerate(window_counts)
        if count > 0
    ]
    if window_days is not None:
        active_days = len({day for _, day in pairs})
    if not pairs or active_days < 1:
        return Indicator(code, "none", "no submissions")
    counts = sorted(count for count, _ in pairs)
    n, busiest = sum(counts), counts[-1]
    windows = active_days * OFFICE_WINDOWS_PER_DAY
    if window_days is None:
        tail = poisson_tail(busiest, n / windows)
    else:
        per_day: Counter[int] = Counter()
        busiest_of_day: Counter[int] = Counter()
        for count, day in pairs:
            per_day[day] += count
            busiest_of_day[day] = max(busiest_of_day[day], count)
        # a day's busiest window is its least likely one
        tail = min(
            poisson_tail(top, total / OFFICE_WINDOWS_PER_DAY)
            for top, total in {(busiest_of_day[d], per_day[d]) for d in per_day}
        )
    p = min(1.0, tail * windows)
    usual = counts[min(len(counts) - 1, math.ceil(0.95 * len(counts)) - 1)]
    text = (
        f"busiest 10 minutes: {busiest} of {n} (usual busy window {usual}); "
        f"chance {p:.2g}"
    )
    if p < BURST_RED:
        return Indicator(code, "red", text, float(busiest))
    if p < BURST_AMBER or busiest > BURST_P95_FACTOR * usual:
        return Indicator(code, "amber", text, float(busiest))
    return Indicator(code, "green", text, float(busiest))


def ratings_per_case(responses: int, opt_in: int, cases: int) -> Indicator:
    """More responses than completed cases is impossible; many opt-ins suspicious."""
    code = "ratings_per_case"
    if cases < 1:
        return Indicator(code, "none", "no case records for the period")
    ratio = responses / cases
    text = f"{responses} responses ({opt_in} opt-in) for {cases} completed cases"
    if ratio > 1.0:
        return Indicator(code, "red", text, ratio)
    if opt_in / cases > RATINGS_PER_CASE_AMBER:
        return Indicator(code, "amber", text, ratio)
    return Indicator(code, "green", text, ratio)


def soft_flag_concentration(
    flagged: int,
    n: int,
    city_flagged: int,
    city_n: int,
    *,
    channel_n: Mapping[str, int] | None = None,
    city_channels: Mapping[str, tuple[int, int]] | None = None,
) -> Indicator:
    """Share of soft-flagged responses above what 99 % of units would show.

    With ``channel_n`` (the unit's responses per channel) and
    ``city_channels`` (the city's flagged and responses per channel) the
    unit is held against the share expected of its channel mix at the city's
    rate in each channel, standardised as procedure mix is (section 5): a
    contradiction with the record can only be found on the invited channel,
    so a unit answered mostly by invitation honestly shows more soft flags.
    The limits are exact binomial ones.
    """
    code = "soft_flags"
    if n < 1 or city_n < 1:
        return Indicator(code, "none", "no responses")
    share, p0 = flagged / n, city_flagged / city_n
    expected = p0
    if channel_n and city_channels and sum(channel_n.values()) > 0:
        rates = {c: x / m for c, (x, m) in city_channels.items() if m > 0}
        mixed = sum(m * rates.get(c, p0) for c, m in channel_n.items())
        expected = mixed / sum(channel_n.values())
    amber_high = exact_upper_limit(expected, n, Z99)
    red_high = exact_upper_limit(expected, n, Z998)
    text = f"{share:.0%} of {n} soft-flagged (city {p0:.1%})"
    if share > red_high and flagged > 0:
        return Indicator(code, "red", text, share)
    if share > amber_high and flagged > 0:
        return Indicator(code, "amber", text, share)
    return Indicator(code, "green", text, share)


def step_change(periods: Sequence[tuple[int, int]]) -> Indicator:
    """The last period's satisfied share against the p-chart of the earlier ones."""
    code = "step_change"
    usable = [(x, n) for x, n in periods if n > 0]
    if len(usable) < 4:
        return Indicator(code, "none", "fewer than 4 periods")
    earlier = usable[:-1]
    p_bar = sum(x for x, _ in earlier) / sum(n for _, n in earlier)
    last = p_chart_signals(usable, p_bar)[-1]
    x, n = usable[-1]
    text = (
        f"last period {x / n:.0%} of {n} against {p_bar:.0%} before "
        f"(limit {last.high:.0%})"
    )
    if last.outside == "above":
        return Indicator(code, "red", text, x / n)
    if last.in_run:
        return Indicator(code, "amber", text, x / n)
    return Indicator(code, "green", text, x / n)


def worst(indicators: Sequence[Indicator]) -> Level:
    """The most serious level among the indicators."""
    order: dict[Level, int] = {"none": 0, "green": 1, "amber": 2, "red": 3}
    if not indicators:
        return "none"
    return max((i.level for i in indicators), key=lambda level: order[level])
