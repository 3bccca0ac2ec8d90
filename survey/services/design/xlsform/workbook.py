"""An XLSForm workbook read by pyxform, with the row of each of its elements.

pyxform reads .xlsx and .xls, the aliases and older spellings of the format
(``select one from``, ``label:English``, ``begin_group``) and the languages;
its ``workbook_to_json`` gives a normalised tree but no row numbers. Its sheet
reader keeps blank rows inside a sheet (so its own messages name true rows),
so row ``i`` of its list is spreadsheet row ``i + 2``: that list is the light
pass that gives each element of the tree its row for the report.
"""

from __future__ import annotations

import io
import logging
import warnings
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _

from survey.services.design.exchange import ExchangeError

MAX_BYTES = 512 * 1024
MAX_ROWS = 3000  # non-blank rows of the survey sheet
MAX_CHOICE_ROWS = 20000
MAX_UNPACKED = 40 * 1024 * 1024  # a zip bomb is refused before it is read
XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass
class Workbook:
    form: dict[str, Any]  # pyxform's tree
    rows: RowIndex
    choice_rows: dict[tuple[str, str], int]
    settings: dict[str, str]
    warnings: list[str]


class RowIndex:
    """Each element's survey-sheet row, found by name in sheet order."""

    def __init__(self, survey: list[dict[str, Any]]) -> None:
        self.entries: list[tuple[int, str, str]] = []
        for index, row in enumerate(survey):
            name = str(row.get("name", "") or "").strip()
            kind = " ".join(str(row.get("type", "") or "").split()).lower()
            if kind.replace("_", " ") in ("end group", "end repeat", "end loop"):
                continue  # a name there is allowed, and names nothing
            if name or kind:
                self.entries.append((index + 2, name, kind))
        self.cursor = 0

    def find(self, name: str) -> tuple[int, str]:
        """(row, the type as written) of the next row named ``name``; (0, '')."""
        for position in range(self.cursor, len(self.entries)):
            row, found, kind = self.entries[position]
            if found == name:
                self.cursor = position + 1
                return row, kind
        for row, found, kind in self.entries[: self.cursor]:  # out of order
            if found == name:
                return row, kind
        return 0, ""


def _unpacked_size(raw: bytes) -> int:
    """The declared size of the .xlsx archive's members (0 if not a zip)."""
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            return sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return 0


def _pyxform_message(error: Exception) -> str:
    text = " ".join(str(error).split())
    return text[:400] or type(error).__name__


def read(raw: bytes, kind: str) -> Workbook:
    """The workbook's tree and rows, or ExchangeError with pyxform's reason."""
    _check_file(raw, kind)
    data = _sheets(raw, kind)
    for sheet, limit in (("survey", MAX_ROWS), ("choices", MAX_CHOICE_ROWS)):
        rows = getattr(data, sheet, None) or []
        if sum(1 for row in rows if row) > limit:
            raise ExchangeError(
                [
                    _(
                        "The %(sheet)s sheet has more than %(n)s rows.",
                        sheet=sheet,
                        n=limit,
                    )
                ]
            )
    found: list[str] = []
    form = _form(data, found)
    choice_rows: dict[tuple[str, str], int] = {}
    for index, row in enumerate(data.choices or []):
        key = (str(row.get("list_name", "") or row.get("list name", "") or ""),
               str(row.get("name", "") or ""))  # fmt: skip
        choice_rows.setdefault(key, index + 2)
    settings = {
        str(k).strip().lower(): str(v)
        for k, v in ((data.settings or [{}])[0] or {}).items()
        if v is not None
    }
    return Workbook(
        form, RowIndex(list(data.survey or [])), choice_rows, settings, found
    )


def _check_file(raw: bytes, kind: str) -> None:
    if len(raw) > MAX_BYTES:
        raise ExchangeError([_("The file is too large (at most 512 KB).")])
    magic = XLS_MAGIC if kind == "xls" else XLSX_MAGIC
    if not raw.startswith(magic):
        raise ExchangeError([_("The file is not an Excel workbook (.xlsx or .xls).")])
    if kind == "xlsx" and _unpacked_size(raw) > MAX_UNPACKED:
        raise ExchangeError(
            [_("The workbook is too large once unpacked: it cannot be read.")]
        )


def _sheets(raw: bytes, kind: str) -> Any:
    """The workbook's sheets as pyxform reads them."""
    from pyxform.errors import PyXFormError
    from pyxform.xls2json_backends import definition_to_dict, get_definition_data

    logging.getLogger("pyxform").setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            definition = get_definition_data(io.BytesIO(raw))
            return definition_to_dict(definition, file_type=f".{kind}")
    except PyXFormError:
        raise ExchangeError(
            [_("The file is not an Excel workbook (.xlsx or .xls).")]
        ) from None
    except Exception:  # the readers raise many kinds on a damaged workbook
        raise ExchangeError(
            [_("The workbook is damaged and cannot be read.")]
        ) from None


def _form(data: Any, found: list[str]) -> dict[str, Any]:
    """pyxform's tree of the form (its warnings appended to ``found``)."""
    from pyxform.errors import PyXFormError
    from pyxform.xls2json import workbook_to_json

    try:
        form: dict[str, Any] = workbook_to_json(
            workbook_dict=data,
            form_name="data",
            fallback_form_name="data",
            default_language="default",
            warnings=found,
        )
    except PyXFormError as error:
        raise ExchangeError(
            [
                _(
                    "pyxform, the reference reader of XLSForms, refuses this file: "
                    "%(message)s",
                    message=_pyxform_message(error),
                )
            ]
        ) from None
    except Exception as error:  # a malformed form pyxform did not foresee
        raise ExchangeError(
            [
                _(
                    "The form cannot be read as an XLSForm: %(message)s",
                    message=_pyxform_message(error),
                )
            ]
        ) from None
    return form
