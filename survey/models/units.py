"""Units: the organisation tree (city > ward; city > department > branch).

A unit also has a validity period: a reform (``models.reforms``) ends former
units and starts their successors; nothing is renamed in place.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, Date, ForeignKey, Integer, Select, String, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.domain.errors import DomainError
from survey.extensions import Model, db

UNIT_KINDS = (
    "city",
    "ward",
    "commune",
    "special_zone",
    "department",
    "branch",
    "centre",
    "province",  # former provinces and districts, kept to group former units
    "district",
)


class UnitError(DomainError):
    """A change to the tree that would break it (a cycle, a duplicate code)."""

    codes = frozenset({"code_taken", "unknown_kind", "scope_root", "cycle"})


class Unit(Model):
    __tablename__ = "units"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    name_vi: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), default="ward")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Materialised path of ids ("/1/4/9/"): a subtree is one indexed prefix match.
    path: Mapped[str] = mapped_column(String(400), index=True, default="")
    # First and last day the unit existed (None: open-ended). Set by reforms.
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)

    parent: Mapped[Unit | None] = relationship(
        remote_side=[id], back_populates="children"
    )
    children: Mapped[list[Unit]] = relationship(
        back_populates="parent", order_by="Unit.code"
    )

    def __repr__(self) -> str:
        return f"<Unit {self.code}>"

    def name(self, lang: str) -> str:
        return self.name_en if lang == "en" and self.name_en else self.name_vi

    def update_path(self) -> None:
        """Recompute this unit's path (needs an id: flush first)."""
        prefix = self.parent.path if self.parent is not None else "/"
        self.path = f"{prefix}{self.id}/"

    def existed_on(self, day: date) -> bool:
        starts = self.valid_from is None or self.valid_from <= day
        return starts and (self.valid_to is None or day <= self.valid_to)

    def is_within(self, ancestor: Unit) -> bool:
        return self.path.startswith(ancestor.path)

    def move_to(self, new_parent: Unit | None) -> None:
        """Re-parent the unit and rewrite the paths of its whole subtree."""
        if new_parent is not None and new_parent.is_within(self):
            raise UnitError(
                "cycle", "a unit cannot move under itself or its own descendant"
            )
        old = self.path
        self.parent = new_parent
        self.update_path()
        descendants = db.session.scalars(
            select(Unit).where(Unit.path.startswith(old), Unit.id != self.id)
        )
        for unit in descendants:
            unit.path = self.path + unit.path[len(old) :]

    @classmethod
    def subtree_ids(cls, root: Unit) -> Select[int]:
        """A select of the ids of ``root`` and everything below it."""
        return select(cls.id).where(cls.path.startswith(root.path))
