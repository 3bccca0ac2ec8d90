"""The unit tree: add, edit, move, deactivate, import from CSV, assign surveys."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from flask_babel import gettext
from sqlalchemy import select

from survey.extensions import db
from survey.models import Survey, Unit, User
from survey.models.units import UNIT_KINDS, UnitError
from survey.services.audit import record_event
from survey.services.fieldwork.csv_upload import CsvRefused, csv_rows

# Flask-Babel has no types; its gettext returns the translated str.
_: Callable[..., str] = gettext

CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")
MAX_IMPORT_ROWS = 5000
UNIT_CSV_HEADER = ("code", "parent_code", "name_vi", "name_en", "kind")


@dataclass
class ImportReport:
    added: list[str] = field(default_factory=list)
    rejected: list[tuple[int, str]] = field(default_factory=list)  # (line, reason)


def find_unit(code: str) -> Unit | None:
    return db.session.scalar(select(Unit).where(Unit.code == code))


def unit_tree(root: Unit) -> list[tuple[Unit, int]]:
    """``root`` and every unit below it, depth first, with their depth."""
    units = list(
        db.session.scalars(select(Unit).where(Unit.path.startswith(root.path)))
    )
    children: dict[int | None, list[Unit]] = {}
    for unit in units:
        children.setdefault(unit.parent_id, []).append(unit)
    ordered: list[tuple[Unit, int]] = []

    def walk(unit: Unit, depth: int) -> None:
        ordered.append((unit, depth))
        for child in sorted(children.get(unit.id, []), key=lambda u: u.code):
            walk(child, depth + 1)

    walk(root, 0)
    return ordered


def add_unit(
    user: User | None,
    code: str,
    parent: Unit | None,
    name_vi: str,
    name_en: str,
    kind: str,
) -> Unit:
    if find_unit(code) is not None:
        raise UnitError("code_taken")
    if kind not in UNIT_KINDS:
        raise UnitError("unknown_kind")
    unit = Unit(code=code, parent=parent, name_vi=name_vi, name_en=name_en, kind=kind)
    db.session.add(unit)
    db.session.flush()
    unit.update_path()
    db.session.flush()
    record_event(user, "add_unit", "unit", code, parent=parent.code if parent else None)
    return unit


def update_unit(user: User, unit: Unit, name_vi: str, name_en: str, kind: str) -> None:
    if kind not in UNIT_KINDS:
        raise UnitError("unknown_kind")
    unit.name_vi, unit.name_en, unit.kind = name_vi, name_en, kind
    db.session.flush()
    record_event(user, "edit_unit", "unit", unit.code)


def move_unit(user: User, unit: Unit, new_parent: Unit) -> None:
    """Re-parent ``unit``; a move under itself or its descendants is refused."""
    if unit.id == user.unit_id:
        raise UnitError("scope_root")
    old = unit.parent.code if unit.parent else None
    unit.move_to(new_parent)
    db.session.flush()
    record_event(user, "move_unit", "unit", unit.code, old=old, new=new_parent.code)


def set_unit_active(user: User, unit: Unit, active: bool) -> None:
    if unit.id == user.unit_id and not active:
        raise UnitError("scope_root")
    unit.active = active
    db.session.flush()
    record_event(
        user, "activate_unit" if active else "deactivate_unit", "unit", unit.code
    )


def import_units_csv(
    user: User | None,
    data: bytes,
    scope: Unit,
    progress: Callable[[int], object] | None = None,
) -> ImportReport:
    """Add the CSV's rows whose parent is known and in ``scope``; report the rest.

    Columns: code, parent_code, name_vi, name_en, kind (a header row is
    expected). A row may name a parent added by an earlier row of the file.
    ``progress(1)`` is called after each row (the command line's progress bar).
    """
    report = ImportReport()
    try:
        rows = csv_rows(data, UNIT_CSV_HEADER, MAX_IMPORT_ROWS)
    except CsvRefused as refused:
        report.rejected.append((refused.line, refused.reason))
        return report
    for line, row in rows:
        if progress is not None:
            progress(1)
        reason = _import_row(user, row, scope, report)
        if reason:
            report.rejected.append((line, reason))
    return report


def _import_row(
    user: User | None, row: list[str], scope: Unit, report: ImportReport
) -> str:
    if len(row) != 5:
        return _("Expected 5 columns, found %(n)s.", n=len(row))
    code, parent_code, name_vi, name_en, kind = (cell.strip() for cell in row)
    if not CODE_RE.match(code):
        return _(
            "The code is missing or not letters, digits, '.', '-', '_' (at most 40)."
        )
    if not name_vi or len(name_vi) > 200 or len(name_en) > 200:
        return _("name_vi is required; names are at most 200 characters.")
    if kind not in UNIT_KINDS:
        return _(
            "Unknown kind %(k)s (one of %(all)s).", k=kind, all=", ".join(UNIT_KINDS)
        )
    if find_unit(code) is not None:
        return _("The code %(code)s exists already.", code=code)
    parent = find_unit(parent_code) if parent_code else None
    if parent is None:
        return (
            _("Unknown parent %(code)s.", code=parent_code)
            if parent_code
            else _("The parent code is missing.")
        )
    if not parent.is_within(scope):
        return _("The parent %(code)s is outside your scope.", code=parent_code)
    unit = add_unit(user, code, parent, name_vi, name_en, kind)
    report.added.append(unit.code)
    return ""


def assign_units(user: User, survey: Survey, root: Unit, subtree: bool) -> list[Unit]:
    """Add ``root`` (and its active descendants) to the survey's units."""
    wanted = (
        list(
            db.session.scalars(
                select(Unit).where(Unit.path.startswith(root.path), Unit.active)
            )
        )
        if subtree
        else [root]
    )
    have = {u.id for u in survey.units}
    added = [u for u in wanted if u.id not in have]
    survey.units.extend(added)
    db.session.flush()
    record_event(
        user,
        "assign_units",
        "survey",
        survey.slug,
        units=[u.code for u in added][:500],
        subtree=subtree,
    )
    return added


def unassign_unit(user: User, survey: Survey, unit: Unit) -> None:
    if unit in survey.units:
        survey.units.remove(unit)
    db.session.flush()
    record_event(user, "unassign_unit", "survey", survey.slug, unit=unit.code)


MAX_FOUND = 50


def find_units(user: User, text: str) -> list[Unit]:
    """Active units in ``user``'s scope whose code or name contains ``text``.

    The units in scope, by path order (a parent before its children), at
    most MAX_FOUND; an empty ``text`` lists the first of them.
    """
    from sqlalchemy import func, or_

    query = select(Unit).where(Unit.path.startswith(user.unit.path), Unit.active)
    wanted = " ".join(text.split())[:80].lower()
    if wanted:
        pattern = f"%{wanted.replace('%', '').replace('_', '')}%"
        query = query.where(
            or_(
                func.lower(Unit.code).like(pattern),
                func.lower(Unit.name_vi).like(pattern),
                func.lower(Unit.name_en).like(pattern),
            )
        )
    return list(db.session.scalars(query.order_by(Unit.path).limit(MAX_FOUND)))


def unit_by_code_or_name(text: str) -> Unit | None:
    """The unit a person means by a code in any case, or by its exact name."""
    from sqlalchemy import func, or_

    wanted = " ".join(text.split())[:200]
    if not wanted:
        return None
    unit = db.session.scalar(
        select(Unit).where(func.upper(Unit.code) == wanted.upper()).limit(1)
    )
    if unit is not None:
        return unit
    named = list(
        db.session.scalars(
            select(Unit)
            .where(
                or_(
                    func.lower(Unit.name_vi) == wanted.lower(),
                    func.lower(Unit.name_en) == wanted.lower(),
                )
            )
            .limit(2)
        )
    )
    return named[0] if len(named) == 1 else None
