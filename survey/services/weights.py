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

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from sqlalchemy import ColumnElement, and_, func, select

from survey.domain import disclosure, weighting
from survey.domain import statistics as st
from survey.domain.questions import LIKERT5, OVERALL
from survey.domain.weighting import Cell, CellWeights, Method
from survey.extensions import db
from survey.models import Answer, Invitation, Question, Response, ServiceCase, Unit
from survey.models.surveys import Survey
from survey.models.waves import Wave
from survey.services import results
from survey.services.reports import Overview, ShareFigure, hidden_figure
from survey.services.results import ResultFilter

_TOP = frozenset(st.LIKERT_CODES[-2:])


# --------------------------------------------------------------------------- #
# Results
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class ResponseRate:
    """The invited channel's funnel: cases, invitations sent, responses."""

    cases: int
    invitations: int
    responses: int

    @property
    def rate(self) -> float | None:
        """AAPOR RR1: responses / invitations; None before any invitation."""
        return weighting.response_rate(self.responses, self.invitations)

    @property
    def low(self) -> bool:
        """Below the warning threshold of METHODOLOGY.md section 4."""
        rate = self.rate
        return rate is not None and rate < weighting.RESPONSE_RATE_WARNING


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
# Counting (SQL)
# --------------------------------------------------------------------------- #


@dataclass
class _UnitCounts:
    population: Counter[Cell] = field(default_factory=Counter)
    answers: dict[Cell, Counter[int]] = field(
        default_factory=lambda: defaultdict(Counter)
    )
    unlinked: Counter[int] = field(default_factory=Counter)
    invitations: int = 0
    responses: int = 0

    @property
    def cases(self) -> int:
        return sum(self.population.values())


def _case_period(flt: ResultFilter) -> list[ColumnElement[bool]]:
    """Cases returned in the filter's period, of its applicant type if any."""
    where: list[ColumnElement[bool]] = []
    if flt.date_from:
        where.append(ServiceCase.returned_on >= flt.date_from)
    if flt.date_to:
        where.append(ServiceCase.returned_on <= flt.date_to)
    if flt.group:
        where.append(ServiceCase.applicant_type == flt.group)
    return where


def _population(scope: Unit, flt: ResultFilter) -> dict[int, Counter[Cell]]:
    """Completed cases per unit and cell."""
    columns = (
        ServiceCase.unit_id,
        ServiceCase.procedure_group,
        ServiceCase.applicant_type,
        ServiceCase.outcome,
    )
    query = (
        select(*columns, func.count())
        .where(ServiceCase.unit_id.in_(Unit.subtree_ids(scope)), *_case_period(flt))
        .group_by(*columns)
    )
    cells: dict[int, Counter[Cell]] = defaultdict(Counter)
    for unit_id, group, applicant, outcome, count in db.session.execute(query):
        cells[unit_id][(group, applicant, outcome)] += count
    return dict(cells)


def _answers(
    survey: Survey, scope: Unit, flt: ResultFilter
) -> dict[int, dict[Cell | None, Counter[int]]]:
    """Invited answers (1-5) to the overall question per unit, cell and code.

    A response without an invitation (an import, say) has no cell: None.
    Only the answers linked to an invitation are read row by row (starting
    from the responses' invitation index: a wave's few hundred per unit);
    the unlinked rest is the invited channel's count, from the tallies,
    minus those.
    """
    invited = replace(flt, channel="invited")
    columns = (
        Response.unit_id,
        ServiceCase.procedure_group,
        ServiceCase.applicant_type,
        ServiceCase.outcome,
        Answer.value_int,
    )
    # The responses to this survey's invitations, found through their
    # invitation index; "+ 0" keeps SQLite from starting anywhere else (the
    # survey's, unit's or question's million rows) when it has no statistics.
    invitations = (
        select(Invitation.id)
        .join(Wave, Wave.id == Invitation.wave_id)
        .where(Wave.survey_id == survey.id)
    )
    query = (
        select(*columns, func.count(), func.sum(Response.record_key))
        .select_from(Response)
        .join(Invitation, Invitation.id == Response.invitation_id)
        .join(ServiceCase, ServiceCase.id == Invitation.case_id)
        .join(Answer, Answer.response_id == Response.id)
        .join(Question, Answer.question_id + 0 == Question.id)
        .where(
            Response.invitation_id.in_(invitations),
            *invited.conditions(survey, indexed=False),
            (Response.unit_id + 0).in_(Unit.subtree_ids(scope)),
            Question.dimension == OVERALL,
            Question.type == LIKERT5,
            (Answer.value_int + 0).in_(st.LIKERT_CODES),
        )
        .group_by(*columns)
    )
    found: dict[int, dict[Cell | None, Counter[int]]] = defaultdict(
        lambda: defaultdict(Counter)
    )
    keys: dict[int, Counter[Cell | None]] = defaultdict(Counter)
    rows = db.session.execute(query)
    for unit_id, group, applicant, outcome, code, count, key in rows:
        found[unit_id][(group, applicant, outcome)][code] += count
        keys[unit_id][(group, applicant, outcome)] += int(key or 0)
    every = results._dimension_rows(survey, scope, invited, (OVERALL,))
    for unit_id, (codes, key) in every.get(OVERALL, {}).items():
        unlinked = Counter({c: n for c, n in codes.items() if c in st.LIKERT_CODES})
        for linked in found.get(unit_id, {}).values():
            unlinked.subtract(linked)
        if +unlinked:
            found[unit_id][None] = +unlinked
            keys[unit_id][None] = key - sum(keys[unit_id].values())
    return _published(found, keys)


def _published(
    found: dict[int, dict[Cell | None, Counter[int]]],
    keys: Mapping[int, Mapping[Cell | None, int]],
) -> dict[int, dict[Cell | None, Counter[int]]]:
    """The answers per unit and cell with the cell-key noise, when it is on.

    The weighted figures are made of these counts: each unit's cell is
    perturbed by its own records' keys (survey.domain.disclosure), so that
    two weighted figures differenced give noise, as the unweighted ones do.
    """
    if not results.perturbing():
        return found
    for unit_id, cells in found.items():
        for cell, codes in cells.items():
            cells[cell] = Counter(
                {
                    code: n
                    for code, n in disclosure.perturb_codes(
                        codes, keys[unit_id][cell]
                    ).items()
                    if n
                }
            )
    return found


def _invitations(
    survey: Survey, scope: Unit, flt: ResultFilter
) -> dict[int, tuple[int, int]]:
    """(invitations, responses) per unit, for the cases of the period."""
    answered = [
        Response.invitation_id == Invitation.id,
        Response.survey_id == survey.id,
    ]
    if not flt.include_flagged:
        answered.append(Response.hard_flagged.is_(False))
    query = (
        select(
            Invitation.unit_id,
            func.count(Invitation.id),
            func.count(Response.id),
            func.sum(Response.record_key),
        )
        .select_from(Invitation)
        .join(Wave, Wave.id == Invitation.wave_id)
        .join(ServiceCase, ServiceCase.id == Invitation.case_id)
        .outerjoin(Response, and_(*answered))
        .where(
            Wave.survey_id == survey.id,
            Invitation.unit_id.in_(Unit.subtree_ids(scope)),
            *_case_period(flt),
        )
        .group_by(Invitation.unit_id)
    )
    # The responses are published with the cell-key noise (the invitations
    # are the platform's own doing, not the respondents').
    return {
        unit_id: (sent, results._publish_count(done, int(key or 0), "invited", None))
        for unit_id, sent, done, key in db.session.execute(query)
    }


def _unit_counts(
    survey: Survey, scope: Unit, flt: ResultFilter
) -> dict[int, _UnitCounts]:
    counts: dict[int, _UnitCounts] = defaultdict(_UnitCounts)
    for unit_id, cells in _population(scope, flt).items():
        counts[unit_id].population.update(cells)
    for unit_id, by_cell in _answers(survey, scope, flt).items():
        for cell, codes in by_cell.items():
            if cell is None:
                counts[unit_id].unlinked.update(codes)
            else:
                counts[unit_id].answers[cell].update(codes)
    for unit_id, (sent, done) in _invitations(survey, scope, flt).items():
        counts[unit_id].invitations, counts[unit_id].responses = sent, done
    return dict(counts)


def response_rates(
    survey: Survey, scope: Unit, flt: ResultFilter
) -> dict[int, ResponseRate]:
    """Cases, invitations, responses and the response rate per unit of the scope.

    Follows the cases returned in the filter's period: of them, how many were
    invited (for this survey), and how many of the invitations were answered.
    """
    return {
        unit_id: ResponseRate(c.cases, c.invitations, c.responses)
        for unit_id, c in _unit_counts(survey, scope, flt).items()
    }


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
    tree = results.scope_tree(scope)
    members: dict[int, list[int]] = defaultdict(list)
    for unit_id in counts:
        child = tree.child_of.get(unit_id)
        if child is not None:
            members[child].append(unit_id)

    def figure_of(unit_ids: list[int]) -> WeightedFigure:
        ordered = sorted(unit_ids)
        return _pooled_figure(
            (counts[u] for u in ordered), (weights[u] for u in ordered), min_n
        )

    def rate_of(unit_ids: list[int]) -> ResponseRate:
        found = [counts[u] for u in unit_ids]
        return ResponseRate(
            sum(c.cases for c in found),
            sum(c.invitations for c in found),
            sum(c.responses for c in found),
        )

    overall = figure_of(list(counts))
    units = list(tree.children)
    if members.get(scope.id):
        units.insert(0, scope)  # answers or cases at the scope unit itself
    figures = {u.id: figure_of(members.get(u.id, [])) for u in units}
    hidden = st.complementary_suppression(
        overall.n_eff if overall.figure.shown else 0,
        {str(u.id): figures[u.id].n_eff for u in units},
        min_n=min_n,
    )
    reviewed = {r.unit.id for r in report.children if r.under_review}
    protected = report.protected
    rows = []
    for unit in units:
        weighted = figures[unit.id]
        under_review = unit.id in reviewed
        grade = st.reliability_grade(
            weighted.n_eff, invited=True, flag="red" if under_review else "none"
        )
        is_hidden = protected or str(unit.id) in hidden
        if is_hidden:
            weighted = replace(weighted, figure=hidden_figure(weighted.figure))
        rows.append(
            WeightedRow(
                unit=unit,
                weighted=weighted,
                rate=rate_of(members.get(unit.id, [])),
                grade=grade,
                under_review=under_review,
                rankable=_rankable(weighted, under_review),
                is_scope=unit is scope,
                protected=is_hidden and weighted.n_eff >= min_n,
            )
        )
    if protected:
        overall = replace(overall, figure=hidden_figure(overall.figure))
    without_cases = sum(
        1 for c in counts.values() if c.cases == 0 and (c.answers or c.unlinked)
    )
    return WeightedOverview(
        scope=overall,
        rate=rate_of(list(counts)),
        grade=st.reliability_grade(overall.n_eff, invited=True),
        rows=tuple(rows),
        units_without_cases=without_cases if overall.method != "none" else 0,
        has_data=bool(counts),
    )


def _rankable(weighted: WeightedFigure, under_review: bool) -> bool:
    """Fit for a ranking or an incentive export (METHODOLOGY.md sections 4, 8)."""
    prop = weighted.figure.prop
    return (
        not under_review
        and weighted.figure.display.kind == "value"
        and st.rankable(prop.n, prop.half_width)
    )
