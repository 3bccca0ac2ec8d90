"""What an XLSForm import left out or changed, by sheet and row."""

from __future__ import annotations

from dataclasses import dataclass

MAX_LINES = 500


@dataclass(frozen=True)
class Skipped:
    """A row, or a feature of the whole file (row 0), not imported as written."""

    sheet: str
    row: int
    reason: str


class Report:
    """The lines of the import report; refusals are kept apart."""

    def __init__(self) -> None:
        self.lines: list[Skipped] = []
        self.reasons: list[str] = []
        self._seen: set[tuple[str, int, str]] = set()

    def skip(self, sheet: str, row: int, reason: str) -> None:
        key = (sheet, row, reason)
        if key in self._seen:
            return
        self._seen.add(key)
        if len(self.lines) < MAX_LINES:
            self.lines.append(Skipped(sheet, row, reason))

    def refuse(self, reason: str) -> None:
        if len(self.reasons) < 50:
            self.reasons.append(reason)
