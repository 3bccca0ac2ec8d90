"""What a count reads (``CountSource``: the tallies or the raw rows), and which
tally rows it reads for a slice (monthly, daily, over all months)."""

from __future__ import annotations

from datetime import date, timedelta
from enum import Enum
from typing import Any

from sqlalchemy import ColumnElement, Select, literal, select, union_all

from survey.models import Option, Question, Survey, Unit
from survey.models.surveys import SurveyVersion
from survey.models.tallies import (
    ALL_MONTHS,
    DAY_TABLES,
    AnswerDayTally,
    AnswerTally,
    FactorTally,
    ResponseTally,
)
from survey.services.reporting.result_filter import ResultFilter, version_ids


class CountSource(Enum):
    """What a count reads, passed to every counting function (``source=``)."""

    # The tallies plus the responses not yet folded into them, in one
    # statement (``counting``): what the pages read, whatever the dates.
    TALLIES = "tallies"
    # The response rows alone, counted straight: what the tallies must equal
    # (``tally_check``, the tests).
    RAW = "raw"


TALLIES, RAW = CountSource.TALLIES, CountSource.RAW


def _whole_months(flt: ResultFilter) -> tuple[date | None, date | None]:
    """The first and last day of the whole months in the filter's dates
    (None: unbounded); the first after the last when there are none."""
    start, end = flt.date_from, flt.date_to
    if start is not None and start.day != 1:
        start = (start.replace(day=28) + timedelta(days=4)).replace(day=1)
    if end is not None and (end + timedelta(days=1)).day != 1:
        end = end.replace(day=1) - timedelta(days=1)
    return start, end


def tally_reads(
    table: type[ResponseTally] | type[FactorTally] | type[AnswerTally],
    survey: Survey,
    scope: Unit | None,
    flt: ResultFilter,
    by_month: bool = False,
    period: str = "month",
) -> list[tuple[Any, list[ColumnElement[bool]]]]:
    """The tally tables a count reads, each with its conditions
    (``ResultFilter.conditions`` and ``in_subtree`` on that table).

    No dates and no grouping by month (``by_month``): the rows summed over
    all months. Weeks: the day rows. Else the whole months from the monthly
    rows and the days before and after them from the day rows; each
    response is in exactly one of the reads.
    """
    days = DAY_TABLES[table]

    def day_range(low: date | None, high: date | None) -> tuple[Any, list[Any]]:
        where = _slice_conditions(days, survey, scope, flt)
        if days is AnswerDayTally:
            # The survey's questions and options as lists: SQLite then seeks
            # each one's days in the key instead of scanning every day row.
            questions = _survey_questions(survey)
            options = select(Option.id).where(Option.question_id.in_(questions))
            where.append(days.question_id.in_(questions))
            where.append(days.option_id.in_(union_all(select(literal(0)), options)))
        if low is not None:
            where.append(days.day >= low.isoformat())
        if high is not None:
            where.append(days.day <= high.isoformat())
        return days, where

    if period == "week":
        return [day_range(flt.date_from, flt.date_to)]
    where = _slice_conditions(table, survey, scope, flt)
    if not (by_month or flt.date_from or flt.date_to):
        return [(table, [*where, table.month == ALL_MONTHS])]
    start, end = _whole_months(flt)
    if start is not None and end is not None and start > end:
        return [day_range(flt.date_from, flt.date_to)]
    where.append(table.month != ALL_MONTHS)
    if start is not None:
        where.append(table.month >= start.strftime("%Y-%m"))
    if end is not None:
        where.append(table.month <= end.strftime("%Y-%m"))
    reads = [(table, where)]
    if start is not None and start != flt.date_from:
        reads.append(day_range(flt.date_from, start - timedelta(days=1)))
    if end is not None and end != flt.date_to:
        reads.append(day_range(end + timedelta(days=1), flt.date_to))
    return reads


def _survey_questions(survey: Survey) -> Select[Any]:
    versions = select(SurveyVersion.id).where(SurveyVersion.survey_id == survey.id)
    return select(Question.id).where(Question.version_id.in_(versions))


def _slice_conditions(
    table: Any, survey: Survey, scope: Unit | None, flt: ResultFilter
) -> list[ColumnElement[bool]]:
    """The filter's conditions on a tally table, dates aside."""
    where: list[ColumnElement[bool]] = [table.survey_id == survey.id]
    if flt.version:
        where.append(table.version_id.in_(version_ids(survey, flt.version)))
    if flt.channel:
        where.append(table.invited.is_(flt.channel == "invited"))
    if flt.group:
        where.append(table.respondent_group == flt.group)
    if not flt.include_flagged:
        where.append(table.hard_flagged.is_(False))
    if scope is not None:
        where.append(table.unit_id.in_(Unit.subtree_ids(scope)))
    return where
