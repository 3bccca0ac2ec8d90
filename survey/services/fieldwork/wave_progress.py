"""What the administrators' wave pages show: the waves in a scope, their
invitations by status and per unit, a page of invitations."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select

from survey.extensions import db
from survey.models import Invitation, Unit, Wave
from survey.models.waves import wave_units


def wave_counts(wave: Wave) -> dict[str, int]:
    """Invitations by status, for the response rate."""
    counts = {"invited": 0, "opened": 0, "answered": 0}
    rows = db.session.execute(
        select(Invitation.status, func.count(Invitation.id))
        .where(Invitation.wave_id == wave.id)
        .group_by(Invitation.status)
    )
    for status, count in rows:
        counts[status] = count
    return counts


def waves_in_scope(scope: Unit) -> list[Wave]:
    """Waves whose every unit lies in ``scope``, newest first."""
    outside = (
        select(wave_units.c.wave_id)
        .join(Unit, Unit.id == wave_units.c.unit_id)
        .where(~Unit.path.startswith(scope.path))
    )
    return list(
        db.session.scalars(
            select(Wave).where(Wave.id.not_in(outside)).order_by(Wave.id.desc())
        )
    )


def wave_counts_by_wave(waves: Sequence[Wave]) -> dict[int, dict[str, int]]:
    """Invitations by status for each wave, in one GROUP BY."""
    counts: dict[int, dict[str, int]] = {
        w.id: {"invited": 0, "opened": 0, "answered": 0} for w in waves
    }
    if not waves:
        return counts
    rows = db.session.execute(
        select(Invitation.wave_id, Invitation.status, func.count(Invitation.id))
        .where(Invitation.wave_id.in_(list(counts)))
        .group_by(Invitation.wave_id, Invitation.status)
    )
    for wave_id, status, count in rows:
        counts[wave_id][status] = count
    return counts


@dataclass(frozen=True)
class UnitProgress:
    unit: Unit
    invited: int  # every invitation issued, whatever became of it
    opened: int
    answered: int

    @property
    def response_rate(self) -> float | None:
        return self.answered / self.invited if self.invited else None


def wave_progress(wave: Wave) -> list[UnitProgress]:
    """Per unit of the wave: invitations, opened and answered (for the rate)."""
    per_unit: dict[int, dict[str, int]] = {u.id: {} for u in wave.units}
    rows = db.session.execute(
        select(Invitation.unit_id, Invitation.status, func.count(Invitation.id))
        .where(Invitation.wave_id == wave.id)
        .group_by(Invitation.unit_id, Invitation.status)
    )
    for unit_id, status, count in rows:
        per_unit.setdefault(unit_id, {})[status] = count
    progress = []
    for unit in wave.units:
        c = per_unit.get(unit.id, {})
        answered = c.get("answered", 0)
        opened = c.get("opened", 0) + answered
        progress.append(UnitProgress(unit, sum(c.values()), opened, answered))
    return progress


def wave_invitations(
    wave: Wave, offset: int = 0, limit: int = 100
) -> tuple[list[Invitation], int]:
    """A page of the wave's invitations (open ones first) and how many in all."""
    total = db.session.scalar(
        select(func.count(Invitation.id)).where(Invitation.wave_id == wave.id)
    )
    page = db.session.scalars(
        select(Invitation)
        .where(Invitation.wave_id == wave.id)
        .order_by((Invitation.status == "answered"), Invitation.id)
        .offset(offset)
        .limit(limit)
    )
    return list(page), total or 0
