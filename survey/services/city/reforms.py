"""Reforms of the unit tree: import a mapping, apply its validity dates, undo it.

A reform never renames a unit in place and never moves a stored response:
former units end the day before it takes effect, their successors start on
that day, and the links (with shares) say which part of which former unit a
successor is made of. ``services.reporting.lineage_results`` reads them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from survey.domain.lineage import Link, link_problems
from survey.extensions import db
from survey.models import Reform, ReformLink, Unit, User
from survey.models._time import utcnow
from survey.services.audit import record_event
from survey.services.city.units import find_unit
from survey.services.fieldwork.csv_upload import CsvRefused, csv_rows

CSV_HEADER = ["former_code", "new_code", "share", "effective_date"]
MAX_LINES = 20_000
LOCAL_OFFSET = timedelta(hours=7)  # Vietnam time, as everywhere else


class ReformError(ValueError):
    """A reform that cannot be undone (already in effect) or has no links."""


@dataclass
class ReformReport:
    """What an import did: the reform made, or every line refused and why."""

    reform: Reform | None = None
    rejected: list[tuple[int, str]] = field(default_factory=list)  # (line, reason)
    links: int = 0
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class PlannedLink:
    predecessor: Unit
    successor: Unit
    share: float


def local_today() -> date:
    return (utcnow() + LOCAL_OFFSET).date()


def import_reform_csv(
    user: User | None, data: bytes, name: str, scope: Unit
) -> ReformReport:
    """All or nothing: one bad line and nothing is imported; every line reported.

    Columns: former_code, new_code, share (0-1, empty for 1), effective_date
    (YYYY-MM-DD, the same on every line). Both units must exist in ``scope``.
    """
    report = ReformReport()
    try:
        rows = csv_rows(data, CSV_HEADER, MAX_LINES)
    except CsvRefused as refused:
        report.rejected.append((refused.line, refused.reason))
        return report
    planned: list[PlannedLink] = []
    dates: set[date] = set()
    for line, row in rows:
        link, effective, reason = _parse_line(row, scope)
        if reason:
            report.rejected.append((line, reason))
        else:
            assert link is not None and effective is not None
            planned.append(link)
            dates.add(effective)
    if len(dates) > 1:
        report.rejected.append(
            (0, _("Every line must have the same effective date (one reform a file)."))
        )
    if not planned and not report.rejected:
        report.rejected.append((0, _("The file has no mapping lines.")))
    if report.rejected:
        return report
    return apply_reform(user, name, dates.pop(), planned, source="csv")


def apply_reform(
    user: User | None,
    name: str,
    effective_on: date,
    planned: Sequence[PlannedLink],
    source: str,
) -> ReformReport:
    """Check the links as a whole, then store them and the units' validity."""
    report = ReformReport()
    links = [Link(p.predecessor.code, p.successor.code, p.share) for p in planned]
    for problem in link_problems(links):
        report.rejected.append((0, problem))
    already = _already_reformed({p.predecessor.id for p in planned})
    for code in sorted(already):
        report.rejected.append(
            (0, _("%(code)s already ended in an earlier reform.", code=code))
        )
    if report.rejected:
        return report
    reform = Reform(name=name[:200], effective_on=effective_on, source=source)
    db.session.add(reform)
    for p in planned:
        reform.links.append(
            ReformLink(predecessor=p.predecessor, successor=p.successor, share=p.share)
        )
        p.predecessor.valid_to = effective_on - timedelta(days=1)
        if p.successor.valid_from is None:
            p.successor.valid_from = effective_on
    db.session.flush()
    record_event(
        user,
        "import_reform",
        "reform",
        reform.id,
        name=reform.name,
        effective_on=effective_on.isoformat(),
        links=len(planned),
        source=source,
    )
    report.reform, report.links = reform, len(planned)
    return report


def undo_reform(user: User | None, reform: Reform, today: date | None = None) -> None:
    """Remove a reform not yet in effect; the units get their open dates back."""
    if (today or local_today()) >= reform.effective_on:
        raise ReformError("in_effect")
    for link in reform.links:
        link.predecessor.valid_to = None
        if link.successor.valid_from == reform.effective_on:
            link.successor.valid_from = None
    record_event(user, "undo_reform", "reform", reform.id, name=reform.name)
    db.session.delete(reform)
    db.session.flush()


def reforms() -> list[Reform]:
    return list(db.session.scalars(select(Reform).order_by(Reform.effective_on)))


def _already_reformed(predecessor_ids: set[int]) -> set[str]:
    if not predecessor_ids:
        return set()
    rows = db.session.scalars(
        select(Unit.code)
        .join(ReformLink, ReformLink.predecessor_id == Unit.id)
        .where(ReformLink.predecessor_id.in_(predecessor_ids))
    )
    return set(rows)


def _parse_line(
    row: list[str], scope: Unit
) -> tuple[PlannedLink | None, date | None, str]:
    if len(row) != 4:
        return None, None, _("Expected 4 columns, found %(n)s.", n=len(row))
    former_code, new_code, share_text, date_text = (cell.strip() for cell in row)
    former, new = find_unit(former_code), find_unit(new_code)
    if former is None:
        return None, None, _("Unknown former unit %(code)s.", code=former_code[:40])
    if new is None:
        return None, None, _("Unknown new unit %(code)s.", code=new_code[:40])
    if not (former.is_within(scope) and new.is_within(scope)):
        return None, None, _("A unit of this line is outside your scope.")
    try:
        share = float(share_text.replace(",", ".")) if share_text else 1.0
    except ValueError:
        share = -1.0
    if not 0 < share <= 1:
        return None, None, _("The share must be a number above 0 and at most 1.")
    try:
        effective = date.fromisoformat(date_text)
    except ValueError:
        return None, None, _("The effective date must be YYYY-MM-DD.")
    return PlannedLink(former, new, share), effective, ""
