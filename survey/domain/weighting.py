"""Weights to the case population (METHODOLOGY.md section 7), cell by cell.

A cell is one procedure group x applicant type x outcome of a unit's
completed cases. Every respondent of a cell gets the same weight, so the
functions here take counts per cell (respondents, cases, answers) and return
one weight per cell: nothing needs a row per respondent.

How a unit is weighted, from the best to the plainest:

1. ``cells``: post-stratification, w = N_h / n_h, when the unit has on
   average at least ``MIN_CELL_N`` respondents per cell holding cases; a cell
   with fewer (or with respondents but no cases) is merged with a neighbour.
2. ``margins``: raking to the procedure-group, applicant-type and outcome
   totals when the cells are too sparse for 1 but every margin has on average
   ``MIN_CELL_N`` respondents per category.
3. ``unit``: one weight N / n for every respondent of the unit, so that the
   unit still counts with its case volume in the figures above it; also when
   raking cannot meet the margins (answers in cells the cases contradict).
4. ``none``: no case counts (weight 1), or no respondents at all.

After 1 and 2 the weights are trimmed to [0.3, 3] x their mean and raked
again to the margins, at most five rounds; they always add up to the unit's
number of cases, which is what makes a pooled figure weight units by their
case volume rather than by their response count.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal, TypeAlias

from survey.domain import statistics as st

Cell: TypeAlias = tuple[str, str, str]  # procedure group, applicant type, outcome
CELL_VARIABLES = ("procedure_group", "applicant_type", "outcome")
TRIM_LOW = 0.3  # x the mean weight
TRIM_HIGH = 3.0
MAX_TRIM_ROUNDS = 5  # trim and re-rake at most this often
RAKE_TOLERANCE = 1e-6  # every margin within this share of its total
RAKE_MAX_ROUNDS = 100
RAKE_ACCEPTANCE = 1e-3  # margins missed by more than this: the raking failed
RESPONSE_RATE_WARNING = 0.20  # invited channel: warn below this response rate

Method: TypeAlias = Literal["cells", "margins", "unit", "none"]
# Why a unit is not post-stratified on its cells; "" when it is.
SPARSE_CELLS = "sparse_cells"  # raked on the margins instead
SPARSE_MARGINS = "sparse_margins"  # one weight for the whole unit
MARGINS_UNMET = "margins_unmet"  # the answers cannot meet the case totals
NO_CASES = "no_cases"  # no completed cases in the period: unweighted
NOT_LINKED = "not_linked"  # respondents not linked to a case: unweighted
NO_RESPONDENTS = "no_respondents"
# From the most to the least detailed, to name the plainest of several.
METHOD_ORDER: tuple[Method, ...] = ("cells", "margins", "unit", "none")

_SEPARATOR = "\x1f"  # below every printable character: keeps the tuple order


@dataclass(frozen=True)
class CellWeights:
    """One unit's weights: one respondent's weight in each sampled cell."""

    method: Method
    reason: str  # "" when post-stratified on the cells
    weights: Mapping[Cell, float]
    cases: float  # N: the weights of all respondents add up to it (0: unweighted)
    respondents: int
    trim_rounds: int = 0


@dataclass(frozen=True)
class WeightedShare:
    """A weighted top-two share: its interval is Wilson's on Kish's n_eff."""

    prop: st.Proportion  # prop.n is n_eff
    n: float  # answers behind the figure
    sum_w: float
    sum_w2: float

    @property
    def n_eff(self) -> float:
        return self.prop.n

    @property
    def design_effect(self) -> float | None:
        """Kish's 1 + CV^2 of the weights, n / n_eff; None without answers."""
        if not (self.n > 0 and self.prop.n > 0):
            return None
        return self.n / self.prop.n


def _key(cell: Cell) -> str:
    return _SEPARATOR.join(cell)


def margin_targets(
    population: Mapping[Cell, float], sampled: Iterable[Cell]
) -> dict[str, dict[str, float]]:
    """Case totals per category of each cell variable the sample can be raked to.

    A variable is left out when some respondents are in a category of it that
    has no cases (a case returned outside the period, say): those respondents
    could not be moved by it. A category without respondents cannot be
    weighted up; its cases are spread over the variable's other categories in
    proportion, so that every margin adds up to the unit's number of cases.
    """
    sampled = list(sampled)
    total = sum(population.values())
    margins: dict[str, dict[str, float]] = {}
    for position, variable in enumerate(CELL_VARIABLES):
        reachable = {cell[position] for cell in sampled}
        totals: dict[str, float] = {}
        for cell, cases in population.items():
            if cell[position] in reachable:
                totals[cell[position]] = totals.get(cell[position], 0.0) + cases
        kept = sum(totals.values())
        if kept > 0 and reachable <= set(totals):
            margins[variable] = {c: t * total / kept for c, t in totals.items()}
    return margins


def _rake_cells(
    sample: Mapping[Cell, int],
    margins: Mapping[str, Mapping[str, float]],
    weights: Mapping[Cell, float],
) -> dict[Cell, float] | None:
    """Rake cell totals (respondents x weight) to the margins; per-respondent out.

    None when the raked weights miss a margin by more than RAKE_ACCEPTANCE of
    its total, or leave a respondent without weight: the answers cannot meet
    the case totals (a sampled cell the population's margins contradict).
    """
    cells = sorted(sample)
    rows = [dict(zip(CELL_VARIABLES, cell, strict=True)) for cell in cells]
    raked = st.rake(
        rows,
        margins,
        max_rounds=RAKE_MAX_ROUNDS,
        tol=RAKE_TOLERANCE,
        base_weights=[sample[cell] * weights[cell] for cell in cells],
    )
    if not all(w > 0 and math.isfinite(w) for w in raked):
        return None
    for position, variable in enumerate(CELL_VARIABLES):
        targets = margins.get(variable)
        if not targets:
            continue
        scale = sum(targets.values())
        for category, target in targets.items():
            got = sum(
                w
                for w, cell in zip(raked, cells, strict=True)
                if cell[position] == category
            )
            if abs(got - target) > RAKE_ACCEPTANCE * scale:
                return None
    return {
        cell: total / sample[cell] for cell, total in zip(cells, raked, strict=True)
    }


def _mean_weight(sample: Mapping[Cell, int], weights: Mapping[Cell, float]) -> float:
    respondents = sum(sample.values())
    return sum(n * weights[cell] for cell, n in sample.items()) / respondents


def _trim_and_rerake(
    sample: Mapping[Cell, int],
    weights: Mapping[Cell, float],
    margins: Mapping[str, Mapping[str, float]],
    low: float,
    high: float,
    max_rounds: int,
) -> tuple[dict[Cell, float], int]:
    """Clip to [low, high] x the mean weight and re-rake, at most max_rounds.

    When re-raking cannot meet the margins, the clipped weights are kept
    (bounded weights matter more) and the trimming ends there.
    """
    current = dict(weights)
    for done in range(max_rounds):
        mean = _mean_weight(sample, current)
        floor, ceiling = low * mean, high * mean
        if all(floor - 1e-12 <= w <= ceiling + 1e-12 for w in current.values()):
            return current, done
        clipped = {cell: min(ceiling, max(floor, w)) for cell, w in current.items()}
        raked = _rake_cells(sample, margins, clipped)
        if raked is None:
            return clipped, done + 1
        current = raked
    return current, max_rounds


def weight_cells(
    sample: Mapping[Cell, int],
    population: Mapping[Cell, float],
    min_cell_n: int = st.MIN_CELL_N,
    low: float = TRIM_LOW,
    high: float = TRIM_HIGH,
    max_trim_rounds: int = MAX_TRIM_ROUNDS,
) -> CellWeights:
    """Weights of one unit's respondents from respondents and cases per cell."""
    sample, population = _occupied_cells(sample, population)
    respondents = sum(sample.values())
    cases = sum(population.values())
    if respondents == 0:
        return CellWeights("none", NO_RESPONDENTS, {}, cases, 0)
    if not cases > 0:
        return CellWeights(
            "none", NO_CASES, dict.fromkeys(sample, 1.0), 0.0, respondents
        )
    margins = margin_targets(population, sample)
    method, reason, weights = _first_weights(sample, population, margins, min_cell_n)
    if method == "unit":
        return CellWeights(method, reason, weights, cases, respondents)
    weights, rounds = _trim_and_rerake(
        sample, weights, margins, low, high, max_trim_rounds
    )
    weights = _to_total(sample, weights, cases)
    return CellWeights(method, reason, weights, cases, respondents, rounds)


def _occupied_cells(
    sample: Mapping[Cell, int], population: Mapping[Cell, float]
) -> tuple[dict[Cell, int], dict[Cell, float]]:
    """The cells with respondents, and those with cases; a negative count fails."""
    if any(n < 0 for n in sample.values()) or any(v < 0 for v in population.values()):
        raise ValueError("negative count in a cell")
    occupied = {cell: n for cell, n in sample.items() if n > 0}
    return occupied, {cell: float(v) for cell, v in population.items() if v > 0}


def _first_weights(
    sample: Mapping[Cell, int],
    population: Mapping[Cell, float],
    margins: Mapping[str, Mapping[str, float]],
    min_cell_n: int,
) -> tuple[Method, str, dict[Cell, float]]:
    """The most detailed method the counts allow, its reason and its weights
    before trimming ("unit": one even weight, final as it is)."""
    respondents = sum(sample.values())
    even = dict.fromkeys(sample, sum(population.values()) / respondents)
    if respondents >= min_cell_n * len(population):
        return "cells", "", _post_stratified(sample, population, min_cell_n)
    if respondents < min_cell_n * _most_categories(population):
        return "unit", SPARSE_MARGINS, even
    raked = _rake_cells(sample, margins, even) if margins else None
    if raked is not None:
        return "margins", SPARSE_CELLS, raked
    return "unit", MARGINS_UNMET, even


def _most_categories(population: Mapping[Cell, float]) -> int:
    """The largest number of categories any cell variable has among the cases."""
    return max(
        len({cell[i] for cell in population}) for i in range(len(CELL_VARIABLES))
    )


def _post_stratified(
    sample: Mapping[Cell, int], population: Mapping[Cell, float], min_cell_n: int
) -> dict[Cell, float]:
    """N_h / n_h per cell, sparse cells merged (``st.post_stratification_weights``)."""
    keyed = st.post_stratification_weights(
        {_key(cell): n for cell, n in sample.items()},
        {_key(cell): v for cell, v in population.items()},
        min_cell_n,
    )
    return {cell: keyed[_key(cell)] for cell in sample}


def _to_total(
    sample: Mapping[Cell, int], weights: Mapping[Cell, float], cases: float
) -> dict[Cell, float]:
    """Raking meets the margins to RAKE_TOLERANCE: bring the total back to N
    exactly, so that the unit counts with its case volume above it."""
    total = sum(n * weights[cell] for cell, n in sample.items())
    return {cell: w * cases / total for cell, w in weights.items()}


def weighted_share(parts: Iterable[tuple[float, float, float]]) -> WeightedShare:
    """Top-two share from (weight, satisfied, answers) per cell, pooled.

    Every answer of a part has the part's weight, so the sums are
    sum w = weight x answers and sum w^2 = weight^2 x answers; weights of one
    give the unweighted share and Wilson interval.
    """
    sum_w = sum_w2 = successes = answers = 0.0
    for weight, satisfied, n in parts:
        if weight < 0 or satisfied < 0 or n < satisfied:
            raise ValueError("a part needs 0 <= satisfied <= answers and a weight >= 0")
        sum_w += weight * n
        sum_w2 += weight * weight * n
        successes += weight * satisfied
        answers += n
    return WeightedShare(
        st.weighted_wilson(successes, sum_w, sum_w2), answers, sum_w, sum_w2
    )


def plainest_method(methods: Iterable[Method]) -> Method:
    """The least detailed of several units' methods ("none" if there are none)."""
    found = set(methods)
    for method in reversed(METHOD_ORDER):
        if method in found:
            return method
    return "none"


def response_rate(responses: int, invitations: int) -> float | None:
    """AAPOR RR1 of the invited channel: responses / invitations sent.

    Every invited case counts as eligible (a completed case of the frame), so
    unanswered, unopened and expired links are all in the denominator.
    """
    if invitations <= 0:
        return None
    return min(1.0, max(0, responses) / invitations)
