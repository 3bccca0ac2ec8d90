"""Trends (METHODOLOGY.md section 6): differences of shares and p-charts."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from survey.domain.stats.distributions import _clamp
from survey.domain.stats.proportions import Proportion


@dataclass(frozen=True)
class Difference:
    """A difference of two shares with its Newcombe hybrid interval."""

    estimate: float | None
    low: float | None
    high: float | None
    real: bool  # the interval excludes 0


@dataclass(frozen=True)
class PChartPoint:
    """One period on a p-chart, with the signals to mark."""

    share: float | None
    low: float
    high: float
    outside: Literal["above", "below"] | None
    in_run: bool  # part of a run of run_length points on one side of the centre


def newcombe_difference(p1: Proportion, p2: Proportion) -> Difference:
    """p1 - p2 with Newcombe's hybrid Wilson interval; real when it excludes 0."""
    if (
        p1.estimate is None
        or p1.low is None
        or p1.high is None
        or p2.estimate is None
        or p2.low is None
        or p2.high is None
    ):
        return Difference(None, None, None, False)
    d = p1.estimate - p2.estimate
    low = d - math.hypot(p1.estimate - p1.low, p2.high - p2.estimate)
    high = d + math.hypot(p1.high - p1.estimate, p2.estimate - p2.low)
    low, high = _clamp(low, -1.0, 1.0), _clamp(high, -1.0, 1.0)
    return Difference(d, low, high, low > 0 or high < 0)


def p_chart_limits(p_bar: float, n: float, sigmas: float = 3.0) -> tuple[float, float]:
    """p-chart control limits p_bar +- 3 sqrt(p_bar (1 - p_bar) / n), in [0, 1]."""
    if not n > 0:
        return 0.0, 1.0
    p_bar = _clamp(p_bar)
    half = sigmas * math.sqrt(p_bar * (1.0 - p_bar) / n)
    return _clamp(p_bar - half), _clamp(p_bar + half)


def p_chart_signals(
    points: Sequence[tuple[float, float]], p_bar: float, run_length: int = 8
) -> tuple[PChartPoint, ...]:
    """Mark (successes, n) periods outside the limits or in a run on one side."""
    shares = [x / n if n > 0 else None for x, n in points]
    sides = [0 if s is None or s == p_bar else (1 if s > p_bar else -1) for s in shares]
    in_run = [False] * len(points)
    start = 0
    for i in range(1, len(points) + 1):
        if i == len(points) or sides[i] != sides[start]:
            if sides[start] != 0 and i - start >= run_length:
                for j in range(start, i):
                    in_run[j] = True
            start = i
    result = []
    for i, ((_, n), share) in enumerate(zip(points, shares, strict=True)):
        low, high = p_chart_limits(p_bar, n)
        outside: Literal["above", "below"] | None = None
        if share is not None and share > high:
            outside = "above"
        elif share is not None and share < low:
            outside = "below"
        result.append(PChartPoint(share, low, high, outside, in_run[i]))
    return tuple(result)
