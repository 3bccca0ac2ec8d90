"""M3, a factor's perception index: the mean of its items' top-two-box shares.

METHODOLOGY.md section 3. Items with fewer than ``min_n`` answers are left
out of the mean (as factors are from M2), and the index is marked partial.

The interval is the mean of the items' Wilson limits. The items are answered
by the same respondents, so their shares move together; the mean of the
limits is the interval the mean would have if they moved together exactly,
and is never narrower than the true one (the standard deviation of a sum is
at most the sum of the standard deviations). It needs only the items'
published shares, so it reveals nothing the item rows do not.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from survey.domain.stats.proportions import Proportion
from survey.domain.stats.thresholds import MIN_N


@dataclass(frozen=True)
class PerceptionIndex:
    """M3 of one factor; ``prop.n`` is the smallest n among the items used."""

    prop: Proportion
    used: int  # items in the mean
    dropped: int  # items left out for fewer than min_n answers

    @property
    def is_partial(self) -> bool:
        return bool(self.dropped)


def perception_index(
    items: Sequence[Proportion], min_n: float = MIN_N
) -> PerceptionIndex:
    """M3 over a factor's items (each its top-two share with its interval)."""
    used = [
        p
        for p in items
        if p.estimate is not None
        and p.low is not None
        and p.high is not None
        and p.n >= min_n
    ]
    dropped = len(items) - len(used)
    if not used:
        smallest = min((p.n for p in items), default=0.0)
        return PerceptionIndex(Proportion(0.0, smallest, None, None, None), 0, dropped)
    k = len(used)
    estimate = sum(p.estimate or 0.0 for p in used) / k
    n = min(p.n for p in used)
    prop = Proportion(
        estimate * n,
        n,
        estimate,
        sum(p.low or 0.0 for p in used) / k,
        sum(p.high or 0.0 for p in used) / k,
    )
    return PerceptionIndex(prop, k, dropped)
