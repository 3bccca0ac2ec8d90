"""What comes back: delivery reports, opt-outs, and each wave's funnel with
its response rates (AAPOR RR1 and RR3, survey.domain.response_rates)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select, update

from survey.domain import response_rates
from survey.domain.cases import CaseRowError, normalise_phone
from survey.extensions import db
from survey.models import CaseContact, Invitation, Response, Unit, Wave
from survey.models._time import utcnow
from survey.models.outbox import (
    BOUNCED,
    CANCELLED,
    DELIVERED,
    FAILED,
    QUEUED,
    SENDING,
    SENT,
    OptOut,
    OutboxMessage,
)
from survey.models.waves import ANSWERED, INVITED
from survey.services.fieldwork import updated_rows
from survey.services.fieldwork.cases import phone_hash
from survey.services.fieldwork.outbox_plans import email_hash

REPORTED = {"delivered": DELIVERED, "bounced": BOUNCED, "failed": FAILED}


def record_report(
    channel: str,
    provider_id: str,
    status: str,
    reason: str = "",
    now: datetime | None = None,
) -> bool:
    """A provider's delivery report; False when no message has that id.

    A report for a message whose sending was interrupted proves it went:
    it is recorded too. A delivered message stays delivered.
    """
    now = now or utcnow()
    state = REPORTED.get(status)
    if state is None or not provider_id:
        return False
    values: dict[str, object] = {"state": state, "reason": reason[:200]}
    if state == DELIVERED:
        values["delivered_at"] = now
    # A late "failed" never undoes "delivered"; a repeated report changes nothing.
    settled = (
        (SENT, SENDING, FAILED)
        if state != DELIVERED
        else (SENT, SENDING, FAILED, BOUNCED)
    )
    done = updated_rows(
        update(OutboxMessage)
        .where(
            OutboxMessage.channel == channel,
            OutboxMessage.provider_id == provider_id,
            OutboxMessage.state.in_(settled),
        )
        .values(**values)
    )
    if done:
        return True
    return bool(
        db.session.scalar(
            select(func.count(OutboxMessage.id)).where(
                OutboxMessage.channel == channel,
                OutboxMessage.provider_id == provider_id,
            )
        )
    )


def opt_out(address_hash: str, source: str, now: datetime | None = None) -> int:
    """Never contact this address again; cancels what is queued. How many."""
    now = now or utcnow()
    if not db.session.scalar(
        select(OptOut.id).where(OptOut.address_hash == address_hash)
    ):
        db.session.add(OptOut(address_hash=address_hash, source=source, created_at=now))
    cancelled = updated_rows(
        update(OutboxMessage)
        .where(
            OutboxMessage.address_hash == address_hash,
            OutboxMessage.state == QUEUED,
        )
        .values(state=CANCELLED, reason="opted out")
    )
    db.session.flush()
    return int(cancelled)


def opt_out_invitation(invitation: Invitation, now: datetime | None = None) -> None:
    """The opt-out link: the invitation's phone and e-mail, for good."""
    contact = invitation.case.contact
    hashes = {
        m.address_hash
        for m in db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.invitation_id == invitation.id)
        )
    }
    if contact is not None:
        if contact.phone_hash:
            hashes.add(contact.phone_hash)
        if contact.email:
            hashes.add(email_hash(contact.email))
    for key in sorted(hashes):
        opt_out(key, "link", now)


def opt_out_reply(phone: str, now: datetime | None = None) -> bool:
    """A "STOP" / "TU CHOI" reply from ``phone``; False for a bad number."""
    try:
        number = normalise_phone(phone)
    except CaseRowError:
        return False
    opt_out(phone_hash(number), "reply", now)
    return True


def is_opted_out(contact: CaseContact) -> bool:
    keys = [k for k in (contact.phone_hash,) if k]
    if contact.email:
        keys.append(email_hash(contact.email))
    return bool(
        keys
        and db.session.scalar(
            select(func.count(OptOut.id)).where(OptOut.address_hash.in_(keys))
        )
    )


# --- the funnel --------------------------------------------------------------------


@dataclass(frozen=True)
class FunnelRow:
    unit: Unit | None  # None: the whole wave
    drawn: int
    sent: int
    delivered: int
    opened: int
    answered: int
    opted_out: int
    screened_out: int = 0  # answered "did not use the service": ineligible
    reached: int = 0  # reached (opened, delivered or opted out), not answered

    @property
    def unknown(self) -> int:
        """Drawn cases of unknown eligibility: never reached."""
        return self.drawn - self.answered - self.reached

    @property
    def rr3(self) -> float | None:
        """AAPOR RR3, e estimated from the cases of known eligibility."""
        if not self.drawn:
            return None
        return response_rates.rr3(
            self.answered - self.screened_out,
            self.reached,
            self.screened_out,
            self.unknown,
        )

    @property
    def rr1(self) -> float | None:
        """AAPOR RR1: complete responses over every drawn case. Every case in
        the frame was served in the period, so each drawn case is eligible;
        cases never reached stay in the denominator (RR1 counts them)."""
        return self.answered / self.drawn if self.drawn else None


def wave_funnel(wave: Wave) -> list[FunnelRow]:
    """Per unit, then the wave: drawn → sent → delivered → opened → answered."""
    went = (SENT, DELIVERED, BOUNCED)
    opted = select(OptOut.address_hash)
    messages = (
        select(
            OutboxMessage.invitation_id.label("invitation_id"),
            func.max(case((OutboxMessage.state.in_(went), 1), else_=0)).label("sent"),
            func.max(case((OutboxMessage.state == DELIVERED, 1), else_=0)).label(
                "delivered"
            ),
            func.max(case((OutboxMessage.address_hash.in_(opted), 1), else_=0)).label(
                "opted_out"
            ),
        )
        .where(OutboxMessage.wave_id == wave.id)
        .group_by(OutboxMessage.invitation_id)
        .subquery()
    )
    answered = Invitation.status == ANSWERED
    reached = (Invitation.status != INVITED) | (
        func.coalesce(messages.c.delivered, 0) + func.coalesce(messages.c.opted_out, 0)
        > 0
    )
    rows = db.session.execute(
        select(
            Invitation.unit_id,
            func.count(Invitation.id),
            func.coalesce(func.sum(messages.c.sent), 0),
            func.coalesce(func.sum(messages.c.delivered), 0),
            func.sum(case((Invitation.status != INVITED, 1), else_=0)),
            func.sum(case((answered, 1), else_=0)),
            func.coalesce(func.sum(messages.c.opted_out), 0),
            func.sum(case((answered & (Response.screened_out.is_(True)), 1), else_=0)),
            func.sum(case((~answered & reached, 1), else_=0)),
        )
        .outerjoin(messages, messages.c.invitation_id == Invitation.id)
        .outerjoin(Response, Response.invitation_id == Invitation.id)
        .where(Invitation.wave_id == wave.id)
        .group_by(Invitation.unit_id)
    ).all()
    width = 8
    by_unit = {r[0]: [int(v or 0) for v in r[1:]] for r in rows}
    result = [
        FunnelRow(unit, *by_unit.get(unit.id, [0] * width)) for unit in wave.units
    ]
    totals = [sum(col) for col in zip(*by_unit.values(), strict=True)] or [0] * width
    result.append(FunnelRow(None, *totals))
    return result


def message_states(wave: Wave) -> dict[str, int]:
    """The wave's messages by state."""
    return {
        state: int(count)
        for state, count in db.session.execute(
            select(OutboxMessage.state, func.count(OutboxMessage.id))
            .where(OutboxMessage.wave_id == wave.id)
            .group_by(OutboxMessage.state)
        )
    }
