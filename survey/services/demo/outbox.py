"""The demo wave's messages: what an SMS gateway would have reported, so that
the wave's page shows a realistic funnel (drawn, sent, delivered, opened,
answered) and response rate."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import select

from survey.extensions import db
from survey.models import CaseContact, Invitation, Wave
from survey.models.outbox import (
    CANCELLED,
    DELIVERED,
    FAILED,
    SENT,
    OutboxMessage,
)
from survey.models.waves import ANSWERED
from survey.services.fieldwork.outbox_plans import plan_for


def simulate_outreach(wave: Wave, rng: random.Random, drawn: datetime) -> int:
    """First messages and one reminder, as sent after the draw; how many."""
    plan = plan_for(wave)
    plan.base_url, plan.started_at = "http://127.0.0.1:8000", drawn
    rows = db.session.execute(
        select(Invitation, CaseContact.phone_hash)
        .join(CaseContact, CaseContact.case_id == Invitation.case_id)
        .where(Invitation.wave_id == wave.id)
        .order_by(Invitation.id)
    ).all()
    made = 0
    for invitation, key in rows:
        if not key:
            continue
        sent = drawn + timedelta(minutes=rng.randint(5, 600))
        answered = invitation.status == ANSWERED
        roll = rng.random()
        state = SENT if roll >= 0.97 else FAILED if roll >= 0.91 else DELIVERED
        state = DELIVERED if answered else state
        db.session.add(
            OutboxMessage(
                wave_id=wave.id,
                invitation_id=invitation.id,
                seq=0,
                channel="sms",
                address_hash=key,
                state=state,
                reason="absent subscriber" if state == FAILED else "",
                provider_id=f"demo-{invitation.id}",
                due_at=drawn,
                claimed_at=sent,
                sent_at=sent,
                delivered_at=(
                    sent + timedelta(seconds=20) if state == DELIVERED else None
                ),
                created_at=drawn,
            )
        )
        made += 1
        if state == FAILED:
            continue
        # The reminder, three days on: sent unless they had answered by then.
        early = (
            answered
            and invitation.answered_at
            and invitation.answered_at < (sent + timedelta(days=3))
        )
        remind = sent + timedelta(days=3)
        db.session.add(
            OutboxMessage(
                wave_id=wave.id,
                invitation_id=invitation.id,
                seq=1,
                channel="sms",
                address_hash=key,
                state=CANCELLED if early else DELIVERED,
                reason="answered" if early else "",
                provider_id=None if early else f"demo-{invitation.id}-1",
                due_at=remind,
                claimed_at=remind,
                sent_at=None if early else remind,
                delivered_at=None if early else remind + timedelta(seconds=20),
                created_at=sent,
            )
        )
        made += 1
    db.session.flush()
    return made
