"""Comparing units (METHODOLOGY.md section 5): standardised rates, funnel limits
and overdispersion, shrinkage and rank intervals.
"""

from __future__ import annotations

import math
import random
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from survey.domain.stats.distributions import (
    _binomial_quantile,
    _clamp,
    _quantile_of_sorted,
    beta_quantile,
    chi2_quantile_95,
    normal_upper_tail,
)
from survey.domain.stats.proportions import Proportion
from survey.domain.stats.thresholds import EXACT_FUNNEL_N, Z95, Band


@dataclass(frozen=True)
class StandardisedRate:
    """Indirect procedure-mix standardisation of a unit's share (M5)."""

    observed: float
    expected: float
    ratio: float | None  # O / E
    rate: float | None  # ratio x city rate, capped at 1


@dataclass(frozen=True)
class RankInterval:
    """Median rank (1 = best) and its 95 % interval over posterior draws."""

    median: float
    low: int
    high: int


def standardised_rate(
    unit_groups: Mapping[str, tuple[float, float]],
    city_group_rates: Mapping[str, float],
    city_rate: float,
) -> StandardisedRate:
    """M5: observed / expected from the city's procedure-group rates, x city rate.

    ``unit_groups`` maps procedure group to (successes, n) for the unit; a group
    with no city rate is expected at the city rate.
    """
    observed = sum(x for x, _ in unit_groups.values())
    expected = sum(
        n * city_group_rates.get(group, city_rate)
        for group, (_, n) in unit_groups.items()
    )
    if not expected > 0:
        return StandardisedRate(observed, expected, None, None)
    ratio = observed / expected
    return StandardisedRate(observed, expected, ratio, _clamp(ratio * city_rate))


def funnel_limits(
    p0: float, n: float, z: float = Z95, phi: float = 1.0
) -> tuple[float, float]:
    """Funnel-plot limits around p0 at n: normal for n >= 30, exact binomial below.

    Exact limits are binomial quantiles at the tail probability of z, divided
    by n (rounded); they are widened to contain p0. With overdispersion
    (phi > 1) the limits are p0 +- z sqrt(phi p0 (1 - p0) / n), and below
    n = 30 never narrower than the exact ones.
    """
    if not n > 0:
        return 0.0, 1.0
    p0 = _clamp(p0)
    half = z * math.sqrt(max(phi, 1.0) * p0 * (1.0 - p0) / n)
    low, high = _clamp(p0 - half), _clamp(p0 + half)
    trials = round(n)
    if n >= EXACT_FUNNEL_N or trials < 1:
        return low, high
    tail = normal_upper_tail(z)
    exact_low = _binomial_quantile(tail, trials, p0) / trials
    exact_high = _binomial_quantile(1.0 - tail, trials, p0) / trials
    if phi > 1.0:
        exact_low, exact_high = min(exact_low, low), max(exact_high, high)
    return min(exact_low, p0), max(exact_high, p0)


def overdispersion_phi(units: Sequence[tuple[float, float]], p0: float) -> float:
    """Spiegelhalter's phi from winsorised z-scores; 1.0 when not overdispersed."""
    if not 0.0 < p0 < 1.0:
        return 1.0
    z_scores = sorted(
        (x / n - p0) / math.sqrt(p0 * (1.0 - p0) / n) for x, n in units if n > 0
    )
    count = len(z_scores)
    if count < 2:
        return 1.0
    floor_z = _quantile_of_sorted(z_scores, 0.10)
    ceiling_z = _quantile_of_sorted(z_scores, 0.90)
    phi = sum(_clamp(z, floor_z, ceiling_z) ** 2 for z in z_scores) / count
    if count * phi > chi2_quantile_95(count - 1):
        return phi
    return 1.0


def classify_unit(
    x: float, n: float, p0: float, phi: float = 1.0, z: float = Z95
) -> Band:
    """Funnel band of a unit: "above", "expected" or "below" the limits at z."""
    if not n > 0:
        return "expected"
    low, high = funnel_limits(p0, n, z, phi)
    share = x / n
    if share > high:
        return "above"
    if share < low:
        return "below"
    return "expected"


def fit_beta_prior(units: Sequence[tuple[float, float]]) -> tuple[float, float] | None:
    """Beta(alpha, beta) prior by the method of moments; None if no spread.

    mu = sum x / sum n; tau^2 = sample variance (I - 1) of the unit shares minus
    the mean of mu (1 - mu) / n; alpha + beta = mu (1 - mu) / tau^2 - 1.
    """
    usable = [(x, n) for x, n in units if n > 0]
    if len(usable) < 2:
        return None
    mu = sum(x for x, _ in usable) / sum(n for _, n in usable)
    if not 0.0 < mu < 1.0:
        return None
    between = statistics.variance([x / n for x, n in usable])
    sampling = sum(mu * (1.0 - mu) / n for _, n in usable) / len(usable)
    tau2 = between - sampling
    if not tau2 > 0:
        return None
    strength = mu * (1.0 - mu) / tau2 - 1.0
    if not strength > 0:
        return None
    return mu * strength, (1.0 - mu) * strength


def shrink(x: float, n: float, alpha: float, beta: float) -> Proportion:
    """M6: posterior mean (x + alpha) / (n + alpha + beta) with a 95 % interval."""
    a = x + alpha
    b = max(n - x, 0.0) + beta
    if not (a > 0 and b > 0):
        return Proportion(x, n, None, None, None)
    mean = a / (a + b)
    # a very skewed posterior can put its mean beyond a tail quantile
    low = min(beta_quantile(0.025, a, b), mean)
    high = max(beta_quantile(0.975, a, b), mean)
    return Proportion(x, n, mean, low, high)


def posterior_rank_intervals(
    units: Mapping[str, tuple[float, float]],
    alpha: float,
    beta: float,
    draws: int = 10_000,
    seed: int = 0,
) -> dict[str, RankInterval]:
    """Median rank (1 = highest) and 95 % interval from draws of the posteriors."""
    keys = sorted(units)
    if not keys or draws <= 0:
        return {}
    rng = random.Random(seed)
    shapes = [
        (units[k][0] + alpha, max(units[k][1] - units[k][0], 0.0) + beta) for k in keys
    ]
    ranks: list[list[int]] = [[] for _ in keys]
    for _ in range(draws):
        thetas = [rng.betavariate(a, b) for a, b in shapes]
        order = sorted(range(len(keys)), key=lambda i: (-thetas[i], i))
        for rank, i in enumerate(order, start=1):
            ranks[i].append(rank)
    result: dict[str, RankInterval] = {}
    for key, unit_ranks in zip(keys, ranks, strict=True):
        unit_ranks.sort()
        low = unit_ranks[max(0, math.ceil(0.025 * draws) - 1)]
        high = unit_ranks[max(0, math.ceil(0.975 * draws) - 1)]
        result[key] = RankInterval(statistics.median(unit_ranks), low, high)
    return result
