"""Field work: service cases, invitation waves, their outbox, phone interviews."""

from __future__ import annotations

from typing import Any, TypeVar, cast

from sqlalchemy import CursorResult, Update

from survey.extensions import db

T = TypeVar("T")


def not_null(value: T | None) -> T:
    """A nullable column's value that the query's WHERE keeps non-null.

    SQLAlchemy types a row by its columns alone, so a ``Response.interviewer_id``
    selected under ``interviewer_id IS NOT NULL`` still reads as ``int | None``.
    """
    if value is None:
        raise TypeError("a column the query keeps non-null was null")
    return value


def updated_rows(statement: Update) -> int:
    """Run an UPDATE in the session; how many rows it matched."""
    # Session.execute is typed to return a plain Result, but an UPDATE without
    # RETURNING gives a CursorResult, the one with a rowcount.
    return cast(CursorResult[Any], db.session.execute(statement)).rowcount
