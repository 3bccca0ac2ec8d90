"""Field work that a ward cannot bend: back-checks of phone interviews, and
the desk of people's requests about their personal data."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.extensions import Model
from survey.models._time import utcnow
from survey.models.responses import Response
from survey.models.users import User
from survey.models.waves import Wave

AGREEMENTS = ("yes", "partly", "no")  # the key items' answers, called again
REASONS = ("random", "risk")
REQUEST_KINDS = ("export", "erasure")
REQUEST_STATES = ("open", "done", "refused")


class BackCheck(Model):
    """A phone interview drawn for a second call, and what that call found."""

    __tablename__ = "back_checks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("waves.id"), index=True)
    response_id: Mapped[int] = mapped_column(
        ForeignKey("responses.id", ondelete="CASCADE"), unique=True
    )
    interviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(String(10), default="random")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    checker_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    checked_at: Mapped[datetime | None] = mapped_column(DateTime)
    agreement: Mapped[str | None] = mapped_column(String(10))
    note: Mapped[str] = mapped_column(String(500), default="")

    wave: Mapped[Wave] = relationship()
    response: Mapped[Response] = relationship()
    interviewer: Mapped[User] = relationship(foreign_keys=[interviewer_id])
    checker: Mapped[User | None] = relationship(foreign_keys=[checker_id])


class DataRequest(Model):
    """A person's request to see (export) or erase their data, and its answer.

    ``contact`` is a keyed hash when a phone number was given, else a short
    free text (how to reach the person, as little as will do).
    """

    __tablename__ = "data_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    contact: Mapped[str] = mapped_column(String(120))
    contact_hashed: Mapped[bool] = mapped_column(Boolean, default=False)
    received_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date, index=True)
    state: Mapped[str] = mapped_column(String(10), default="open")
    note: Mapped[str] = mapped_column(String(500), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)
