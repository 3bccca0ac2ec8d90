"""Service cases from the one-stop system: the sampling frame and the population.

The case reference is kept only as a keyed hash. The phone number for the
invitation lives in its own table (``case_contacts``) so that nothing counting
results ever joins it, and it is erased when its purpose ends.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.extensions import Model
from survey.models._time import utcnow
from survey.models.units import Unit

CASE_SOURCES = ("csv", "api")


class ServiceCase(Model):
    """One completed procedure (a dossier) of the one-stop system."""

    __tablename__ = "service_cases"
    __table_args__ = (
        Index("ix_service_cases_unit_returned", "unit_id", "returned_on"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # HMAC-SHA256 of the reference with the app's SECRET_KEY: a re-import finds
    # the case again, but the reference itself cannot be read back.
    reference_hash: Mapped[str] = mapped_column(String(64), unique=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    procedure_group: Mapped[str] = mapped_column(String(60))
    applicant_type: Mapped[str] = mapped_column(String(10))
    submission_channel: Mapped[str] = mapped_column(String(10))
    outcome: Mapped[str] = mapped_column(String(10))
    received_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date | None] = mapped_column(Date)
    returned_on: Mapped[date] = mapped_column(Date)
    # How often the applicant was asked to supplement the file, when known:
    # the record a respondent's "one visit" is checked against.
    supplement_requests: Mapped[int | None] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(5), default="csv")
    imported_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    unit: Mapped[Unit] = relationship()
    contact: Mapped[CaseContact | None] = relationship(
        back_populates="case", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<ServiceCase {self.id} unit={self.unit_id} {self.outcome}>"

    @property
    def late(self) -> bool:
        """Returned after the date promised on the receipt."""
        return self.due_on is not None and self.returned_on > self.due_on


class CaseContact(Model):
    """The phone number an invitation goes to; personal data, kept apart."""

    __tablename__ = "case_contacts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("service_cases.id", ondelete="CASCADE"), unique=True
    )
    phone: Mapped[str | None] = mapped_column(String(20))
    # A business's e-mail address, when the one-stop system has one.
    email: Mapped[str | None] = mapped_column(String(254))
    # Keyed hash of the normalised number: "at most once per phone in 30 days"
    # still holds after the number itself is erased at the wave's close.
    phone_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    erased_at: Mapped[datetime | None] = mapped_column(DateTime)

    case: Mapped[ServiceCase] = relationship(back_populates="contact")

    def __repr__(self) -> str:
        state = "erased" if self.erased_at else "kept"
        return f"<CaseContact case={self.case_id} {state}>"

    def erase(self, now: datetime, forget_hash: bool = False) -> None:
        """Erase the number (and on a person's request its hash too)."""
        self.phone = None
        self.email = None
        if forget_hash:
            self.phone_hash = None
        if self.erased_at is None:
            self.erased_at = now


class ApiClient(Model):
    """A system allowed to post cases (the one-stop system), with a hashed token."""

    __tablename__ = "api_clients"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime)
    disabled_at: Mapped[datetime | None] = mapped_column(DateTime)

    def __repr__(self) -> str:
        return f"<ApiClient {self.name}>"
