"""The city's reference rate for a rare pattern, robust both ways (issue 25).

A unit's all-top share is judged against what the city's honest units show.
The median unit's share is robust to a few manipulated units, but where the
pattern is rare (all-top with the reverse-worded item coded: well under one
form in a hundred) most units have none and the median is 0: a single
honest all-top form is then "impossible" and red, which is how honest wards
of the real city (P-BA-RIA, P-PHUOC-LONG, P-THU-DAU-MOT) went under review.

``robust_rate`` is the pooled share of the units that are not themselves
red against it (iterated: the pool without the outliers, then the outliers
judged again), never below the median unit's share, and never zero (a
Laplace floor: one form more than the pool holds). The few manipulated
units cannot set it; the many honest units' rare forms still count.
Red on all-top also needs ``MIN_RED_COUNT`` such forms
(``survey.domain.quality``): one or two can be anyone's.
"""

from __future__ import annotations

from collections.abc import Sequence

from survey.domain.quality import ALL_TOP_MIN_RED, binomial_upper_tail

MIN_UNIT_N = 10
OUTLIER_P = 0.001  # a unit this unlikely under the pooled rate leaves the pool
ROUNDS = 3


def _median(values: Sequence[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def robust_rate(
    counts: Sequence[tuple[int, int]], min_n: int = MIN_UNIT_N
) -> float | None:
    """The reference rate from each unit's (x, n): the pool without outliers."""
    units = [(x, n) for x, n in counts if n >= min_n]
    if not units:
        return None
    kept = units
    for _ in range(ROUNDS):
        x_sum, n_sum = sum(x for x, _ in kept), sum(n for _, n in kept)
        rate = (x_sum + 1) / (n_sum + 2)
        kept = [
            (x, n)
            for x, n in units
            if x < ALL_TOP_MIN_RED or binomial_upper_tail(x, n, rate) >= OUTLIER_P
        ]
    x_sum, n_sum = sum(x for x, _ in kept), sum(n for _, n in kept)
    pooled = (x_sum + 1) / (n_sum + 2)
    return max(_median([x / n for x, n in units]), pooled)
