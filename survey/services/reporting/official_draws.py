"""The official figure's frames and draws, rebuilt from the cases.

Per wave and stratum: the cases ``services.fieldwork.waves`` could draw (the
frame) and those it invited (the draw), and the period's cases per stratum,
read from the cases, their contacts and the invitations.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy import and_, select, true

from survey.domain import design_weights as dw
from survey.extensions import db
from survey.models import CaseContact, Invitation, ServiceCase
from survey.models.waves import Wave
from survey.services.fieldwork.waves import INVITATION_DAYS
from survey.services.fieldwork.weights import _case_period
from survey.services.reporting.results import ResultFilter


def is_late(returned: date, due: date | None) -> bool:
    """A case returned after its due date."""
    return due is not None and returned > due


def wave_draws(
    respondents: list[dw.Respondent], flt: ResultFilter
) -> tuple[Counter[tuple], Counter[tuple], Counter[tuple]]:
    """Frame and draw per (wave, stratum), and the period's cases per stratum.

    The frame of a wave in a unit is what ``services.fieldwork.waves`` could draw: its
    cases with a contact, returned in the wave's period (and not before the
    link's window at the draw), not invited by an earlier wave. The period's
    cases are the units' cases returned within a wave's period and the
    filter's dates: the cases the waves stand for.
    """
    frame: Counter[tuple] = Counter()
    drawn: Counter[tuple] = Counter()
    targets: Counter[tuple] = Counter()
    waves = db.session.scalars(
        select(Wave).where(Wave.id.in_({r.wave for r in respondents}))
    ).all()
    units = sorted({r.unit for r in respondents})
    if not waves:
        return frame, drawn, targets
    cases = _waves_cases(waves, units, flt)
    counted: set[int] = set()
    for wave in waves:
        _tally_wave(wave, cases, (frame, drawn, targets), counted)
    return frame, drawn, targets


def _waves_cases(
    waves: Sequence[Wave], units: Sequence[object], flt: ResultFilter
) -> Sequence[Any]:
    """The units' cases returned within the waves' periods, each with its
    contact, its invitation (wave, time) and whether it is in the filter's
    dates; one row per invitation of a case."""
    first = min(w.period_start for w in waves)
    last = max(w.period_end for w in waves)
    in_period = _case_period(flt)
    return db.session.execute(
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


def _tally_wave(
    wave: Wave,
    cases: Sequence[Any],
    counts: tuple[Counter[tuple], Counter[tuple], Counter[tuple]],
    counted: set[int],
) -> None:
    """Add one wave's frame and draw per stratum to ``counts`` (frame, drawn,
    targets), and the period's cases not yet ``counted`` to the targets."""
    frame, drawn, targets = counts
    members = {u.id for u in wave.units}
    drawn_on = wave.drawn_at.date() if wave.drawn_at else wave.period_end
    start = max(wave.period_start, drawn_on - timedelta(days=INVITATION_DAYS))
    for case_id, unit_id, group, outcome, ret, due, contact, *rest in cases:
        if unit_id not in members or not wave.period_start <= ret <= wave.period_end:
            continue
        stratum = dw.stratum_of(
            unit_id, group, outcome, is_late(ret, due), wave.stratify
        )
        invited = (rest[0], rest[1]) if rest[0] is not None else None
        if invited is not None and invited[0] == wave.id:
            drawn[(wave.id, stratum)] += 1
            frame[(wave.id, stratum)] += 1
        elif contact and ret >= start and _open_at(invited, wave):
            frame[(wave.id, stratum)] += 1
        if rest[2] and case_id not in counted:
            counted.add(case_id)
            targets[stratum] += 1


def _open_at(invited: tuple[int, object] | None, wave: Wave) -> bool:
    """Not invited when the wave was drawn (never, or by a later wave)."""
    if invited is None:
        return True
    created = invited[1]
    return wave.drawn_at is not None and created is not None and created > wave.drawn_at
