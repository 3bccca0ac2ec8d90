"""The raw responses as a file to download (administrators only; the view
audits before streaming): CSV, XLSX or SPSS, chunk by chunk."""

from __future__ import annotations

import itertools
import re
import tempfile
from collections.abc import Iterable, Iterator

from flask import Response, stream_with_context

from survey.models import Survey, Unit
from survey.results.overview_export import XLSX_TYPE
from survey.services.reporting import raw_export
from survey.services.reporting.raw_export import FORMULA_STARTS
from survey.services.reporting.result_filter import ResultFilter

FILE_CHUNK_BYTES = 64 * 1024


def _xlsx_chunks(header: list[str], rows: Iterable[list[object]]) -> Iterator[bytes]:
    """An XLSX file built on disk (openpyxl write-only), then sent in chunks.

    A ZIP file can only be finished once every row is in, so the first byte
    leaves after the last row is written; memory stays flat all the same.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    book = Workbook(write_only=True)
    sheet = book.create_sheet("responses")

    def cell(value: object) -> object:
        if not isinstance(value, str):
            return value
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if not value.startswith(FORMULA_STARTS):
            return value
        # A text cell with Excel's quote prefix: shown and kept as typed,
        # never run as a formula, and the text itself is not altered.
        text = WriteOnlyCell(sheet, value=value)
        text.data_type = "s"
        text.quotePrefix = True
        return text

    sheet.append(header)
    for row in rows:
        sheet.append([cell(value) for value in row])
    with tempfile.TemporaryFile() as spool:
        book.save(spool)
        spool.seek(0)
        while chunk := spool.read(FILE_CHUNK_BYTES):
            yield chunk


SAV_MAX_ROWS = 200_000  # SPSS files are built from a table held in memory


def _spss_name(label: str, taken: set[str]) -> str:
    """A valid SPSS variable name for a column (letters, digits, '_', '.')."""
    name = re.sub(r"[^A-Za-z0-9_.]", "_", label)[:60] or "v"
    if not name[0].isalpha():
        name = "v_" + name
    name = name.rstrip(".") or "v"
    unique, n = name, 1
    while unique.lower() in taken:
        n += 1
        unique = f"{name}_{n}"
    taken.add(unique.lower())
    return unique


def _sav_chunks(header: list[str], rows: Iterable[list[object]]) -> Iterator[bytes]:
    """An SPSS .sav file (pyreadstat), numeric where every value is a number.

    pyreadstat writes from a table in memory, so the file is built from at
    most SAV_MAX_ROWS responses; narrow the filters for more.
    """
    import pandas
    import pyreadstat

    table = list(itertools.islice(rows, SAV_MAX_ROWS))
    taken: set[str] = set()
    names = [_spss_name(label, taken) for label in header]
    columns: dict[str, list[object]] = {}
    for index, name in enumerate(names):
        values = [row[index] for row in table]
        numeric = all(v is None or isinstance(v, int | float) for v in values)
        columns[name] = (
            [float("nan") if v is None else v for v in values]
            if numeric
            else ["" if v is None else str(v) for v in values]
        )
    frame = pandas.DataFrame(columns)
    with tempfile.TemporaryDirectory() as folder:
        path = f"{folder}/responses.sav"
        pyreadstat.write_sav(frame, path, column_labels=list(header))
        with open(path, "rb") as spool:
            while chunk := spool.read(FILE_CHUNK_BYTES):
                yield chunk


RAW_TYPES = {"csv": "text/csv", "xlsx": XLSX_TYPE, "sav": "application/x-spss-sav"}


def raw_file(
    survey: Survey,
    scope: Unit,
    flt: ResultFilter,
    fmt: str,
    progress: raw_export.Progress | None = None,
) -> Iterator[str] | Iterator[bytes]:
    """The slice's raw responses as a ``fmt`` (csv, xlsx or sav) file, chunk
    by chunk; ``progress`` is called with the number of responses done."""
    layout = raw_export.raw_layout(survey, flt)
    if fmt == "csv":
        return raw_export.raw_csv(survey, scope, flt, layout, progress=progress)
    rows = raw_export.raw_rows(survey, scope, flt, layout, progress=progress)
    if fmt == "sav":
        return _sav_chunks(layout.header, rows)
    return _xlsx_chunks(layout.header, rows)


def raw_response(
    chunks: Iterable[str] | Iterable[bytes], fmt: str, name: str
) -> Response:
    """A streamed download of a raw file; the generator runs inside the request."""
    return Response(
        stream_with_context(chunks),
        mimetype=RAW_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'},
    )
