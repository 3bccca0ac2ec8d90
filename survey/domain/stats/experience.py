"""M7, experience facts (METHODOLOGY.md section 3), from the bank's A-items.

Mean visits (A1, "5 times or more" counted as 5, so the mean is a floor);
the share served on time or earlier (A3, "don't remember" left out); the
share given a receipt for every fee (A5, among those who paid a fee); the
share asked for an informal payment (A6, "prefer not to answer" left out).
Each share has its Wilson interval, the mean its t interval.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from survey.domain.stats.distributions import t_quantile_975
from survey.domain.stats.proportions import MeanEstimate, Proportion, wilson


@dataclass(frozen=True)
class ShareFact:
    code: str  # the question
    key: str  # which fact: on_time, receipt, informal_payment
    yes: frozenset[str]
    among: frozenset[str]


SHARE_FACTS = (
    ShareFact(
        "A3",
        "on_time",
        frozenset({"early", "on_time"}),
        frozenset({"early", "on_time", "late"}),
    ),
    ShareFact("A5", "receipt", frozenset({"yes"}), frozenset({"yes", "no"})),
    ShareFact("A6", "informal_payment", frozenset({"yes"}), frozenset({"yes", "no"})),
)
VISITS = "A1"  # options "1".."5", the last "5 times or more"


def share_fact(fact: ShareFact, counts: Mapping[str, float]) -> Proportion:
    """The fact's share among the answers it counts, with its Wilson interval."""
    yes = sum(c for option, c in counts.items() if option in fact.yes)
    among = sum(c for option, c in counts.items() if option in fact.among)
    return wilson(yes, among)


def mean_visits(counts: Mapping[str, float]) -> tuple[MeanEstimate, float]:
    """Mean of A1 with its t interval, and its n (options that are numbers)."""
    values = {int(o): c for o, c in counts.items() if o.isdigit() and c > 0}
    n = sum(values.values())
    if n < 2:
        mean = sum(v * c for v, c in values.items()) / n if n else None
        return MeanEstimate(mean, None, None), n
    mean = sum(v * c for v, c in values.items()) / n
    variance = sum(c * (v - mean) ** 2 for v, c in values.items()) / (n - 1)
    t = t_quantile_975(n - 1) or 1.96
    half = t * math.sqrt(variance / n)
    return MeanEstimate(mean, mean - half, mean + half), n
