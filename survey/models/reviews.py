"""Units under review: a red integrity indicator until an administrator decides."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.extensions import Model
from survey.models._time import utcnow
from survey.models.surveys import Survey
from survey.models.units import Unit
from survey.models.users import User

UNDER_REVIEW, CLEARED, CONFIRMED = "under_review", "cleared", "confirmed"
# Not a review: the unit's evidence is amber, replaced at every recomputation
# (survey.services.integrity.watch); never decided, never out of rankings.
AMBER = "amber"


class ReviewError(ValueError):
    """A decision the review's rules forbid (no reason, decided already)."""


class UnitReview(Model):
    """A unit's integrity review for one survey and period."""

    __tablename__ = "unit_reviews"
    __table_args__ = (Index("ix_unit_reviews_survey_unit", "survey_id", "unit_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(15), default=UNDER_REVIEW)
    # The red indicators, each with its reason, as computed.
    reason: Mapped[str] = mapped_column(Text)
    opened_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    decision_reason: Mapped[str] = mapped_column(Text, default="")

    survey: Mapped[Survey] = relationship()
    unit: Mapped[Unit] = relationship()
    decided_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<UnitReview unit={self.unit_id} {self.status}>"

    def decide(
        self, outcome: str, user: User | None, reason: str, now: datetime
    ) -> None:
        """Clear (the data are sound) or confirm (manipulated), with a reason."""
        if outcome not in (CLEARED, CONFIRMED):
            raise ReviewError(f"a review is cleared or confirmed, not {outcome!r}")
        if self.status != UNDER_REVIEW:
            raise ReviewError(f"this review was {self.status} already")
        if len(reason.strip()) < 10:
            raise ReviewError(
                "write the reason for the decision (10 characters or more)"
            )
        self.status = outcome
        self.decided_by = user
        self.decided_at = now
        self.decision_reason = reason.strip()
