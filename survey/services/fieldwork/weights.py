"""The invited channel weighted to the case population, and its response rates.

METHODOLOGY.md sections 7 and 9. Three grouped queries do the counting: cases
per unit and cell, invited answers to the overall question per unit, cell and
code, and invitations with their responses per unit. Every respondent of a
cell has the same weight, so these counts are all the weighting needs; no
response is loaded into Python. ``survey.domain.weighting`` does the rest.

A cell is the procedure group x applicant type x outcome of the case an
invited respondent was invited for (response -> invitation -> case), within
the unit where the response is counted. The population is the units' cases
returned in the filter's period (all of them without dates); the respondent
group filter keeps the cases of that applicant type.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from survey.domain import statistics as st
from survey.domain import weighting
from survey.domain.weighting import CellWeights, Method
from survey.models import Unit
from survey.models.surveys import Survey
from survey.services.fieldwork.invited_counts import (
    ResponseRate,
    _case_period,
    _unit_counts,
    _UnitCounts,
    response_rates,
)
from survey.services.reporting import unit_tree
from survey.services.reporting.reports import Overview
from survey.services.reporting.result_filter import ResultFilter
from survey.services.reporting.share_figures import ShareFigure, hidden_figure

__all__ = [
    "ResponseRate",
    "WeightedFigure",
    "WeightedOverview",
    "WeightedRow",
    "_case_period",
    "_UnitCounts",
    "cell_weights",
    "response_rates",
    "weighted_overview",
]

_TOP = frozenset(st.LIKERT_CODES[-2:])


# --------------------------------------------------------------------------- #
# Results
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class WeightedFigure:
    """The weighted M1 of a unit or a scope, and how it was weighted."""

    figure: ShareFigure  # figure.prop.n is n_eff, so suppression goes by n_eff
    n: int  # invited answers (codes 1-5) behind the figure
    design_effect: float | None
    method: Method
    reason: str  # why not post-stratified on the cells ("" if it was)
    left_out: int = 0  # invited answers outside the figure (no case link or count)

    @property
    def n_eff(self) -> float:
        return self.figure.prop.n


@dataclass(frozen=True)
class WeightedRow:
    unit: Unit
    weighted: WeightedFigure
    rate: ResponseRate
    grade: st.Grade
    under_review: bool = False  # shown, never ranked nor exported for incentives
    rankable: bool = False  # fit for a ranking or an incentive export
    is_scope: bool = False  # responses made at the scope unit itself
    protected: bool = False  # hidden by complementary suppression


@dataclass(frozen=True)
class WeightedOverview:
    """The "Weighted (invited channel)" section of the overview."""

    scope: WeightedFigure  # every unit of the scope, weighted by case volume
    rate: ResponseRate
    grade: st.Grade
    rows: tuple[WeightedRow, ...]
    units_without_cases: int = 0  # units with invited answers but no cases
    has_data: bool = False  # any case, invitation or invited answer at all


# --------------------------------------------------------------------------- #
# Weighting
# --------------------------------------------------------------------------- #


def _unit_weights(counts: _UnitCounts) -> CellWeights:
    """One unit's weights from its answers and cases per cell."""
    sample = {cell: sum(codes.values()) for cell, codes in counts.answers.items()}
    return weighting.weight_cells(sample, counts.population)


def cell_weights(
    survey: Survey, scope: Unit, flt: ResultFilter
) -> dict[int, CellWeights]:
    """The weights of every unit of the scope with cases or invited answers."""
    return {
        unit_id: _unit_weights(counts)
        for unit_id, counts in _unit_counts(survey, scope, flt).items()
    }


def _satisfied(codes: Mapping[int, int]) -> int:
    return sum(n for code, n in codes.items() if code in _TOP)


def _pooled_figure(
    units: Iterable[_UnitCounts], weights: Iterable[CellWeights], min_n: int
) -> WeightedFigure:
    """M1 over several units, each weighted to its cases (so by case volume).

    Units that could not be weighted (no cases, no linked answers) are left
    out when another unit was weighted; when none was, the figure is the
    unweighted one over every invited answer, with the reason.
    """
    parts: list[tuple[float, float, float]] = []
    plain: list[tuple[float, float, float]] = []
    methods: dict[Method, str] = {}
    left_out = 0
    any_cases = False
    for counts, cw in zip(units, weights, strict=True):
        any_cases = any_cases or counts.cases > 0
        # A cell the cell-key noise took to zero has no weight: nothing to add.
        linked = [
            (_satisfied(c), sum(c.values()), cell)
            for cell, c in counts.answers.items()
            if sum(c.values()) > 0
        ]
        unlinked = (_satisfied(counts.unlinked), sum(counts.unlinked.values()))
        plain.extend((1.0, x, n) for x, n, _ in linked)
        plain.append((1.0, *unlinked))
        left_out += unlinked[1]
        if cw.method == "none":
            left_out += sum(n for _, n, _ in linked)
            continue
        methods.setdefault(cw.method, cw.reason)
        parts.extend((cw.weights[cell], x, n) for x, n, cell in linked)
    if parts:
        share = weighting.weighted_share(parts)
        method = weighting.plainest_method(methods)
        reason = methods[method]
    else:
        share = weighting.weighted_share(plain)
        method, left_out = "none", 0
        if not share.n > 0:
            reason = weighting.NO_RESPONDENTS
        else:
            reason = weighting.NOT_LINKED if any_cases else weighting.NO_CASES
    figure = ShareFigure(share.prop, st.display_share(share.prop, min_n=min_n))
    return WeightedFigure(
        figure, round(share.n), share.design_effect, method, reason, left_out
    )


def weighted_overview(report: Overview) -> WeightedOverview | None:
    """The weighted invited figures of the report's scope and of its child units.

    None when the report looks at the opt-in channel only. The same
    suppression as the overview's applies: min n on n_eff, complementary
    suppression among the rows, and nothing when the overview protects a
    sibling; units under review are shown, graded C and never rankable.
    """
    flt, scope, min_n = report.filter, report.scope, report.min_n
    if flt.channel == "optin":
        return None
    counts = _unit_counts(report.survey, scope, flt)
    weights = {unit_id: _unit_weights(c) for unit_id, c in counts.items()}
    tree = unit_tree.scope_tree(scope)
    members = _members_by_child(counts, tree.child_of)
    overall = _figure_of(counts, weights, list(counts), min_n)
    units = list(tree.children)
    if members.get(scope.id):
        units.insert(0, scope)  # answers or cases at the scope unit itself
    figures = {
        u.id: _figure_of(counts, weights, members.get(u.id, []), min_n) for u in units
    }
    hidden = st.complementary_suppression(
        overall.n_eff if overall.figure.shown else 0,
        {str(u.id): figures[u.id].n_eff for u in units},
        min_n=min_n,
    )
    reviewed = {r.unit.id for r in report.children if r.under_review}
    rows = [
        _weighted_row(
            unit,
            figures[unit.id],
            _rate_of(counts, members.get(unit.id, [])),
            under_review=unit.id in reviewed,
            is_hidden=report.protected or str(unit.id) in hidden,
            is_scope=unit is scope,
            min_n=min_n,
        )
        for unit in units
    ]
    if report.protected:
        overall = replace(overall, figure=hidden_figure(overall.figure))
    return WeightedOverview(
        scope=overall,
        rate=_rate_of(counts, list(counts)),
        grade=st.reliability_grade(overall.n_eff, invited=True),
        rows=tuple(rows),
        units_without_cases=(
            _units_without_cases(counts) if overall.method != "none" else 0
        ),
        has_data=bool(counts),
    )


def _members_by_child(
    counts: Mapping[int, _UnitCounts], child_of: Mapping[int, int]
) -> dict[int, list[int]]:
    """The units with counts, grouped by the child of the scope they lie in."""
    members: dict[int, list[int]] = defaultdict(list)
    for unit_id in counts:
        child = child_of.get(unit_id)
        if child is not None:
            members[child].append(unit_id)
    return members


def _figure_of(
    counts: Mapping[int, _UnitCounts],
    weights: Mapping[int, CellWeights],
    unit_ids: list[int],
    min_n: int,
) -> WeightedFigure:
    """The pooled figure of these units, taken in the order of their ids."""
    ordered = sorted(unit_ids)
    return _pooled_figure(
        (counts[u] for u in ordered), (weights[u] for u in ordered), min_n
    )


def _rate_of(counts: Mapping[int, _UnitCounts], unit_ids: list[int]) -> ResponseRate:
    """Cases, invitations and invited responses of these units together."""
    found = [counts[u] for u in unit_ids]
    return ResponseRate(
        sum(c.cases for c in found),
        sum(c.invitations for c in found),
        sum(c.responses for c in found),
    )


def _weighted_row(
    unit: Unit,
    weighted: WeightedFigure,
    rate: ResponseRate,
    *,
    under_review: bool,
    is_hidden: bool,
    is_scope: bool,
    min_n: int,
) -> WeightedRow:
    """One unit's row: graded (C when under review), hidden when suppressed."""
    grade = st.reliability_grade(
        weighted.n_eff, invited=True, flag="red" if under_review else "none"
    )
    if is_hidden:
        weighted = replace(weighted, figure=hidden_figure(weighted.figure))
    return WeightedRow(
        unit=unit,
        weighted=weighted,
        rate=rate,
        grade=grade,
        under_review=under_review,
        rankable=_rankable(weighted, under_review),
        is_scope=is_scope,
        protected=is_hidden and weighted.n_eff >= min_n,
    )


def _units_without_cases(counts: Mapping[int, _UnitCounts]) -> int:
    """Units with invited answers but no completed case in the period."""
    return sum(1 for c in counts.values() if c.cases == 0 and (c.answers or c.unlinked))


def _rankable(weighted: WeightedFigure, under_review: bool) -> bool:
    """Fit for a ranking or an incentive export (METHODOLOGY.md sections 4, 8)."""
    prop = weighted.figure.prop
    return (
        not under_review
        and weighted.figure.display.kind == "value"
        and st.rankable(prop.n, prop.half_width)
    )
