"""The official figure's reading (SQL): the invited respondents with their
strata, and the waves' frames and draws by stratum, rebuilt from the cases,
their contacts and the invitations as ``services.fieldwork.waves`` drew them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from sqlalchemy import and_, select, true

from survey.domain import design_weights as dw
from survey.domain import statistics as st
from survey.domain.questions import LIKERT5, OVERALL
from survey.extensions import db
from survey.models import (
    Answer,
    CaseContact,
    Invitation,
    Question,
    Response,
    ServiceCase,
    Unit,
)
from survey.models.surveys import Survey
from survey.models.waves import Wave
from survey.services.fieldwork.waves import INVITATION_DAYS
from survey.services.fieldwork.weights import _case_period
from survey.services.reporting import scope_counts
from survey.services.reporting.result_filter import ResultFilter

_TOP = frozenset(st.LIKERT_CODES[-2:])


def _late(returned: date, due: date | None) -> bool:
    return due is not None and returned > due


def invited_respondents(
    survey: Survey, scope: Unit, flt: ResultFilter
) -> list[dw.Respondent]:
    """Invited answers (1-5) to the overall question, each with its draw."""
    invited = replace(flt, channel="invited")
    rows = db.session.execute(
        select(
            Response.id,
            Invitation.unit_id,
            Invitation.wave_id,
            Wave.stratify,
            ServiceCase.procedure_group,
            ServiceCase.outcome,
            ServiceCase.returned_on,
            ServiceCase.due_on,
            Answer.value_int,
            Response.record_key,
        )
        .select_from(Response)
        .join(Invitation, Invitation.id == Response.invitation_id)
        .join(Wave, Wave.id == Invitation.wave_id)
        .join(ServiceCase, ServiceCase.id == Invitation.case_id)
        .join(Answer, Answer.response_id == Response.id)
        .join(Question, Answer.question_id == Question.id)
        .where(
            Wave.survey_id == survey.id,
            *invited.conditions(survey),
            Response.unit_id.in_(Unit.subtree_ids(scope)),
            Question.dimension == OVERALL,
            Question.type == LIKERT5,
            Answer.value_int.in_(st.LIKERT_CODES),
        )
        .order_by(Response.id)
    ).all()
    respondents = [
        dw.Respondent(
            key=rid,
            unit=unit_id,
            wave=wave_id,
            stratum=dw.stratum_of(unit_id, group, outcome, _late(ret, due), strat),
            satisfied=code in _TOP,
        )
        for rid, unit_id, wave_id, strat, group, outcome, ret, due, code, _ in rows
    ]
    return respondents, {row[0]: int(row[-1] or 0) for row in rows}


def count_without_invitation(
    survey: Survey, scope: Unit, flt: ResultFilter, linked: int
) -> int:
    """Invited answers (1-5) to the overall question with no invitation behind
    them: the invited channel's published count (from the tallies) minus the
    answers that came through an invitation."""
    invited = scope_counts.dimension_counts(
        survey, scope, replace(flt, channel="invited"), OVERALL
    )
    every = sum(n for code, n in invited.items() if code in st.LIKERT_CODES)
    return max(0, every - linked)


def draws(
    respondents: list[dw.Respondent], flt: ResultFilter
) -> tuple[Counter[tuple], Counter[tuple], Counter[tuple]]:
    """Frame and draw per (wave, stratum), and the period's cases per stratum.

    The frame of a wave in a unit is what ``services.fieldwork.waves`` could draw: its
    cases with a contact, returned in the wave's period (and not before the
    link's window at the draw), not invited by an earlier wave. The period's
    cases are the units' cases returned within a wave's period and the
    filter's dates: the cases the waves stand for.
    """
    counts = _DrawCounts()
    waves = db.session.scalars(
        select(Wave).where(Wave.id.in_({r.wave for r in respondents}))
    ).all()
    if not waves:
        return counts.frame, counts.drawn, counts.targets
    cases = _wave_cases(waves, sorted({r.unit for r in respondents}), flt)
    for wave in waves:
        counts.add_wave(wave, cases)
    return counts.frame, counts.drawn, counts.targets


def _wave_cases(
    waves: Sequence[Wave], units: list[int], flt: ResultFilter
) -> list[Any]:
    """The units' cases returned within the waves' periods, each with whether
    it had a number at the draw, its invitation and whether it is in the
    filter's dates."""
    first = min(w.period_start for w in waves)
    last = max(w.period_end for w in waves)
    in_period = _case_period(flt)
    return list(
        db.session.execute(
            select(
                ServiceCase.id,
                ServiceCase.unit_id,
                ServiceCase.procedure_group,
                ServiceCase.outcome,
                ServiceCase.returned_on,
                ServiceCase.due_on,
                # a number to call at the draw: still kept, or erased since
                (CaseContact.phone.is_not(None) | CaseContact.erased_at.is_not(None)),
                Invitation.wave_id,
                Invitation.created_at,
                and_(*in_period) if in_period else true(),
            )
            .outerjoin(CaseContact, CaseContact.case_id == ServiceCase.id)
            .outerjoin(Invitation, Invitation.case_id == ServiceCase.id)
            .where(
                ServiceCase.unit_id.in_(units),
                ServiceCase.returned_on >= first,
                ServiceCase.returned_on <= last,
            )
        ).all()
    )


@dataclass
class _DrawCounts:
    """What ``draws`` adds up, wave by wave."""

    frame: Counter[tuple] = field(default_factory=Counter)
    drawn: Counter[tuple] = field(default_factory=Counter)
    targets: Counter[tuple] = field(default_factory=Counter)
    counted: set[int] = field(default_factory=set)  # cases in ``targets``

    def add_wave(self, wave: Wave, cases: list[Any]) -> None:
        members = {u.id for u in wave.units}
        drawn_on = wave.drawn_at.date() if wave.drawn_at else wave.period_end
        start = max(wave.period_start, drawn_on - timedelta(days=INVITATION_DAYS))
        for case_id, unit_id, group, outcome, ret, due, contact, *rest in cases:
            if (
                unit_id not in members
                or not wave.period_start <= ret <= wave.period_end
            ):
                continue
            stratum = dw.stratum_of(
                unit_id, group, outcome, _late(ret, due), wave.stratify
            )
            invited = (rest[0], rest[1]) if rest[0] is not None else None
            if invited is not None and invited[0] == wave.id:
                self.drawn[(wave.id, stratum)] += 1
                self.frame[(wave.id, stratum)] += 1
            elif contact and ret >= start and _open_at(invited, wave):
                self.frame[(wave.id, stratum)] += 1
            if rest[2] and case_id not in self.counted:
                self.counted.add(case_id)
                self.targets[stratum] += 1


def _open_at(invited: tuple[int, object] | None, wave: Wave) -> bool:
    """Not invited when the wave was drawn (never, or by a later wave)."""
    if invited is None:
        return True
    created = invited[1]
    return wave.drawn_at is not None and created is not None and created > wave.drawn_at
