"""What a results page shows: counts from ``results`` turned into figures.

Every number goes through ``survey.domain.statistics``; suppression is decided
here, once, so that pages, charts, exports and the open-data page agree.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import lru_cache

from sqlalchemy import select

from survey.domain import disclosure
from survey.domain import statistics as st
from survey.domain.question_types import question_type
from survey.domain.questions import (
    OVERALL,
    SATISFACTION_FACTORS,
)
from survey.extensions import db
from survey.models import Question, Survey, SurveyVersion, Unit
from survey.models._time import utcnow
from survey.services.answering.surveys import load_version_questions
from survey.services.integrity.quality import units_under_review
from survey.services.reporting import comment_blocks, results
from survey.services.reporting.comparison import SurveyComparison, survey_comparison
from survey.services.reporting.results import ResultFilter
from survey.services.reporting.standardised import StandardisedFigure, standardised_rows


@dataclass(frozen=True)
class ShareFigure:
    """A share with its interval and what may be shown of it."""

    prop: st.Proportion
    display: st.ShareDisplay

    @property
    def n(self) -> int:
        return round(self.prop.n)

    @property
    def shown(self) -> bool:
        return self.display.kind != "suppressed"


def share_figure(successes: float, n: float, min_n: int) -> ShareFigure:
    prop = st.wilson(successes, n)
    return ShareFigure(prop, st.display_share(prop, min_n=min_n))


def hidden_figure(figure: ShareFigure) -> ShareFigure:
    """The same n, but nothing else shown (complementary suppression)."""
    return ShareFigure(figure.prop, st.ShareDisplay("suppressed", None, False))


@dataclass(frozen=True)
class QualityNote:
    """Hard-flagged responses of a slice: left out of the figures by default."""

    flagged: int
    share: st.Proportion  # flagged among all responses of the slice, flagged too
    included: bool  # the filter put them back into the figures


def quality_note(responses: int, flagged: int, flt: ResultFilter) -> QualityNote:
    """``responses`` as counted under ``flt``; ``flagged`` whatever the filter."""
    total = responses if flt.include_flagged else responses + flagged
    return QualityNote(flagged, st.wilson(flagged, total), flt.include_flagged)


def grade_of(
    figure: ShareFigure, flt: ResultFilter, under_review: bool = False
) -> st.Grade:
    """M10 of a figure; a unit under review has a red integrity flag."""
    return st.reliability_grade(
        figure.prop.n,
        invited=flt.channel == "invited",
        flag="red" if under_review else "none",
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


@dataclass(frozen=True)
class MonthPoint:
    month: str  # 'YYYY-MM', or the week's Monday 'YYYY-MM-DD' with ?trend=week
    responses: int
    index: ShareFigure
    new_version: int | None  # a version first published in this month
    incomplete: bool = False  # the current month (week): still filling up
    # p-chart (3 sigma around the complete periods' mean, runs of 8): "above",
    # "below", "run" or None; never for the running or a hidden period
    signal: str | None = None


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
        _top_two(
            results.dimension_counts(survey, scope, replace(flt, channel=c), OVERALL),
            min_n,
        )
        for c in ("invited", "optin")
    )
    gap = None
    if invited.display.kind == "value" and optin.display.kind == "value":
        gap = st.newcombe_difference(optin.prop, invited.prop)
    return ChannelSplit(invited, optin, gap)


def _item(counts: Mapping[int, int]) -> st.ItemSummary:
    return st.summarise_likert(
        {k: v for k, v in counts.items() if k in (*st.LIKERT_CODES, st.NOT_APPLICABLE)}
    )


def _top_two(counts: Mapping[int, int], min_n: int) -> ShareFigure:
    item = _item(counts)
    prop = honest_interval(item.top_two, 2)
    return ShareFigure(prop, st.display_share(prop, min_n=min_n))


def honest_interval(prop: st.Proportion, success_codes: int) -> st.Proportion:
    """With the cell-key noise on, the interval widened for it.

    The share is perturbed counts over perturbed counts; the Wilson interval
    is recomputed at the effective n whose sampling variance equals the
    share's sampling plus noise variance (``disclosure.effective_n``).
    """
    if not results.perturbing() or prop.estimate is None:
        return prop
    n_eff = disclosure.effective_n(
        prop.successes, prop.n, success_codes, len(st.LIKERT_CODES) - success_codes
    )
    wide = st.wilson(prop.estimate * n_eff, n_eff)
    return replace(prop, low=wide.low, high=wide.high)


def overview(survey: Survey, scope: Unit, flt: ResultFilter) -> Overview:
    """M1, M4, S1..S5, M2, the monthly trend and the child units of ``scope``."""
    min_n = survey.min_n
    tree = results.scope_tree(scope)
    dimensions = (OVERALL, *SATISFACTION_FACTORS)
    # Published counts (the cell-key noise, survey.services.reporting.results): each
    # child's cell and the scope's own, never a sum of published cells.
    tables = results.dimension_table(survey, tree, flt, dimensions)
    total: dict[str, Counter[int]] = {d: tables[d].total for d in dimensions}
    overall_item = _item(total[OVERALL])
    overall = _top_two(total[OVERALL], min_n)
    bottom = honest_interval(overall_item.bottom_two, 2)
    dissatisfied = ShareFigure(bottom, st.display_share(bottom, min_n=min_n))
    factors = tuple((d, _top_two(total[d], min_n)) for d in SATISFACTION_FACTORS)
    composite = composite_with_interval(
        st.composite_index([f.prop for _, f in factors], min_n=min_n),
        results.factor_patterns(survey, scope, flt, SATISFACTION_FACTORS),
        min_n,
    )
    benchmark_counts = results.dimension_counts(survey, None, flt, OVERALL)
    benchmark = _top_two(benchmark_counts, min_n)
    responses_table = results.responses_table(survey, tree, flt)
    flagged_table = results.hard_flagged_table(survey, tree, flt)
    # A child row is under review when any unit of its subtree is; so is the
    # headline of a scope with a unit under review in its subtree (grade C).
    in_review = [u for u in units_under_review(survey) if u in tree.child_of]
    reviewed = frozenset(tree.child_of[u] for u in in_review)
    comparison = survey_comparison(survey, flt)
    children = _child_rows(
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
    months = _months(survey, scope, flt, min_n)
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
    tree = results.scope_tree(scope.parent)
    counts = results.dimension_table(survey, tree, flt, (OVERALL,))[OVERALL].children
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


def _child_rows(
    tree: results.ScopeTree,
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
    counts = results.fold_by_child(tree, overall_per_unit)
    responses = results.fold_by_child(
        tree, {u: Counter({"n": n}) for u, n in responses_per_unit.items()}
    )
    flagged = results.fold_by_child(
        tree, {u: Counter({"n": n}) for u, n in flagged_per_unit.items()}
    )
    units = list(tree.children)
    if tree.scope.id in responses:
        units.insert(0, tree.scope)  # answers given at the scope unit itself
    figures = {u.id: _top_two(counts.get(u.id, Counter()), min_n) for u in units}
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


def _months(
    survey: Survey, scope: Unit, flt: ResultFilter, min_n: int
) -> tuple[MonthPoint, ...]:
    period = flt.trend
    per_month = results.responses_by_month(survey, scope, flt, period)
    overall = results.dimension_counts_by_month(survey, scope, flt, OVERALL, period)
    versions = {m: v for v, m in results.version_months(survey, period).items()}
    current = current_period(period)
    points = tuple(
        MonthPoint(
            month=month,
            responses=count,
            index=_top_two(overall.get(month, Counter()), min_n),
            new_version=versions.get(month),
            incomplete=month >= current,
        )
        for month, count in sorted(per_month.items())
    )
    return with_signals(points)


def with_signals(points: tuple[MonthPoint, ...]) -> tuple[MonthPoint, ...]:
    """Mark p-chart signals on the complete periods whose figure is shown."""
    charted = [
        i
        for i, m in enumerate(points)
        if not m.incomplete and m.index.display.kind == "value"
    ]
    x = sum(points[i].index.prop.successes for i in charted)
    n = sum(points[i].index.prop.n for i in charted)
    if len(charted) < 2 or not n > 0:
        return points
    signals = st.p_chart_signals(
        [(points[i].index.prop.successes, points[i].index.prop.n) for i in charted],
        x / n,
    )
    marked = list(points)
    for i, signal in zip(charted, signals, strict=True):
        kind = signal.outside or ("run" if signal.in_run else None)
        if kind:
            marked[i] = replace(points[i], signal=kind)
    return tuple(marked)


def current_period(period: str = "month", now: datetime | None = None) -> str:
    """The local month 'YYYY-MM' (or week's Monday 'YYYY-MM-DD') still running."""
    local = (now or utcnow()) + results.LOCAL_OFFSET
    if period == "week":
        return (local.date() - timedelta(days=local.weekday())).isoformat()
    return local.strftime("%Y-%m")


# --------------------------------------------------------------------------- #
# Funnel plot
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class FunnelLine:
    n: float
    low95: float
    high95: float
    low998: float
    high998: float


def funnel_lines(
    p0: float, max_n: float, phi: float, steps: int = 60
) -> list[FunnelLine]:
    """Funnel limits around p0 from n = 1 to ``max_n`` (for the chart)."""
    top = max(max_n * 1.1, 30.0)
    points = sorted(
        {max(1.0, round(top * (i / steps) ** 2, 1)) for i in range(steps + 1)}
    )
    lines = []
    for n in points:
        low95, high95 = st.funnel_limits(p0, n, st.Z95, phi)
        low998, high998 = st.funnel_limits(p0, n, st.Z998, phi)
        lines.append(FunnelLine(n, low95, high95, low998, high998))
    return lines


# --------------------------------------------------------------------------- #
# Per question
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class QuestionResult:
    question: Question
    n: int  # respondents (valid answers for scales)
    shown: bool  # False: below the minimum n
    likert: st.ItemSummary | None = None
    choice: st.ChoiceSummary | None = None
    nps: st.NpsResult | None = None
    comments: int = 0  # text questions: comments in the slice
    comments_shown: bool = False
    # The same small-n rules as the overview (``st.display_share``): the
    # top-two share of a scale, and each option's share of a choice question.
    top_two: ShareFigure | None = None
    option_shares: Mapping[str, ShareFigure] = field(default_factory=dict)
    code_shares: Mapping[int, ShareFigure] = field(default_factory=dict)  # 1..5


@dataclass(frozen=True)
class QuestionReport:
    survey: Survey
    scope: Unit
    filter: ResultFilter
    version: SurveyVersion | None
    min_n: int
    questions: tuple[QuestionResult, ...] = field(default_factory=tuple)


def report_version(survey: Survey, flt: ResultFilter) -> SurveyVersion | None:
    """The version whose wording labels the results: the filtered or newest one."""
    published = [v for v in survey.versions if v.published_at is not None]
    if flt.version:
        chosen = [v for v in published if v.number == flt.version]
        return chosen[0] if chosen else None
    return published[-1] if published else None


def question_report(survey: Survey, scope: Unit, flt: ResultFilter) -> QuestionReport:
    """Distributions of every question of the version, for ``scope``."""
    min_n = survey.min_n
    version = report_version(survey, flt)
    if version is None:
        return QuestionReport(survey, scope, flt, None, min_n)
    # Answers are counted for the version whose wording labels them: another
    # version may have changed a question's meaning or options.
    counted = replace(flt, version=version.number)
    scales = results.scale_counts(survey, scope, counted)
    options = results.option_counts(survey, scope, counted)
    respondents = results.respondents_by_question(survey, scope, counted)
    questions = load_version_questions(version)  # options in one query, not N
    # Text questions: the comments of the released blocks (comment_blocks),
    # the figure the comments page gives.
    respondents.update(
        {
            q.code: results.comment_total(survey, scope, flt, q.code)
            for q in questions
            if question_type(q.type).is_text
        }
    )
    items = [
        _question_result(q, scales, options, respondents, min_n) for q in questions
    ]
    return QuestionReport(survey, scope, flt, version, min_n, tuple(items))


def _question_result(
    q: Question,
    scales: Mapping[str, Counter[int]],
    options: Mapping[str, Counter[str]],
    respondents: Mapping[str, int],
    min_n: int,
) -> QuestionResult:
    """The question's figures, in the way its type is shown (``shown_as``)."""
    shown = question_type(q.type).shown_as
    if shown == "five_point":
        return _five_point_result(q, scales.get(q.code, Counter()), min_n)
    if shown == "recommend":
        counts = {
            k: v for k, v in scales.get(q.code, Counter()).items() if k in st.NPS_CODES
        }
        result = st.nps(counts)
        n = round(result.n)
        return QuestionResult(q, n, st.suppress(n, min_n) != "suppressed", nps=result)
    if shown == "shares":
        return _shares_result(
            q, options.get(q.code, Counter()), respondents.get(q.code, 0), min_n
        )
    if shown == "comments":
        n = respondents.get(q.code, 0)
        return QuestionResult(q, n, False, comments=n, comments_shown=n >= min_n)
    return QuestionResult(q, 0, False)


def _five_point_result(q: Question, codes: Counter[int], min_n: int) -> QuestionResult:
    item = _item(codes)
    n = round(item.n)
    top = ShareFigure(item.top_two, st.display_share(item.top_two, min_n=min_n))
    shares = {
        code: share_figure((item.share_of(code) or 0.0) * item.n, item.n, min_n)
        for code in st.LIKERT_CODES
    }
    return QuestionResult(
        q,
        n,
        st.suppress(n, min_n) != "suppressed",
        likert=item,
        top_two=top,
        code_shares=shares,
    )


def _shares_result(
    q: Question, ticks: Counter[str], n: int, min_n: int
) -> QuestionResult:
    counts = {o.code: float(min(ticks.get(o.code, 0), n)) for o in q.options}
    summary = st.summarise_choice(counts, n)
    shares = {
        o.option: ShareFigure(o.share, st.display_share(o.share, min_n=min_n))
        for o in summary.options
    }
    return QuestionResult(
        q,
        n,
        st.suppress(n, min_n) != "suppressed",
        choice=summary,
        option_shares=shares,
    )


# --------------------------------------------------------------------------- #
# Comments
# --------------------------------------------------------------------------- #

_PROBE = re.compile(r"[\d@]")


@dataclass(frozen=True)
class CommentPage:
    question: Question
    total: int
    shown: bool  # at least min_n comments in the slice
    search: str
    search_refused: bool  # digits or "@" could probe masked data
    matches: int
    page: int
    pages: int
    items: tuple[tuple[str, Unit | None, str], ...]  # masked text, unit, month
    # The whole months the comments are taken from, when the filter's dates
    # were widened to them (``comment_blocks``); None when not widened.
    months: ResultFilter | None = None


def comment_page(
    survey: Survey,
    scope: Unit,
    flt: ResultFilter,
    question: Question,
    search: str,
    page: int,
) -> CommentPage:
    """One page of masked comments, only where the slice has at least min_n."""
    search = search.strip()[:100]
    refused = bool(_PROBE.search(search))
    usable_search = "" if refused else search
    total, matches, rows = results.comments(
        survey, scope, flt, question.code, usable_search, page
    )
    shown = total >= survey.min_n
    pages = max(1, -(-matches // results.COMMENTS_PER_PAGE))
    months = comment_blocks.whole_months(flt) if comment_blocks.widened(flt) else None
    if not shown:
        return CommentPage(question, total, False, search, refused, 0, 1, 1, (), months)
    unit_ids = {c.unit_id for c in rows}
    units = {
        u.id: u for u in db.session.scalars(select(Unit).where(Unit.id.in_(unit_ids)))
    }
    items = tuple(
        (c.text, units.get(c.unit_id), c.month)
        for c in rows  # masked when stored
    )
    return CommentPage(
        question, total, True, search, refused, matches, page, pages, items, months
    )
