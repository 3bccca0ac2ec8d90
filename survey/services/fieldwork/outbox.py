"""The outbox: first contacts and reminders for a wave's invitations, sent by
the job queue through the channels, never twice.

Sending one message (``send_one`` in survey/jobs.py, which commits each step;
this module only flushes):

1. claim it (``claim``): ``UPDATE ... SET state='sending' WHERE id=? AND
   state='queued'``, committed before anything is sent, so that of two
   consumers (or a retry of a job that died) only one ever holds it;
2. check, at that moment, that it should still go: not answered, not opted
   out, the wave open, the number kept, nobody else's message to this phone
   in 30 days; outside quiet hours and under the channel's daily cap (else
   back to ``queued`` for later);
3. send it (``deliver``); record ``sent`` (and queue the next reminder) or, when the
   channel says it certainly did not go, ``queued`` again (``Transient``)
   or ``failed`` (``Rejected``).

A message whose sending died mid-way stays ``sending``: nobody knows whether
it went. After ``OUTBOX_STALE_SECONDS`` it is marked failed and is never sent
again (a late delivery report still marks it delivered). Addresses are never
logged: the log and the states name messages by id.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime, timedelta
from string import Template

from sqlalchemy import exists, func, select, update

from survey.channels import Outgoing, Rejected, Transient, get_channel, int_setting
from survey.channels import setting as channel_setting
from survey.extensions import db
from survey.models import CaseContact, Invitation, User, Wave
from survey.models._time import utcnow
from survey.models.outbox import (
    CANCELLED,
    DELIVERED,
    FAILED,
    QUEUED,
    REACHED,
    SENDING,
    SENT,
    OptOut,
    OutboxMessage,
    OutreachPlan,
)
from survey.models.waves import ANSWERED, WAVE_DRAWN
from survey.services.audit import record_event
from survey.services.fieldwork import updated_rows
from survey.services.fieldwork.outbox_plans import (
    PlanError,
    email_hash,
    optout_token,
    plan_for,
)

log = logging.getLogger(__name__)
DIGITS = re.compile(r"\+?\d[\d .-]{7,}\d")
ADDRESS = re.compile(r"\S+@\S+")


def scrub(reason: str) -> str:
    """A provider's reason without any number or address it may quote."""
    return ADDRESS.sub("…", DIGITS.sub("…", reason))[:200]


PHONE_REST_DAYS = 30  # one contact per phone in 30 days, across waves
LOCAL = timedelta(hours=7)  # Asia/Ho_Chi_Minh, no summer time
# --- starting a wave's messages --------------------------------------------------


def _address_hash(channel: str, contact: CaseContact) -> str | None:
    if channel == "email":
        return email_hash(contact.email) if contact.email else None
    return contact.phone_hash if contact.phone else None


def _opted_out(hashes: set[str]) -> set[str]:
    if not hashes:
        return set()
    return set(
        db.session.scalars(
            select(OptOut.address_hash).where(OptOut.address_hash.in_(hashes))
        )
    )


def start_sending(
    wave: Wave, user: User | None = None, now: datetime | None = None
) -> int:
    """Queue the first message of every invitation not yet contacted."""
    now = now or utcnow()
    if wave.status != WAVE_DRAWN:
        raise PlanError("wave_not_drawn", "only a drawn wave sends messages")
    plan = plan_for(wave)
    if not plan.base_url:
        raise PlanError("no_public_address", "the plan needs the site's public address")
    contacted = select(OutboxMessage.invitation_id).where(
        OutboxMessage.wave_id == wave.id
    )
    rows = db.session.execute(
        select(Invitation.id, CaseContact)
        .join(CaseContact, CaseContact.case_id == Invitation.case_id)
        .where(Invitation.wave_id == wave.id, Invitation.id.not_in(contacted))
        .order_by(Invitation.id)
    ).all()
    queued = 0
    for invitation_id, contact in rows:
        for channel in plan.channel_list():
            key = _address_hash(channel, contact)
            if key:
                db.session.add(
                    OutboxMessage(
                        wave_id=wave.id,
                        invitation_id=invitation_id,
                        seq=0,
                        channel=channel,
                        address_hash=key,
                        due_at=now,
                        created_at=now,
                    )
                )
                queued += 1
                break
    plan.started_at = plan.started_at or now
    db.session.flush()
    record_event(user, "send", "wave", wave.id, queued=queued)
    return queued


def cancel_wave(wave: Wave, reason: str = "wave closed") -> int:
    return updated_rows(
        update(OutboxMessage)
        .where(OutboxMessage.wave_id == wave.id, OutboxMessage.state == QUEUED)
        .values(state=CANCELLED, reason=reason)
    )


# --- sending ------------------------------------------------------------------------


def due_count(now: datetime | None = None) -> int:
    now = now or utcnow()
    return int(
        db.session.scalar(
            select(func.count(OutboxMessage.id)).where(
                OutboxMessage.state == QUEUED, OutboxMessage.due_at <= now
            )
        )
        or 0
    )


def settle_stale(now: datetime) -> int:
    """Messages claimed long ago and never settled: failed, not resent.

    Flushes; the caller commits (survey/jobs.py ``send_due``)."""
    stale = now - timedelta(seconds=int_setting("OUTBOX_STALE_SECONDS", 600))
    return updated_rows(
        update(OutboxMessage)
        .where(OutboxMessage.state == SENDING, OutboxMessage.claimed_at < stale)
        .values(
            state=FAILED,
            reason="interrupted while sending: not sent again, to never send twice",
        )
    )


def due_ids(limit: int, now: datetime) -> list[int]:
    """Up to ``limit`` messages due at ``now``, the oldest first (reads only)."""
    return list(
        db.session.scalars(
            select(OutboxMessage.id)
            .where(OutboxMessage.state == QUEUED, OutboxMessage.due_at <= now)
            .order_by(OutboxMessage.due_at, OutboxMessage.id)
            .limit(limit)
        )
    )


def claim(message_id: int, now: datetime) -> bool:
    """Mark a queued message ``sending``: whether this caller holds it.

    The caller commits before ``deliver``, so that of two consumers (or a
    retry of a job that died) only one ever holds it."""
    claimed = updated_rows(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.state == QUEUED)
        .values(state=SENDING, claimed_at=now, attempts=OutboxMessage.attempts + 1)
    )
    return bool(claimed)


def _quiet_until(channel: str, now: datetime) -> datetime | None:
    """The end of the quiet hours when ``now`` is in them (UTC), else None."""
    spec = channel_setting(f"OUTBOX_QUIET_HOURS_{channel.upper()}", "") or (
        channel_setting("OUTBOX_QUIET_HOURS", "21-8")
    )
    try:
        start, end = (int(part) % 24 for part in spec.split("-", 1))
    except ValueError:
        return None
    if start == end:
        return None
    local = now + LOCAL
    hour = local.hour
    quiet = (start <= hour or hour < end) if start > end else start <= hour < end
    if not quiet:
        return None
    day = local.date() + timedelta(days=1 if start > end and hour >= start else 0)
    return datetime.combine(day, datetime.min.time()) + timedelta(hours=end) - LOCAL


def _cap_reached(channel: str, now: datetime) -> datetime | None:
    """Local midnight after today when the channel's daily cap is spent."""
    cap = int_setting(f"OUTBOX_DAILY_CAP_{channel.upper()}", 0)
    if cap <= 0:
        return None
    midnight = datetime.combine((now + LOCAL).date(), datetime.min.time()) - LOCAL
    today = db.session.scalar(
        select(func.count(OutboxMessage.id)).where(
            OutboxMessage.channel == channel,
            OutboxMessage.sent_at >= midnight,
            OutboxMessage.state.in_((SENT, DELIVERED, "bounced", SENDING)),
        )
    )
    return midnight + timedelta(days=1) if (today or 0) >= cap else None


def _why_not(message: OutboxMessage, now: datetime) -> str | None:
    invitation = message.invitation
    if invitation.status == ANSWERED or invitation.response is not None:
        return "answered"
    if invitation.wave.status != WAVE_DRAWN:
        return "wave closed"
    if now >= invitation.expires_at:
        return "invitation expired"
    if db.session.scalar(
        select(exists().where(OptOut.address_hash == message.address_hash))
    ):
        return "opted out"
    contact = invitation.case.contact
    if contact is None or not (
        contact.email if message.channel == "email" else contact.phone
    ):
        return "address erased"
    elsewhere = db.session.scalar(
        select(
            exists().where(
                OutboxMessage.address_hash == message.address_hash,
                OutboxMessage.invitation_id != message.invitation_id,
                OutboxMessage.state.in_((*REACHED, "bounced", SENDING)),
                OutboxMessage.claimed_at >= now - timedelta(days=PHONE_REST_DAYS),
            )
        )
    )
    return "contacted for another invitation in the last 30 days" if elsewhere else None


def _outgoing(message: OutboxMessage, plan: OutreachPlan) -> Outgoing:
    from survey.services.fieldwork.waves import invitation_token

    invitation = message.invitation
    contact = invitation.case.contact
    assert contact is not None
    root = plan.base_url.rstrip("/")
    link = f"{root}/i/{invitation_token(invitation.id)}"
    optout = f"{root}/o/{optout_token(invitation.id)}"
    kind = "first" if message.seq == 0 else "reminder"
    values = {"link": link, "optout": optout}
    vi = Template(getattr(plan, f"{kind}_vi")).safe_substitute(
        unit=invitation.unit.name_vi, **values
    )
    text, subject = vi, plan.subject_vi
    if message.channel == "email":  # businesses: both languages
        en = Template(getattr(plan, f"{kind}_en")).safe_substitute(
            unit=invitation.unit.name_en, **values
        )
        text = f"{vi}\n\n---\n\n{en}\n"
        subject = f"{plan.subject_vi} / {plan.subject_en}"
    address = contact.email if message.channel == "email" else contact.phone
    return Outgoing(
        message_id=message.id,
        to=address or "",
        text=text,
        link=link,
        optout_link=optout,
        subject=subject,
        language="vi, en" if message.channel == "email" else "vi",
        unit_name=invitation.unit.name_vi,
        template_id=plan.zns_template_id,
    )


def _queue_reminder(message: OutboxMessage, plan: OutreachPlan, now: datetime) -> None:
    if message.seq >= plan.max_reminders:
        return
    db.session.add(
        OutboxMessage(
            wave_id=message.wave_id,
            invitation_id=message.invitation_id,
            seq=message.seq + 1,
            channel=message.channel,
            address_hash=message.address_hash,
            due_at=now + timedelta(days=plan.reminder_days),
            created_at=now,
        )
    )


def deliver(message_id: int, now: datetime) -> str:
    """Check and send one claimed message; returns its new state.

    The message must be claimed and the claim committed (``claim``); the
    new state is flushed, and the caller commits it at once."""
    message = db.session.get(OutboxMessage, message_id)
    assert message is not None and message.state == SENDING
    reason = _why_not(message, now)
    if reason:
        message.state, message.reason = CANCELLED, reason
        db.session.flush()
        return CANCELLED
    later = _quiet_until(message.channel, now) or _cap_reached(message.channel, now)
    if later:
        message.state, message.due_at, message.claimed_at = QUEUED, later, None
        db.session.flush()
        return QUEUED
    plan = plan_for(message.invitation.wave)
    outgoing = _outgoing(message, plan)
    try:
        provider_id = get_channel(message.channel).send(outgoing)
    except Transient as error:
        message.state, message.reason = QUEUED, scrub(error.reason)
        message.due_at = now + timedelta(seconds=error.retry_after)
        message.claimed_at = None
        db.session.flush()
        return QUEUED
    except Rejected as error:
        message.state, message.reason = FAILED, scrub(error.reason)
        db.session.flush()
        return FAILED
    message.state, message.reason = SENT, ""
    message.sent_at, message.provider_id = now, provider_id or None
    _queue_reminder(message, plan, now)
    db.session.flush()
    log.info("outbox: message %s sent by %s", message.id, message.channel)
    return SENT
