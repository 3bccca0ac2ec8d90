"""An uploaded CSV file read into numbered rows, or one sentence why not."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from flask_babel import gettext as _


class CsvRefused(ValueError):
    """The file as a whole cannot be read: (line, reason) for the report."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(reason)
        self.line, self.reason = line, reason


def csv_rows(
    data: bytes, header: Sequence[str], max_rows: int
) -> list[tuple[int, list[str]]]:
    """(line number, cells) of every non-blank row after the expected header."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CsvRefused(0, _("The file is not UTF-8 text.")) from None
    if "\x00" in text:
        raise CsvRefused(0, _("The file is not a CSV file."))
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        raise CsvRefused(0, _("The file is empty."))
    if [cell.strip().lower() for cell in rows[0]][: len(header)] != list(header):
        raise CsvRefused(1, _("The first line must be: %(h)s", h=",".join(header)))
    if len(rows) - 1 > max_rows:
        raise CsvRefused(0, _("More than %(n)s rows.", n=max_rows))
    return [
        (line, row)
        for line, row in enumerate(rows[1:], start=2)
        if any(cell.strip() for cell in row)
    ]
