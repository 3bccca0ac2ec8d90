"""Invitation waves: a reproducible random draw of cases, each with a one-time link."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Table,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.extensions import Model, db
from survey.models._time import utcnow
from survey.models.cases import ServiceCase
from survey.models.responses import Response
from survey.models.surveys import Survey, SurveyVersion
from survey.models.units import Unit

WAVE_DRAFT, WAVE_DRAWN, WAVE_CLOSED = "draft", "drawn", "closed"
INVITED, OPENED, ANSWERED = "invited", "opened", "answered"


class WaveError(ValueError):
    """A change the wave's state forbids (drawing twice, closing a draft)."""


wave_units = Table(
    "wave_units",
    db.metadata,
    Column("wave_id", ForeignKey("waves.id", ondelete="CASCADE"), primary_key=True),
    Column("unit_id", ForeignKey("units.id"), primary_key=True, index=True),
)


class Wave(Model):
    __tablename__ = "waves"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("survey_versions.id"))
    name: Mapped[str] = mapped_column(String(200), default="")
    # Cases whose result was returned in [period_start, period_end] are drawn.
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    sample_per_unit: Mapped[int] = mapped_column(Integer)
    # Stratify by procedure group and outcome; rejected and late cases get
    # ``oversample_factor`` times their share of the sample.
    stratify: Mapped[bool] = mapped_column(Boolean, default=True)
    oversample_factor: Mapped[float] = mapped_column(Float, default=1.0)
    seed: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10), default=WAVE_DRAFT)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    drawn_at: Mapped[datetime | None] = mapped_column(DateTime)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)

    survey: Mapped[Survey] = relationship()
    version: Mapped[SurveyVersion] = relationship()
    units: Mapped[list[Unit]] = relationship(secondary=wave_units, order_by=Unit.id)
    invitations: Mapped[list[Invitation]] = relationship(back_populates="wave")

    def __repr__(self) -> str:
        return f"<Wave {self.id} {self.status}>"

    def mark_drawn(self, now: datetime) -> None:
        if self.status != WAVE_DRAFT:
            raise WaveError(f"wave {self.id} was drawn already")
        self.status = WAVE_DRAWN
        self.drawn_at = now

    def close(self, now: datetime) -> None:
        if self.status != WAVE_DRAWN:
            raise WaveError(
                f"only a drawn wave can be closed (this one is {self.status})"
            )
        self.status = WAVE_CLOSED
        self.closed_at = now


class Invitation(Model):
    """One case's one-time link; the token itself is never stored."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("waves.id"), index=True)
    # One token per case, ever.
    case_id: Mapped[int] = mapped_column(ForeignKey("service_cases.id"), unique=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    # SHA-256 of the token; set right after the row gets its id, because the
    # token is HMAC(SECRET_KEY, "invite:<id>").
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(10), default=INVITED)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    opened_at: Mapped[datetime | None] = mapped_column(DateTime)
    answered_at: Mapped[datetime | None] = mapped_column(DateTime)

    wave: Mapped[Wave] = relationship(back_populates="invitations")
    case: Mapped[ServiceCase] = relationship()
    unit: Mapped[Unit] = relationship()
    # The response given through this invitation (responses.invitation_id).
    response: Mapped[Response | None] = relationship(
        primaryjoin="Invitation.id == foreign(Response.invitation_id)",
        viewonly=True,
        uselist=False,
    )

    def __repr__(self) -> str:
        return f"<Invitation {self.id} {self.status}>"

    def mark_opened(self, now: datetime) -> None:
        if self.status == INVITED:
            self.status = OPENED
            self.opened_at = now

    def mark_answered(self, now: datetime) -> None:
        self.status = ANSWERED
        self.answered_at = now
