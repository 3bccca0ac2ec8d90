"""A spreadsheet of a version's texts for a translator, and reading it back.

The sheet has one row per text: a key that names where the text lives, the
Vietnamese text (for reference) and the English text to fill in. Reading it
back changes only English texts of a draft, only where the key is known; every
row it cannot take gets a line in the report, and nothing is changed unless
the whole file reads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from io import BytesIO
from typing import Any

from survey.domain.errors import DomainError
from survey.models import SurveyVersion, User
from survey.services.audit import record_event

HEADER = ("key", "vietnamese", "english")
MAX_ROWS = 5000


class SheetError(DomainError):
    """The file as a whole cannot be read (not a workbook, wrong columns)."""

    codes = frozenset({"not_a_workbook", "wrong_columns", "too_many_rows", "published"})


@dataclass
class SheetReport:
    updated: int = 0
    unchanged: int = 0
    refused: list[tuple[int, str, str]] = field(default_factory=list)
    # (row number, key, reason code): unknown_key, too_long, vietnamese_changed


def _slots(version: SurveyVersion) -> dict[str, tuple[Any, str, str, int]]:
    """key → (object, Vietnamese attribute, English attribute, max length)."""
    slots: dict[str, tuple[Any, str, str, int]] = {
        "title": (version, "title_vi", "title_en", 300),
        "intro": (version, "intro_vi", "intro_en", 20000),
        "thanks": (version, "thanks_vi", "thanks_en", 20000),
    }
    for number, page in enumerate(version.pages, 1):
        slots[f"page.{number}.title"] = (page, "title_vi", "title_en", 300)
        for q in sorted(page.questions, key=lambda q: q.position):
            slots[f"{q.code}.text"] = (q, "text_vi", "text_en", 20000)
            slots[f"{q.code}.help"] = (q, "help_vi", "help_en", 20000)
            for option in q.options:
                key = f"{q.code}.option.{option.code}"
                slots[key] = (option, "label_vi", "label_en", 500)
    return slots


def sheet_rows(version: SurveyVersion) -> list[tuple[str, str, str]]:
    """(key, Vietnamese, English) for every Vietnamese text of the version."""
    return [
        (key, getattr(obj, vi), getattr(obj, en))
        for key, (obj, vi, en, _limit) in _slots(version).items()
        if getattr(obj, vi).strip()
    ]


def export_sheet(version: SurveyVersion) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    sheet.title = "texts"
    sheet.append(HEADER)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in sheet_rows(version):
        sheet.append(row)
    for column, width in zip("ABC", (24, 60, 60), strict=True):
        sheet.column_dimensions[column].width = width
    for row in sheet.iter_rows(min_row=2):
        for cell in row[1:]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def _read(data: bytes) -> list[tuple[int, str, str, str]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a bad file
        raise SheetError("not_a_workbook") from error
    sheet = book.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = tuple(str(v or "").strip().lower() for v in next(rows, ())[:3])
    if header != HEADER:
        raise SheetError("wrong_columns")
    read: list[tuple[int, str, str, str]] = []
    for number, row in enumerate(rows, 2):
        if number > MAX_ROWS:
            raise SheetError("too_many_rows")
        key, vi, en = (tuple(row) + (None, None, None))[:3]
        if key is None and vi is None and en is None:
            continue  # the empty formatted rows spreadsheet programs leave
        read.append((number, str(key or "").strip(), str(vi or ""), str(en or "")))
    return read


def import_sheet(user: User, version: SurveyVersion, data: bytes) -> SheetReport:
    """Fill the draft's English texts from a translator's sheet."""
    if version.published_at is not None:
        raise SheetError("published")
    slots = _slots(version)
    report = SheetReport()
    changes: list[tuple[Any, str, str]] = []
    for number, key, vi, en in _read(data):
        slot = slots.get(key)
        if slot is None:
            report.refused.append((number, key, "unknown_key"))
            continue
        obj, vi_attr, en_attr, limit = slot
        if vi.strip() != getattr(obj, vi_attr).strip():
            report.refused.append((number, key, "vietnamese_changed"))
            continue
        if len(en.strip()) > limit:
            report.refused.append((number, key, "too_long"))
            continue
        if en.strip() == getattr(obj, en_attr).strip():
            report.unchanged += 1
            continue
        changes.append((obj, en_attr, en.strip()))
    for obj, attr, value in changes:
        setattr(obj, attr, value)
    report.updated = len(changes)
    record_event(
        user,
        "import_translations",
        "survey_version",
        version.id,
        updated=report.updated,
        refused=len(report.refused),
    )
    return report
