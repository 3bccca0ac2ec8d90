"""Reading many rows straight from the database driver."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import Select

from survey.extensions import db


def driver_rows(query: Select[Any], size: int = 10_000) -> Iterator[tuple[Any, ...]]:
    """The rows of ``query`` as the driver's tuples, fetched ``size`` at a time.

    For hundreds of thousands of rows (a tally fold, a raw export):
    SQLAlchemy's result rows cost several times what the driver does, and
    these callers need nothing but the values. Runs in the session's
    transaction.
    """
    connection = db.session.connection()
    compiled = query.compile(dialect=connection.dialect)
    parameters: Any = compiled.params
    if compiled.positional:
        parameters = tuple(compiled.params[name] for name in compiled.positiontup or ())
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(str(compiled), parameters)
        while rows := cursor.fetchmany(size):
            yield from rows
    finally:
        cursor.close()
