"""No results request holds a worker (or the database) for long.

For a request of the results pages (blueprints ``results`` and ``open``;
not the streamed raw download), ``SURVEY_RESULTS_TIMEOUT_MS`` (default
5000; 0: no limit) bounds the reading:

- PostgreSQL: ``SET LOCAL statement_timeout`` in each of the request's
  transactions, on the primary and on a replica alike: the server cancels a
  statement that runs longer;
- SQLite: a progress handler, called every ``SQLITE_STEPS`` virtual-machine
  instructions, interrupts the statement once the request has run that long.

The reader then gets a 503 page saying that the view takes too long and how
to narrow it, in the page's language, instead of a 500 or a worker tied up
for minutes (``took_too_long`` and ``too_long_page``, used by survey/errors.py).
"""

from __future__ import annotations

import sqlite3
import time
from typing import Any

from flask import Flask, current_app, g, has_app_context, request
from flask_babel import gettext as _
from sqlalchemy import event
from sqlalchemy.pool import Pool

from survey.replica import READ_BLUEPRINTS as RESULTS_BLUEPRINTS
from survey.replica import RoutingSession

# A streamed download of raw responses (administrators, audited) may take
# as long as gunicorn's timeout allows: it is not a view to narrow.
UNLIMITED_ENDPOINTS = frozenset({"results.export_raw"})
SQLITE_STEPS = 1000  # instructions between two looks at the clock (~10 us)
QUERY_CANCELED = "57014"  # PostgreSQL's SQLSTATE for a statement timeout


class ReadLimit:
    """The time limit of one results request."""

    def __init__(self, milliseconds: int) -> None:
        self.milliseconds = milliseconds
        self.deadline = time.monotonic() + milliseconds / 1000
        self.active = True

    def sqlite_progress(self) -> int:
        """SQLite's progress handler: non-zero interrupts the statement."""
        return int(self.active and time.monotonic() > self.deadline)


def _start_limit() -> None:
    milliseconds = current_app.config.get("SURVEY_RESULTS_TIMEOUT_MS") or 0
    if (
        milliseconds > 0
        and request.blueprint in RESULTS_BLUEPRINTS
        and request.endpoint not in UNLIMITED_ENDPOINTS
    ):
        g._read_limit = ReadLimit(milliseconds)


def lift_limit() -> None:
    """End the request's limit (its error page must not be cut short too)."""
    limit = g.get("_read_limit") if has_app_context() else None
    if limit is not None:
        limit.active = False


def _end_limit(_error: BaseException | None) -> None:
    lift_limit()


@event.listens_for(RoutingSession, "after_begin")
def _limit_transaction(_session: Any, _transaction: Any, connection: Any) -> None:
    limit = g.get("_read_limit") if has_app_context() else None
    if limit is None or not limit.active:
        return
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(
            f"SET LOCAL statement_timeout = {int(limit.milliseconds)}"
        )
    elif connection.dialect.name == "sqlite":
        raw = connection.connection.dbapi_connection
        raw.set_progress_handler(limit.sqlite_progress, SQLITE_STEPS)


@event.listens_for(Pool, "checkin")
def _clear_progress_handler(dbapi_connection: Any, _record: Any) -> None:
    """A SQLite connection goes back to the pool without the request's handler."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.set_progress_handler(None, 0)


def took_too_long(error: BaseException) -> bool:
    """Whether ``error`` is a statement stopped by the results' time limit."""
    original = getattr(error, "orig", None)
    if getattr(original, "sqlstate", None) == QUERY_CANCELED:
        return True
    return isinstance(original, sqlite3.OperationalError) and (
        str(original) == "interrupted"
    )


def too_long_page() -> tuple[str, str]:
    """The title and message of the 503 page of a view stopped at its limit."""
    return (
        _("This view takes too long"),
        _(
            "This view takes too long to compute. Narrow the period or the "
            "filters, then try again."
        ),
    )


def init_read_limits(app: Flask) -> None:
    app.before_request(_start_limit)
    app.teardown_request(_end_limit)
