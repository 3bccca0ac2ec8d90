"""The outbox: each invitation's messages (first contact and reminders), the
wave's plan for them, opt-outs, and a channel's rotating access token.

A message's address is never stored here: it is read from the case's contact
when the message is sent (and is gone once the wave closes). The keyed hash
of the address is kept, so that "one contact per phone in 30 days" and an
opt-out hold after the number is erased.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.extensions import Model
from survey.models._time import utcnow
from survey.models.waves import Invitation, Wave

CHANNELS = ("email", "sms", "zns")
# queued -> sending (claimed) -> sent -> delivered | bounced; failed, cancelled.
QUEUED, SENDING, SENT, DELIVERED = "queued", "sending", "sent", "delivered"
FAILED, BOUNCED, CANCELLED = "failed", "bounced", "cancelled"
MESSAGE_STATES = (QUEUED, SENDING, SENT, DELIVERED, FAILED, BOUNCED, CANCELLED)
REACHED = (SENT, DELIVERED)  # went out (a bounce is reported after "sent")


class OutreachPlan(Model):
    """How a wave contacts its sample: channels, reminders, texts."""

    __tablename__ = "outreach_plans"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    wave_id: Mapped[int] = mapped_column(
        ForeignKey("waves.id", ondelete="CASCADE"), unique=True
    )
    # In order of preference: the first the contact has an address for.
    channels: Mapped[str] = mapped_column(String(40), default="sms")
    max_reminders: Mapped[int] = mapped_column(Integer, default=2)
    reminder_days: Mapped[int] = mapped_column(Integer, default=3)
    subject_vi: Mapped[str] = mapped_column(String(200), default="")
    subject_en: Mapped[str] = mapped_column(String(200), default="")
    first_vi: Mapped[str] = mapped_column(Text, default="")
    first_en: Mapped[str] = mapped_column(Text, default="")
    reminder_vi: Mapped[str] = mapped_column(Text, default="")
    reminder_en: Mapped[str] = mapped_column(Text, default="")
    zns_template_id: Mapped[str] = mapped_column(String(40), default="")
    # The site's public address, for the links (a consumer has no request).
    base_url: Mapped[str] = mapped_column(String(200), default="")
    started_at: Mapped[datetime | None] = mapped_column(DateTime)

    wave: Mapped[Wave] = relationship()

    def channel_list(self) -> list[str]:
        return [c for c in self.channels.split(",") if c in CHANNELS]


class OutboxMessage(Model):
    """One message to one invitation's contact; ``seq`` 0 is the first."""

    __tablename__ = "outbox_messages"
    __table_args__ = (
        UniqueConstraint("invitation_id", "seq"),
        Index("ix_outbox_messages_state_due", "state", "due_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("waves.id"), index=True)
    invitation_id: Mapped[int] = mapped_column(ForeignKey("invitations.id"))
    seq: Mapped[int] = mapped_column(Integer, default=0)
    channel: Mapped[str] = mapped_column(String(10))
    language: Mapped[str] = mapped_column(String(5), default="vi")
    address_hash: Mapped[str] = mapped_column(String(64), index=True)
    state: Mapped[str] = mapped_column(String(10), default=QUEUED)
    reason: Mapped[str] = mapped_column(String(200), default="")
    provider_id: Mapped[str | None] = mapped_column(String(100), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    due_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    invitation: Mapped[Invitation] = relationship()

    def __repr__(self) -> str:
        return f"<OutboxMessage {self.id} {self.channel} #{self.seq} {self.state}>"


class OptOut(Model):
    """An address (phone or e-mail) that asked never to be contacted again."""

    __tablename__ = "opt_outs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    address_hash: Mapped[str] = mapped_column(String(64), unique=True)
    source: Mapped[str] = mapped_column(String(10))  # link, reply
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class ChannelToken(Model):
    """A provider's current access token and its one-use refresh token (ZNS)."""

    __tablename__ = "channel_tokens"

    channel: Mapped[str] = mapped_column(String(10), primary_key=True)
    access_token: Mapped[str] = mapped_column(Text, default="")
    refresh_token: Mapped[str] = mapped_column(Text, default="")
    expires_at: Mapped[datetime | None] = mapped_column(DateTime)
