"""Writing synthetic rows fast: COPY on PostgreSQL, executemany on SQLite,
the next chunk invented in a thread while this one is stored."""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Iterator
from datetime import datetime
from typing import Any, TypeVar, cast

from sqlalchemy import text

from survey.extensions import db
from survey.models.responses import masked_text

T = TypeVar("T")
Row = tuple[Any, ...]  # one row of a table, in its columns' order


def _in_background(items: Iterator[T]) -> Iterator[T]:
    """Run ``items`` in a thread, one step ahead of the consumer.

    The database drivers release the GIL while they write, so inventing the
    next chunk overlaps with storing this one.
    """
    ahead: queue.Queue[tuple[bool, Any]] = queue.Queue(maxsize=2)
    stop = threading.Event()

    def produce() -> None:
        try:
            for item in items:
                if stop.is_set():
                    return
                ahead.put((True, item))
            ahead.put((False, None))
        except BaseException as error:  # handed over to the consumer
            ahead.put((False, error))

    worker = threading.Thread(target=produce, daemon=True)
    worker.start()
    try:
        while True:
            more, item = ahead.get()
            if not more:
                if item is not None:
                    raise item
                return
            yield item
    finally:
        stop.set()
        while worker.is_alive():  # unblock a producer waiting on a full queue
            with contextlib.suppress(queue.Empty):
                ahead.get(timeout=0.1)
        worker.join()


RESPONSE_COLUMNS = (
    "id",
    "survey_id",
    "version_id",
    "unit_id",
    "channel",
    "language",
    "respondent_group",
    "started_at",
    "submitted_at",
    "duration_seconds",
    "token",
    "device_hash",
    "hard_flagged",
    "soft_flag_count",
    "record_key",
)
ANSWER_COLUMNS = (
    "response_id",
    "question_id",
    "option_id",
    "value_int",
    "value_text",
    "text_masked",
)
FLAG_COLUMNS = ("response_id", "code", "kind", "reason")
CELL_COLUMNS = ("response_id", "cells")


def _with_masked_copies(answers: list[Row]) -> list[Row]:
    """Each answer row with its text's display copy (the demo repeats texts)."""
    copies: dict[str, str | None] = {}
    rows = []
    for row in answers:
        text = row[4]
        if text is not None and text not in copies:
            copies[text] = masked_text(text)
        rows.append((*row, None if text is None else copies[text]))
    return rows


# The tables a bulk load fills, and those its readers join them with.
ANALYZED = ("responses", "answers", "response_flags", "response_cells", "units")


class _BulkWriter:
    """Writes tuples in the session's transaction, the fastest way per dialect."""

    def __init__(self) -> None:
        self.dialect = db.engine.dialect.name

    def write(
        self,
        responses: list[Row],
        answers: list[Row],
        flags: list[Row],
        cells: list[Row],
        batch: int | None = None,
    ) -> None:
        """Write the rows; with ``batch``, the responses are stamped as folded."""
        # The session's connection: the rows join its transaction.
        self.connection = db.session.connection()
        # psycopg's or sqlite3's own connection (the two share no typed API).
        self.raw = cast(Any, self.connection.connection.driver_connection)
        if self.dialect == "sqlite":
            # A big page cache keeps the index updates of a large load in memory.
            self.raw.execute("PRAGMA cache_size=-262144")
        elif self.dialect == "postgresql" and self._superuser():
            # Every id the rows refer to was just read in this transaction, so the
            # per-row foreign-key triggers (4x the cost of the COPY) prove nothing.
            self.raw.execute("SET LOCAL session_replication_role = replica")
        response_columns: tuple[str, ...] = RESPONSE_COLUMNS
        if batch is not None:
            response_columns += ("tally_batch",)
            responses = [(*row, batch) for row in responses]
        answers = _with_masked_copies(answers)
        tables = (
            ("responses", response_columns, responses),
            ("answers", ANSWER_COLUMNS, answers),
            ("response_flags", FLAG_COLUMNS, flags),
            ("response_cells", CELL_COLUMNS, cells),
        )
        for table, columns, rows in tables:
            if not rows:
                continue
            if self.dialect == "postgresql":
                self._copy(table, columns, rows)
            elif self.dialect == "sqlite":
                self._sqlite(table, columns, rows)
            else:
                self.connection.execute(
                    db.metadata.tables[table].insert(),
                    [dict(zip(columns, row, strict=True)) for row in rows],
                )

    def _superuser(self) -> bool:
        if not hasattr(self, "superuser"):
            self.superuser: bool = (
                self.raw.info.parameter_status("is_superuser") == "on"
            )
        return self.superuser

    def _sqlite(self, table: str, columns: tuple[str, ...], rows: list[Row]) -> None:
        if table == "responses":
            # Stored as SQLAlchemy stores DateTime on SQLite, so comparisons hold.
            rows = [
                (*row[:7], _sqlite_time(row[7]), _sqlite_time(row[8]), *row[9:])
                for row in rows
            ]
        marks = ", ".join("?" * len(columns))
        self.raw.executemany(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",  # noqa: S608 - fixed names
            rows,
        )

    def _copy(self, table: str, columns: tuple[str, ...], rows: list[Row]) -> None:
        cursor = self.raw.cursor()
        with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.close()

    def finish(self) -> None:
        if self.dialect == "postgresql":
            db.session.execute(
                text(
                    "SELECT setval(pg_get_serial_sequence('responses', 'id'), "
                    "(SELECT max(id) FROM responses))"
                )
            )
            # The planner's statistics of what was just written, taken in this
            # transaction (ANALYZE counts its own uncommitted rows): the
            # queries that follow before the commit (the demo's quality
            # checks) were planned against the tables as they were before,
            # nested loops over thousands of rows, minutes a query.
            db.session.execute(text(f"ANALYZE {', '.join(ANALYZED)}"))


def _sqlite_time(value: datetime | None) -> str | None:
    return None if value is None else value.strftime("%Y-%m-%d %H:%M:%S.%f")
