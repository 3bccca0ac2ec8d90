"""Reforms: predecessors of units linked to their successors, with shares."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.extensions import Model
from survey.models._time import utcnow
from survey.models.units import Unit


class Reform(Model):
    """One reorganisation of units, effective on a date (e.g. 1 July 2025)."""

    __tablename__ = "reforms"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    effective_on: Mapped[date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    links: Mapped[list[ReformLink]] = relationship(
        back_populates="reform", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Reform {self.id} {self.effective_on}>"


class ReformLink(Model):
    """``share`` of a predecessor went to a successor (1.0: the whole of it)."""

    __tablename__ = "reform_links"
    __table_args__ = (UniqueConstraint("reform_id", "predecessor_id", "successor_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reform_id: Mapped[int] = mapped_column(
        ForeignKey("reforms.id", ondelete="CASCADE"), index=True
    )
    predecessor_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    successor_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    share: Mapped[float] = mapped_column(Float, default=1.0)

    reform: Mapped[Reform] = relationship(back_populates="links")
    predecessor: Mapped[Unit] = relationship(foreign_keys=[predecessor_id])
    successor: Mapped[Unit] = relationship(foreign_keys=[successor_id])

    def __repr__(self) -> str:
        return f"<ReformLink {self.predecessor_id}->{self.successor_id} {self.share}>"
