"""The rows of a scope's units table: figures, verdicts, shrinkage and ranks."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import lru_cache

from survey.domain import statistics as st
from survey.models import Unit
from survey.services.reporting import unit_tree
from survey.services.reporting.comparison import SurveyComparison
from survey.services.reporting.result_filter import ResultFilter
from survey.services.reporting.share_figures import (
    QualityNote,
    ShareFigure,
    grade_of,
    hidden_figure,
    quality_note,
    top_two,
)


@dataclass(frozen=True)
class UnitRow:
    unit: Unit
    responses: int
    index: ShareFigure  # M1 of the unit's subtree
    band: st.Band | None  # None when the index is not shown
    drillable: bool
    is_scope: bool = False  # responses made at the scope unit itself
    protected: bool = False  # enough answers, hidden by complementary suppression
    quality: QualityNote | None = None
    grade: st.Grade = "-"
    under_review: bool = False  # a red integrity indicator, not yet cleared
    shrunk: st.Proportion | None = None  # M6, with the survey's one prior
    rank: st.RankInterval | None = None  # among the compared rows of the table
    ranked: int = 0  # how many rows the rank is among

    @property
    def n_eff(self) -> float:
        return self.index.prop.n

    @property
    def former(self) -> bool:
        """A unit that ended in a reform: shown apart from today's units."""
        return self.unit.valid_to is not None


def rankable_row(row: UnitRow, flt: ResultFilter) -> bool:
    """Fit for a ranking or an incentive export (METHODOLOGY.md sections 0, 4, 8).

    Invited channel only, n_eff >= 100 with a half-width of at most 7 points,
    shown, and not under review.
    """
    prop = row.index.prop
    return (
        flt.channel == "invited"
        and not row.under_review
        and row.index.display.kind == "value"
        and st.rankable(prop.n, prop.half_width)
    )


def child_rows(
    tree: unit_tree.ScopeTree,
    overall_per_unit: Mapping[int, Counter[int]],
    responses_per_unit: Mapping[int, int],
    flagged_per_unit: Mapping[int, int],
    benchmark: ShareFigure,
    parent: ShareFigure,
    flt: ResultFilter,
    min_n: int,
    comparison: SurveyComparison,
    reviewed: frozenset[int] = frozenset(),
) -> tuple[UnitRow, ...]:
    counts = unit_tree.fold_by_child(tree, overall_per_unit)
    responses = unit_tree.fold_by_child(
        tree, {u: Counter({"n": n}) for u, n in responses_per_unit.items()}
    )
    flagged = unit_tree.fold_by_child(
        tree, {u: Counter({"n": n}) for u, n in flagged_per_unit.items()}
    )
    units = list(tree.children)
    if tree.scope.id in responses:
        units.insert(0, tree.scope)  # answers given at the scope unit itself
    figures = {u.id: top_two(counts.get(u.id, Counter()), min_n) for u in units}
    hidden = st.complementary_suppression(
        parent.prop.n if parent.shown else 0,
        {str(u.id): figures[u.id].prop.n for u in units},
        min_n=min_n,
    )
    # One verdict per unit, from the survey's one comparison model: never
    # re-estimated from this page's units. A unit under review is shown but
    # compared with nothing (METHODOLOGY.md section 8).
    rows = []
    for unit in units:
        figure = figures[unit.id]
        protected = str(unit.id) in hidden and figure.prop.n >= min_n
        if str(unit.id) in hidden:
            figure = hidden_figure(figure)
        under_review = unit.id in reviewed
        band: st.Band | None = None
        if figure.shown and not under_review:
            band = comparison.verdict(unit.id, own=unit is tree.scope)
        unit_responses = responses.get(unit.id, Counter())["n"]
        rows.append(
            UnitRow(
                unit=unit,
                responses=unit_responses,
                index=figure,
                band=band,
                drillable=unit.id in tree.has_children and unit is not tree.scope,
                is_scope=unit is tree.scope,
                protected=protected,
                quality=quality_note(
                    unit_responses, flagged.get(unit.id, Counter())["n"], flt
                ),
                grade=grade_of(figures[unit.id], flt, under_review),
                under_review=under_review,
            )
        )
    return _with_shrinkage(tuple(rows), comparison.prior)


RANK_DRAWS = 2000  # posterior draws behind a rank interval


def _with_shrinkage(
    rows: tuple[UnitRow, ...], prior: tuple[float, float] | None
) -> tuple[UnitRow, ...]:
    """M6 shrunk estimates and rank intervals of the rows that have a verdict.

    The prior is the survey's (fitted once, like phi); ranks are among the
    rows of this table (1 = highest), so "rank 3-7 of 16" reads as it says.
    """
    if prior is None:
        return rows
    alpha, beta = prior
    compared = {
        str(r.unit.id): (r.index.prop.successes, r.index.prop.n)
        for r in rows
        if r.band is not None
    }
    ranks = _rank_intervals(tuple(sorted(compared.items())), alpha, beta)
    return tuple(
        replace(
            r,
            shrunk=st.shrink(r.index.prop.successes, r.index.prop.n, alpha, beta),
            rank=ranks.get(str(r.unit.id)),
            ranked=len(compared),
        )
        if str(r.unit.id) in compared
        else r
        for r in rows
    )


@lru_cache(maxsize=256)
def _rank_intervals(
    units: tuple[tuple[str, tuple[float, float]], ...], alpha: float, beta: float
) -> dict[str, st.RankInterval]:
    """Memoised on its whole input (pure, seeded): the same counts, the same ranks."""
    return st.posterior_rank_intervals(dict(units), alpha, beta, draws=RANK_DRAWS)
