"""Local (UTC+7) days, weeks and months of timestamps and tally rows, in SQL."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import Date, cast, func

from survey.extensions import db
from survey.models import Response
from survey.models.tallies import DAY_TABLES

# Ho Chi Minh City keeps UTC+7 all year: months and dates are local ones.
LOCAL_OFFSET = timedelta(hours=7)


def _local_week(column: Any) -> Any:
    """'YYYY-MM-DD' of the local Monday starting the week of a UTC timestamp."""
    if db.session.get_bind().dialect.name == "postgresql":
        monday = func.date_trunc("week", column + LOCAL_OFFSET)
        return func.to_char(monday, "YYYY-MM-DD")
    return func.date(column, "+7 hours", "weekday 0", "-6 days")


def _local_period(column: Any, period: str) -> Any:
    return _local_week(column) if period == "week" else local_month(column)


def local_day(column: Any) -> Any:
    """'YYYY-MM-DD' of a naive UTC timestamp, in local time, on either database."""
    if db.session.get_bind().dialect.name == "postgresql":
        return func.to_char(column + LOCAL_OFFSET, "YYYY-MM-DD")
    return func.strftime("%Y-%m-%d", column, "+7 hours")


def _week_of_day(day: Any) -> Any:
    """'YYYY-MM-DD' of the Monday starting the ISO week of a 'YYYY-MM-DD'."""
    if db.session.get_bind().dialect.name == "postgresql":
        monday = func.date_trunc("week", cast(day, Date))
        return func.to_char(monday, "YYYY-MM-DD")
    return func.date(day, "weekday 0", "-6 days")


def local_month(column: Any) -> Any:
    """'YYYY-MM' of a naive UTC timestamp, in local time, on either database."""
    if db.session.get_bind().dialect.name == "postgresql":
        return func.to_char(column + LOCAL_OFFSET, "YYYY-MM")
    return func.strftime("%Y-%m", column, "+7 hours")


def month_of(table: Any, period: str = "month") -> Any:
    if table is Response:
        return _local_period(Response.submitted_at, period)
    if table in DAY_TABLES.values():
        return (
            _week_of_day(table.day)
            if period == "week"
            else func.substr(table.day, 1, 7)
        )
    return table.month
