"""Survey weights (METHODOLOGY.md section 7): post-stratification, raking,
trimming and the design effect.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from survey.domain.stats.distributions import _clamp
from survey.domain.stats.thresholds import MIN_CELL_N


def post_stratification_weights(
    sample_counts: Mapping[str, int],
    population: Mapping[str, float],
    min_cell_n: int = MIN_CELL_N,
) -> dict[str, float]:
    """w = N_h / n_h per cell, small cells merged with a neighbour in key order.

    Cells (the keys of both mappings) are sorted by key. While some group has
    fewer than ``min_cell_n`` respondents, or respondents but no population
    (which would weight them to nothing), the first such group in that order
    is merged with the next group (the previous one if it is last); a merged
    group's weight is its summed N over its summed n. Returns a weight for each
    key of ``sample_counts``; an empty dict when there are no respondents.
    """
    if any(count < 0 for count in sample_counts.values()):
        raise ValueError("negative sample count")
    keys = sorted(set(sample_counts) | set(population))
    if sum(sample_counts.values()) <= 0:
        return {}
    groups = [[key] for key in keys]

    def respondents(group: list[str]) -> int:
        return sum(sample_counts.get(key, 0) for key in group)

    def unweightable(group: list[str]) -> bool:
        if respondents(group) < min_cell_n:
            return True
        return not sum(population.get(key, 0.0) for key in group) > 0

    while len(groups) > 1:
        small = next((i for i, group in enumerate(groups) if unweightable(group)), None)
        if small is None:
            break
        first = small if small + 1 < len(groups) else small - 1
        groups[first : first + 2] = [groups[first] + groups[first + 1]]
    weights: dict[str, float] = {}
    for group in groups:
        weight = sum(population.get(key, 0.0) for key in group) / respondents(group)
        for key in group:
            weights[key] = weight
    return {key: weights[key] for key in sample_counts}


def rake(
    rows: Sequence[Mapping[str, str]],
    margins: Mapping[str, Mapping[str, float]],
    max_rounds: int = 100,
    tol: float = 1e-6,
    base_weights: Sequence[float] | None = None,
) -> list[float]:
    """Iterative proportional fitting of row weights to every margin's totals.

    ``margins`` maps a variable to its category totals (all margins should have
    the same total). Rounds stop when every reachable category total is within
    ``tol`` times its margin's total. A row whose category is missing from a
    margin is not adjusted for that margin; a category with no rows is ignored.
    """
    weights = [1.0] * len(rows) if base_weights is None else list(base_weights)
    plan: list[tuple[float, list[tuple[float, list[int]]]]] = []
    for variable in sorted(margins):
        targets = margins[variable]
        members: dict[str, list[int]] = {category: [] for category in targets}
        for i, row in enumerate(rows):
            category = row.get(variable)
            if category is not None and category in members:
                members[category].append(i)
        cells = [
            (float(targets[category]), idx) for category, idx in members.items() if idx
        ]
        plan.append((float(sum(targets.values())), cells))
    for _ in range(max_rounds):
        for _total, cells in plan:
            for target, idx in cells:
                current = sum(weights[i] for i in idx)
                if current > 0:
                    factor = target / current
                    for i in idx:
                        weights[i] *= factor
        if all(
            abs(sum(weights[i] for i in idx) - target) <= tol * max(total, 1e-300)
            for total, cells in plan
            for target, idx in cells
        ):
            break
    return weights


def trim_weights(
    weights: Sequence[float], low: float = 0.3, high: float = 3.0
) -> list[float]:
    """Clip weights to [low, high] x their mean (re-rake afterwards: rake_and_trim)."""
    if not weights:
        return []
    mean = sum(weights) / len(weights)
    return [_clamp(w, low * mean, high * mean) for w in weights]


def rake_and_trim(
    rows: Sequence[Mapping[str, str]],
    margins: Mapping[str, Mapping[str, float]],
    low: float = 0.3,
    high: float = 3.0,
    max_trim_rounds: int = 5,
) -> list[float]:
    """Rake, then trim to [low, high] x the mean and re-rake, at most 5 rounds."""
    weights = rake(rows, margins)
    for _ in range(max_trim_rounds):
        if not weights:
            break
        mean = sum(weights) / len(weights)
        if all(low * mean - 1e-12 <= w <= high * mean + 1e-12 for w in weights):
            break
        weights = rake(rows, margins, base_weights=trim_weights(weights, low, high))
    return weights


def design_effect(weights: Sequence[float]) -> float | None:
    """Kish's design effect of weighting, 1 + CV^2 (= n / n_eff); None if undefined."""
    total = sum(weights)
    if not weights or not total > 0:
        return None
    return len(weights) * sum(w * w for w in weights) / (total * total)
