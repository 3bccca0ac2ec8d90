"""Counting the invited channel for its weighting, and its response rates.

Three grouped queries: cases per unit and cell, invited answers to the overall
question per unit, cell and code, and invitations with their responses per
unit (see ``survey.services.fieldwork.weights``).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from sqlalchemy import ColumnElement, and_, func, select

from survey.domain import disclosure, weighting
from survey.domain import statistics as st
from survey.domain.questions import LIKERT5, OVERALL
from survey.domain.weighting import Cell
from survey.extensions import db
from survey.models import Answer, Invitation, Question, Response, ServiceCase, Unit
from survey.models.surveys import Survey
from survey.models.waves import Wave
from survey.services.fieldwork import not_null
from survey.services.reporting import publishing, unit_counts
from survey.services.reporting.result_filter import ResultFilter


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
        found[unit_id][(group, applicant, outcome)][not_null(code)] += count
        keys[unit_id][(group, applicant, outcome)] += int(key or 0)
    every = unit_counts.dimension_rows(survey, scope, invited, (OVERALL,))
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
    if not publishing.perturbing():
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
        unit_id: (sent, publishing.publish_count(done, int(key or 0), "invited", None))
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
