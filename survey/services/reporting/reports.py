"""The overview of a scope: counts from the counting modules turned into figures.

Every number goes through ``survey.domain.statistics``; suppression is decided
here, once, so that pages, charts, exports and the open-data page agree.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache

from sqlalchemy import select

from survey.domain import statistics as st
from survey.domain.questions import OVERALL, SATISFACTION_FACTORS
from survey.extensions import db
from survey.models import Question, Survey, SurveyVersion, Unit
from survey.services.integrity.quality import units_under_review
from survey.services.reporting import scope_counts, unit_counts, unit_tree
from survey.services.reporting.comparison import SurveyComparison, survey_comparison
from survey.services.reporting.result_filter import ResultFilter
from survey.services.reporting.share_figures import (
    QualityNote,
    ShareFigure,
    grade_of,
    hidden_figure,
    honest_interval,
    likert_item,
    quality_note,
    top_two,
)
from survey.services.reporting.standardised import StandardisedFigure, standardised_rows
from survey.services.reporting.trend_points import MonthPoint, month_points
from survey.services.reporting.unit_rows import UnitRow, child_rows


@dataclass(frozen=True)
class Overview:
    survey: Survey
    scope: Unit
    filter: ResultFilter
    min_n: int
    responses: int
    overall: ShareFigure  # M1
    dissatisfied: ShareFigure  # M4
    factors: tuple[tuple[str, ShareFigure], ...]  # S1..S5
    composite: st.CompositeIndex  # M2 with its bootstrap interval
    months: tuple[MonthPoint, ...]
    benchmark: ShareFigure  # M1 over the whole survey (the city rate)
    phi: float  # overdispersion, estimated once over the survey's units
    children: tuple[UnitRow, ...]
    has_overall_question: bool = True
    quality: QualityNote | None = None
    grade: st.Grade = "-"  # M10 of the overall figure
    channels: ChannelSplit | None = None  # with all channels pooled only
    protected: bool = False  # hidden to protect a sibling in the parent's table
    comparison: SurveyComparison | None = None  # the survey's one model
    verdict: st.Band | None = None  # the scope against the city (not the city)
    # M5 per row of the units table (unit id); empty: no procedure groups known
    standardised: Mapping[int, StandardisedFigure] = field(default_factory=dict)


@dataclass(frozen=True)
class ChannelSplit:
    """M1 of the invited (official) and opt-in channels, and the gap between."""

    invited: ShareFigure
    optin: ShareFigure
    gap: st.Difference | None  # opt-in minus invited; None if either is hidden


def channel_split(
    survey: Survey, scope: Unit, flt: ResultFilter, min_n: int
) -> ChannelSplit:
    """The two channels reported apart (METHODOLOGY.md section 0)."""
    invited, optin = (
        top_two(
            scope_counts.dimension_counts(
                survey, scope, replace(flt, channel=c), OVERALL
            ),
            min_n,
        )
        for c in ("invited", "optin")
    )
    gap = None
    if invited.display.kind == "value" and optin.display.kind == "value":
        gap = st.newcombe_difference(optin.prop, invited.prop)
    return ChannelSplit(invited, optin, gap)


def overview(survey: Survey, scope: Unit, flt: ResultFilter) -> Overview:
    """M1, M4, S1..S5, M2, the monthly trend and the child units of ``scope``."""
    min_n = survey.min_n
    tree = unit_tree.scope_tree(scope)
    dimensions = (OVERALL, *SATISFACTION_FACTORS)
    # Published counts (the cell-key noise, survey.services.reporting.publishing): each
    # child's cell and the scope's own, never a sum of published cells.
    tables = unit_counts.dimension_table(survey, tree, flt, dimensions)
    total: dict[str, Counter[int]] = {d: tables[d].total for d in dimensions}
    overall_item = likert_item(total[OVERALL])
    overall = top_two(total[OVERALL], min_n)
    bottom = honest_interval(overall_item.bottom_two, 2)
    dissatisfied = ShareFigure(bottom, st.display_share(bottom, min_n=min_n))
    factors = tuple((d, top_two(total[d], min_n)) for d in SATISFACTION_FACTORS)
    composite = composite_with_interval(
        st.composite_index([f.prop for _, f in factors], min_n=min_n),
        scope_counts.factor_patterns(survey, scope, flt, SATISFACTION_FACTORS),
        min_n,
    )
    benchmark_counts = scope_counts.dimension_counts(survey, None, flt, OVERALL)
    benchmark = top_two(benchmark_counts, min_n)
    responses_table = unit_counts.responses_table(survey, tree, flt)
    flagged_table = unit_counts.hard_flagged_table(survey, tree, flt)
    # A child row is under review when any unit of its subtree is; so is the
    # headline of a scope with a unit under review in its subtree (grade C).
    in_review = [u for u in units_under_review(survey) if u in tree.child_of]
    reviewed = frozenset(tree.child_of[u] for u in in_review)
    comparison = survey_comparison(survey, flt)
    children = child_rows(
        tree,
        tables[OVERALL].children,
        responses_table.children,
        flagged_table.children,
        benchmark,
        overall,
        flt,
        min_n,
        comparison,
        reviewed,
    )
    responses = responses_table.total
    months = month_points(survey, scope, flt, min_n)
    protected = _protected_in_parent(survey, scope, flt, min_n)
    if protected:
        # Shown here, the figures would undo the parent page's complementary
        # suppression: parent minus the shown siblings minus this unit.
        overall, dissatisfied = hidden_figure(overall), hidden_figure(dissatisfied)
        factors = tuple((d, hidden_figure(f)) for d, f in factors)
        composite = st.composite_index((), min_n=min_n)
        months = tuple(replace(m, index=hidden_figure(m.index)) for m in months)
        children = tuple(
            replace(r, index=hidden_figure(r.index), band=None, protected=True)
            for r in children
        )
    return Overview(
        survey=survey,
        scope=scope,
        filter=flt,
        min_n=min_n,
        responses=responses,
        overall=overall,
        dissatisfied=dissatisfied,
        factors=factors,
        composite=composite,
        months=months,
        benchmark=benchmark,
        phi=comparison.model.phi,
        children=children,
        has_overall_question=_has_dimension(survey, OVERALL),
        quality=quality_note(responses, flagged_table.total, flt),
        grade=grade_of(overall, flt, under_review=bool(in_review)),
        channels=None
        if flt.channel or protected
        else channel_split(survey, scope, flt, min_n),
        protected=protected,
        comparison=comparison,
        verdict=None
        if protected or not overall.shown
        else comparison.verdict(scope.id),
        standardised={} if protected else standardised_rows(survey, tree, flt, min_n),
    )


def _protected_in_parent(
    survey: Survey, scope: Unit, flt: ResultFilter, min_n: int
) -> bool:
    """Whether the parent's units table hides ``scope`` to protect a sibling."""
    if scope.parent is None:
        return False
    tree = unit_tree.scope_tree(scope.parent)
    counts = unit_counts.dimension_table(survey, tree, flt, (OVERALL,))[
        OVERALL
    ].children
    sizes = {
        str(unit_id): float(sum(c for code, c in counter.items() if code != 9))
        for unit_id, counter in counts.items()
    }
    parent_n = sum(sizes.values())
    hidden = st.complementary_suppression(
        parent_n if parent_n >= min_n else 0, sizes, min_n=min_n
    )
    return str(scope.id) in hidden and sizes.get(str(scope.id), 0) >= min_n


def composite_with_interval(
    composite: st.CompositeIndex,
    patterns: Mapping[tuple[int | None, ...], int],
    min_n: int,
) -> st.CompositeIndex:
    """M2 with its bootstrap interval from the respondents' factor patterns."""
    if composite.estimate is None or not patterns:
        return composite
    # a fixed order, so that the same counts always give the same interval
    ordered = sorted(
        patterns.items(), key=lambda item: [-1 if v is None else v for v in item[0]]
    )
    interval = _bootstrap_interval(
        tuple(p for p, _ in ordered), tuple(c for _, c in ordered), min_n
    )
    if interval is None:
        return composite
    return replace(composite, low=interval[0], high=interval[1])


@lru_cache(maxsize=256)
def _bootstrap_interval(
    patterns: tuple[tuple[int | None, ...], ...], counts: tuple[int, ...], min_n: int
) -> tuple[float, float] | None:
    """Memoised on its whole input (a pure function), so it is never stale."""
    return st.bootstrap_composite_interval(patterns, min_n=min_n, counts=counts)


def _has_dimension(survey: Survey, dimension: str) -> bool:
    query = (
        select(Question.id)
        .join(SurveyVersion, Question.version_id == SurveyVersion.id)
        .where(SurveyVersion.survey_id == survey.id, Question.dimension == dimension)
        .limit(1)
    )
    return db.session.scalar(query) is not None
