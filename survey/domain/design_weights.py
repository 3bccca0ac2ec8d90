"""The official figure's weights: the wave's draw undone, then the period's cases.

docs/methodology.md, "The official figure". Pure arithmetic, no database:

1. Design weight. A wave draws, in each unit, a stratified random sample of
   its frame (the cases with a contact returned in the wave's period); the
   strata are procedure group x outcome x "rejected or late" (the boosted
   cases the wave oversamples). A drawn case of stratum h had the inclusion
   probability pi_h = n_h / N_h (drawn / frame), so its design weight is
   d = N_h / n_h.
2. Response adjustment. The respondents' design weights are post-stratified,
   stratum by stratum, to the cases of the figure's period:
   a_s = T_s / sum of d over the respondents of s, so w = d x a_s. The cases
   of a stratum without respondents are spread over the unit's other strata
   in proportion (the unit's weights are scaled to its T_unit).
3. Trimming. No respondent carries more than ``cap`` (5 %) of a figure's
   total weight, or twice an equal share (2 / n) in a figure of fewer than
   40 respondents, where 5 % cannot hold or would undo all weighting: larger
   weights are set to the cap and the excess spread over the others in
   proportion, until none is above it.
4. The figure is the weighted top-two share with Kish's n_eff, the design
   effect n / n_eff and a Wilson interval on n_eff.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass

from survey.domain import statistics as st

TRIM_CAP = 0.05  # no respondent above 5 % of a figure's total weight ...
SMALL_FIGURE_SHARES = 2.0  # ... or twice an equal share, below 40 respondents
_TRIM_ROUNDS = 100

Stratum = tuple[Hashable, ...]  # (unit, procedure group, outcome, boosted)


@dataclass(frozen=True)
class Respondent:
    """One invited answer to the overall question, with its invitation's draw."""

    key: Hashable  # the response
    unit: Hashable  # where the case was drawn
    wave: Hashable
    stratum: Stratum
    satisfied: bool  # answered 4 or 5


@dataclass(frozen=True)
class Trimmed:
    weights: dict[Hashable, float]
    capped: int  # respondents whose weight was cut to the cap
    feasible: bool  # False: fewer than 1 / cap respondents, the cap cannot hold


@dataclass(frozen=True)
class OfficialEstimate:
    prop: st.Proportion  # prop.n is n_eff
    n: int  # respondents
    design_effect: float | None  # n / n_eff
    largest_share: float | None  # the largest respondent's share of the weight
    capped: int
    cap_met: bool

    @property
    def n_eff(self) -> float:
        return self.prop.n


def stratum_of(
    unit: Hashable, group: str, outcome: str, late: bool, stratified: bool = True
) -> Stratum:
    """The draw's stratum of a case (as ``survey.domain.sampling.draw_sample``)."""
    boosted = outcome == "rejected" or late
    if not stratified:
        return (unit, boosted)
    return (unit, group, outcome, boosted)


def design_weights(
    respondents: Iterable[Respondent],
    frame: Mapping[tuple[Hashable, Stratum], int],
    drawn: Mapping[tuple[Hashable, Stratum], int],
) -> dict[Hashable, float]:
    """d = N_h / n_h per respondent, h its (wave, stratum).

    A frame smaller than the draw (a contact deleted since) counts as the
    draw: the weight is never below one.
    """
    weights: dict[Hashable, float] = {}
    for r in respondents:
        h = (r.wave, r.stratum)
        n_h = drawn.get(h, 0)
        if n_h <= 0:
            raise ValueError(f"respondent {r.key!r} has no draw behind it")
        weights[r.key] = max(frame.get(h, 0), n_h) / n_h
    return weights


def adjusted_weights(
    respondents: Iterable[Respondent],
    design: Mapping[Hashable, float],
    targets: Mapping[Stratum, float],
) -> dict[Hashable, float]:
    """w = d x a_s, post-stratified to the period's cases T_s, unit by unit.

    A unit without cases in the period keeps its design weights (its frame
    stands for its cases). In a unit with cases, strata with respondents but
    no case of the period keep theirs before the unit's scaling to T_unit.
    """
    respondents = list(respondents)
    by_stratum: dict[Stratum, float] = defaultdict(float)
    for r in respondents:
        by_stratum[r.stratum] += design[r.key]
    weights: dict[Hashable, float] = {}
    for r in respondents:
        target = targets.get(r.stratum, 0.0)
        factor = target / by_stratum[r.stratum] if target > 0 else 1.0
        weights[r.key] = design[r.key] * factor
    unit_target: dict[Hashable, float] = defaultdict(float)
    for stratum, cases in targets.items():
        unit_target[stratum[0]] += cases
    unit_sum: dict[Hashable, float] = defaultdict(float)
    for r in respondents:
        unit_sum[r.unit] += weights[r.key]
    for r in respondents:
        if unit_target.get(r.unit, 0.0) > 0:
            weights[r.key] *= unit_target[r.unit] / unit_sum[r.unit]
    return weights


def trim_to_share(weights: Mapping[Hashable, float], cap: float = TRIM_CAP) -> Trimmed:
    """Cap every weight at ``cap`` of the total, the total kept.

    The excess of the capped weights is spread over the others in proportion
    to their weights, again and again until none is above the cap. With
    fewer than 1 / cap respondents no weights can meet it; the weights are
    then made equal, the nearest they can come (each 1 / n of the total).
    """
    current = {k: float(w) for k, w in weights.items() if w > 0}
    if not current:
        return Trimmed({}, 0, True)
    total = sum(current.values())
    if len(current) * cap < 1.0 - 1e-12:
        equal = total / len(current)
        capped = sum(1 for w in current.values() if w > equal + 1e-9)
        return Trimmed(dict.fromkeys(current, equal), capped, False)
    ceiling = cap * total
    fixed: set[Hashable] = set()
    for _ in range(_TRIM_ROUNDS):
        over = {k for k, w in current.items() if k not in fixed and w > ceiling}
        if not over:
            break
        fixed |= over
        free = [k for k in current if k not in fixed]
        free_sum = sum(current[k] for k in free)
        remaining = total - ceiling * len(fixed)
        for k in fixed:
            current[k] = ceiling
        for k in free:
            current[k] *= remaining / free_sum if free_sum > 0 else 0.0
    return Trimmed(current, len(fixed), True)


def figure_cap(respondents: int, cap: float = TRIM_CAP) -> float:
    """The largest share of a figure one respondent may carry."""
    if respondents <= 0:
        return cap
    return max(cap, SMALL_FIGURE_SHARES / respondents)


def estimate(
    weights: Mapping[Hashable, float],
    satisfied: Mapping[Hashable, bool],
    cap: float = TRIM_CAP,
) -> OfficialEstimate:
    """The trimmed weighted share of a set of respondents, with its interval."""
    positive = sum(1 for w in weights.values() if w > 0)
    trimmed = trim_to_share(weights, figure_cap(positive, cap))
    w = trimmed.weights
    sum_w = sum(w.values())
    sum_w2 = sum(v * v for v in w.values())
    successes = sum(v for k, v in w.items() if satisfied[k])
    prop = st.weighted_wilson(successes, sum_w, sum_w2)
    n = len(w)
    deff = n / prop.n if prop.n > 0 else None
    largest = max(w.values()) / sum_w if sum_w > 0 else None
    return OfficialEstimate(prop, n, deff, largest, trimmed.capped, trimmed.feasible)
