"""M2, the composite index, and its bootstrap interval (METHODOLOGY.md section 3)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from survey.domain.stats.distributions import _clamp, _quantile_of_sorted
from survey.domain.stats.proportions import Proportion, wilson
from survey.domain.stats.thresholds import BOOTSTRAP_DRAWS, MIN_N


@dataclass(frozen=True)
class CompositeIndex:
    """M2: the mean of the factor top-two-box shares that have enough answers."""

    estimate: float | None
    used: tuple[int, ...]  # positions of the factors in the mean
    dropped: tuple[int, ...]  # positions dropped for n_eff < MIN_N
    low: float | None = None
    high: float | None = None

    @property
    def is_partial(self) -> bool:
        """True when a factor was dropped: the composite must be marked."""
        return bool(self.dropped)


def composite_index(
    factor_props: Sequence[Proportion], min_n: float = MIN_N
) -> CompositeIndex:
    """M2: mean of the factor top-two-box estimates, dropping factors below min_n."""
    used = tuple(
        i
        for i, prop in enumerate(factor_props)
        if prop.estimate is not None and prop.n >= min_n
    )
    dropped = tuple(i for i in range(len(factor_props)) if i not in used)
    if not used:
        return CompositeIndex(None, used, dropped)
    estimates = [factor_props[i].estimate for i in used]
    return CompositeIndex(
        sum(e for e in estimates if e is not None) / len(used), used, dropped
    )


def bootstrap_composite_interval(
    respondent_rows: Sequence[Sequence[int | None]],
    b: int = BOOTSTRAP_DRAWS,
    seed: int = 0,
    min_n: int = MIN_N,
    level: float = 0.95,
    counts: Sequence[int] | None = None,
) -> tuple[float, float] | None:
    """Percentile bootstrap interval of M2 over respondents; None if undefined.

    Each row holds one value per factor: 1 (top-two), 0 (not) or None (no valid
    answer). Factors with fewer than ``min_n`` valid answers in the full sample
    are left out of every resample, as in ``composite_index``.

    Respondents with the same answer pattern are interchangeable, so a resample
    of all n respondents is one multinomial draw over the (at most 3^5)
    patterns: the cost does not grow with n. ``counts``, if given, says how many
    respondents share each row; the result is the same as for the rows
    repeated that many times.
    """
    patterns = _answer_patterns(respondent_rows, counts)
    rows_n = sum(patterns.values())
    if rows_n == 0 or b <= 0:
        return None
    sizes, valid, top = _pattern_matrices(patterns)
    kept = [k for k in range(valid.shape[1]) if sizes @ valid[:, k] >= max(min_n, 1)]
    if not kept:
        return None
    results = _resampled_composites(sizes, valid[:, kept], top[:, kept], b, seed)
    if not results:
        return None
    tail = (1.0 - level) / 2
    low = _quantile_of_sorted(results, tail)
    high = _quantile_of_sorted(results, 1.0 - tail)
    return _clamp(low), _clamp(high)


Pattern = tuple[int | None, ...]


def _answer_patterns(
    respondent_rows: Sequence[Sequence[int | None]], counts: Sequence[int] | None
) -> dict[Pattern, int]:
    """How many respondents gave each answer pattern (rows counted ``counts``
    times each, once when None); a pattern nobody gave is left out."""
    weights = [1] * len(respondent_rows) if counts is None else list(counts)
    if len(weights) != len(respondent_rows) or any(c < 0 for c in weights):
        raise ValueError("counts must be one non-negative count per row")
    patterns: dict[Pattern, int] = {}
    for row, weight in zip(respondent_rows, weights, strict=True):
        if weight:
            key = tuple(row)
            patterns[key] = patterns.get(key, 0) + weight
    return patterns


def _pattern_matrices(
    patterns: dict[Pattern, int],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Respondents per pattern, and pattern x factor matrices of "answered"
    and "top-two" (0/1), the patterns in a fixed order so draws repeat."""
    factors_n = max(len(row) for row in patterns)
    keys = sorted(patterns, key=lambda p: tuple(-1 if v is None else v for v in p))
    valid = np.zeros((len(keys), factors_n))
    top = np.zeros((len(keys), factors_n))
    for i, key in enumerate(keys):
        for k, value in enumerate(key):
            if value is not None:
                valid[i, k] = 1.0
                top[i, k] = 1.0 if value else 0.0
    sizes = np.array([patterns[key] for key in keys], dtype=np.int64)
    return sizes, valid, top


def _resampled_composites(
    sizes: np.ndarray, valid: np.ndarray, top: np.ndarray, b: int, seed: int
) -> list[float]:
    """M2 of ``b`` resamples of every respondent, sorted (one multinomial draw
    over the patterns each); a resample in which no factor was answered is
    left out."""
    rows_n = int(sizes.sum())
    rng = np.random.default_rng(seed)
    draws = rng.multinomial(rows_n, sizes / rows_n, size=b)  # b x patterns
    answered = draws @ valid
    satisfied = draws @ top
    # A factor nobody in a resample answered is left out of that resample.
    shares = np.where(answered > 0, satisfied / np.maximum(answered, 1), np.nan)
    usable = ~np.isnan(shares).all(axis=1)
    return sorted(np.nanmean(shares[usable], axis=1).tolist())


def composite_from_rows(
    respondent_rows: Sequence[Sequence[int | None]],
    b: int = BOOTSTRAP_DRAWS,
    seed: int = 0,
    min_n: int = MIN_N,
) -> CompositeIndex:
    """M2 with its bootstrap interval, from per-respondent factor values."""
    factors_n = max((len(row) for row in respondent_rows), default=0)
    props = []
    for k in range(factors_n):
        values = [row[k] for row in respondent_rows if k < len(row)]
        answered = [v for v in values if v is not None]
        props.append(wilson(sum(1 for v in answered if v), len(answered)))
    index = composite_index(props, min_n)
    interval = bootstrap_composite_interval(respondent_rows, b, seed, min_n)
    if index.estimate is None or interval is None:
        return index
    return CompositeIndex(index.estimate, index.used, index.dropped, *interval)
