"""The counting engine: grouped counts from the tallies plus the responses not
yet folded into them, in one SQL statement each.

Every function of the counting modules (``unit_counts``, ``scope_counts``,
``trend_counts``, ``question_counts``, ``comments``) returns aggregates
(counts per unit, code, option or month); none loads responses into Python.
``survey.services.reporting.reports`` turns the counts into figures with
``survey.domain.statistics``; ``publishing`` adds the cell-key noise.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from functools import cache
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Select,
    case,
    cast,
    func,
    select,
    union_all,
)

from survey.domain.questions import LIKERT5
from survey.extensions import db
from survey.models import Answer, Question, Response, Survey, Unit
from survey.models.tallies import VALUE_CODES, AnswerTally, ResponseTally
from survey.services.reporting.count_source import TALLIES, CountSource, tally_reads
from survey.services.reporting.result_filter import ResultFilter, in_subtree


def answers(
    survey: Survey,
    scope: Unit | None,
    flt: ResultFilter,
    *columns: Any,
    period: str | None = None,
    source: CountSource = TALLIES,
) -> Select[Any]:
    """Answers of the slice; with a ``period`` and the tallies as ``source``,
    only those the tallies lack.

    Those few are reached from the responses' partial index. SQLite's planner,
    not knowing how few they are, would start from the question's answers
    (all million of them) and look each response up: ``question_id + 0``
    keeps it from using the answers' question index for the join.
    """
    tail = period is not None and source is TALLIES
    question_id = Answer.question_id + 0 if tail else Answer.question_id
    return (
        select(*columns)
        .select_from(Answer)
        .join(Response, Answer.response_id == Response.id)
        .join(Question, question_id == Question.id)
        .where(*flt.conditions(survey), *in_subtree(scope))
        .where(*([Response.tally_batch.is_(None)] if tail else []))
    )


# --------------------------------------------------------------------------- #
# Counts: from the tallies plus the responses not yet folded into them
# --------------------------------------------------------------------------- #
#
# Each count is one statement: the tallies' sums UNION ALL the same counts over
# the responses whose ``tally_batch`` is still NULL, added up. One statement
# reads one snapshot, so a fold committing meanwhile is seen whole or not at
# all: every figure is exact. When no response of the survey is waiting (most
# of the time), a count reads the tallies alone: it then counts every response
# stored before it looked, exactly once, and any folded since. Dates that are
# not whole months read their whole months from the monthly tallies and the
# rest from the day tallies; weekly trends read the day tallies
# (``tally_reads``).


def count_parts(
    survey: Survey,
    tallies: list[Select[Any]] | None,
    rows: Callable[[], Select[Any]],
) -> list[Select[Any]]:
    """The statements a count adds up: the tallies' (None: they cannot cut
    the slice) and ``rows()``'s, unless no response of the survey waits to be
    folded (building and planning the rows' half cost as much as reading the
    tallies)."""
    if tallies is None:
        return [rows()]
    waiting = select(Response.id).where(
        Response.tally_batch.is_(None), Response.survey_id == survey.id
    )
    if db.session.scalar(waiting.limit(1)) is None:
        return tallies
    return [*tallies, rows()]


def _untallied(source: CountSource) -> list[ColumnElement[bool]]:
    """Rows to count straight: all of them, or those the tallies lack."""
    return [Response.tally_batch.is_(None)] if source is TALLIES else []


def summed(parts: list[Select[Any]], keys: int) -> list[Any]:
    """Rows of ``parts`` (same columns: keys, then counts) added up per key."""
    if len(parts) == 1:
        return list(db.session.execute(parts[0]).all())
    union = union_all(*parts).subquery()
    columns = list(union.c)
    query = select(
        *columns[:keys],
        *(cast(func.sum(c), BigInteger) for c in columns[keys:]),
    )
    if keys:
        query = query.group_by(*columns[:keys])
    return list(db.session.execute(query).all())


# The column expressions below are the same in every query: built once, as
# building them (a dozen CASEs each) cost a results page more than reading
# its rows.


@cache
def _code_sums(table: type[AnswerTally]) -> tuple[Any, ...]:
    return (
        *(
            cast(func.sum(getattr(table, f"c{code}")), BigInteger).label(f"c{code}")
            for code in VALUE_CODES
        ),
        cast(func.sum(table.code_key), BigInteger).label("code_key"),
    )


@cache
def _code_counts() -> tuple[Any, ...]:
    coded = Answer.value_int.between(VALUE_CODES[0], VALUE_CODES[-1])
    return (
        *(
            func.sum(case((Answer.value_int == code, 1), else_=0)).label(f"c{code}")
            for code in VALUE_CODES
        ),
        func.sum(case((coded, Response.record_key), else_=0)).label("code_key"),
    )


def _counter(values: Iterable[int | None]) -> Counter[int]:
    """Counts per value code, without the codes nobody gave."""
    return Counter({c: int(n) for c, n in zip(VALUE_CODES, values, strict=True) if n})


def keyed_codes(values: list[Any]) -> tuple[Counter[int], int]:
    """A row's c0..c10 and code key: counts per value code and the key sum."""
    return _counter(values[: len(VALUE_CODES)]), int(values[len(VALUE_CODES)] or 0)


def response_counts(
    survey: Survey,
    scope: Unit | None,
    flt: ResultFilter,
    keys: Any,
    *where: Callable[[Any], ColumnElement[bool]],
    period: str = "month",
    by_month: bool = False,
    source: CountSource = TALLIES,
) -> list[Any]:
    """Responses and the sum of their record keys per ``keys(table)`` (a
    function of Response or ResponseTally); ``where`` are conditions as
    functions of that table, as ``keys``.

    ``by_month``: the keys hold the month (or week), so the tallies' monthly
    rows are read (see ``tally_reads``).
    """
    row_keys = keys(Response)  # once: PostgreSQL matches GROUP BY by parameters

    def rows() -> Select[Any]:
        return (
            select(*row_keys, func.count(), func.sum(Response.record_key))
            .where(*flt.conditions(survey), *in_subtree(scope), *_untallied(source))
            .where(*(w(Response) for w in where))
            .group_by(*row_keys)
        )

    tallies = None
    if source is TALLIES:
        tallies = [
            select(*tally_keys, func.sum(t.responses), func.sum(t.key_sum))
            .where(*conditions)
            .where(*(w(t) for w in where))
            .group_by(*tally_keys)
            for t, conditions in tally_reads(
                ResponseTally, survey, scope, flt, by_month, period
            )
            for tally_keys in [keys(t)]  # once, as row_keys
        ]
    return summed(count_parts(survey, tallies, rows), len(row_keys))


def scale_code_counts(
    survey: Survey,
    scope: Unit | None,
    flt: ResultFilter,
    keys: Any,
    *where: ColumnElement[bool],
    period: str = "month",
    by_month: bool = False,
    source: CountSource = TALLIES,
) -> list[Any]:
    """Value codes (c0..c10) of scale answers and the sum of their record
    keys per ``keys(table)``.

    ``keys`` receives Response (the rows) or AnswerTally; ``where`` are
    conditions on Question, which both sources join; ``by_month`` as for
    ``response_counts``.
    """
    row_keys = keys(Response)  # once: PostgreSQL matches GROUP BY by parameters

    def rows() -> Select[Any]:
        return (
            answers(
                survey,
                scope,
                flt,
                *row_keys,
                *_code_counts(),
                period=period,
                source=source,
            )
            .where(Answer.value_int.is_not(None), *where)
            .group_by(*row_keys)
        )

    tallies = None
    if source is TALLIES:
        tallies = [
            select(*tally_keys, *_code_sums(t))
            .join(Question, Question.id == t.question_id)
            .where(*conditions)
            .where(t.option_id == 0, *where)
            .group_by(*tally_keys)
            for t, conditions in tally_reads(
                AnswerTally, survey, scope, flt, by_month, period
            )
            for tally_keys in [keys(t)]  # once, as row_keys
        ]
    return summed(count_parts(survey, tallies, rows), len(row_keys))


def unit_of(table: Any) -> Any:
    return Response.unit_id if table is Response else table.unit_id


def likert_of(dimensions: Iterable[str]) -> list[ColumnElement[bool]]:
    return [Question.dimension.in_(list(dimensions)), Question.type == LIKERT5]


def answered_counts(
    survey: Survey,
    scope: Unit | None,
    flt: ResultFilter,
    keys: Any,
    rows: Callable[[], Select[Any]],
    *where: Callable[[Any], ColumnElement[bool]],
    source: CountSource = TALLIES,
) -> list[Any]:
    """``rows()`` (answers counted straight) plus the tallies' ``answered`` sums,
    each with the sum of the record keys of what it counts; ``where`` are
    conditions as functions of the tally table."""
    tallies = None
    if source is TALLIES:
        tallies = [
            select(*keys, func.sum(t.answered), func.sum(t.answered_key))
            .select_from(t)
            .join(Question, Question.id == t.question_id)
            .where(*conditions, *(w(t) for w in where))
            .group_by(*keys)
            for t, conditions in tally_reads(AnswerTally, survey, scope, flt)
        ]
    return summed(count_parts(survey, tallies, rows), len(keys))
