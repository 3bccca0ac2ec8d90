"""Grouped counts of a survey's answers for a unit subtree, counted in SQL.

Every function here returns aggregates (counts per unit, code, option or
month); none loads responses into Python. ``survey.services.reporting.reports`` turns
the counts into figures with ``survey.domain.statistics``.

Disclosure control happens here, once, where the counts leave this module
(the cell-key method, ``survey.domain.disclosure``): each count comes with
the sum of its records' keys, and the functions the pages read return every
count perturbed by the noise that sum selects (``_publish``). The same cell
has the same figure wherever it appears; no figure is made by adding up
perturbed counts of smaller cells, so that a parent minus its children, or
one filter minus another, gives noise rather than a count. The per-unit
functions (``*_by_unit``) are exact: for the weighting and the tallies'
checks, never shown as such. ``SURVEY_CELL_KEY = False`` in the app's config
(the exact-arithmetic tests) turns the noise off.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any

from flask import current_app
from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Date,
    Select,
    and_,
    case,
    cast,
    func,
    literal,
    not_,
    select,
    union_all,
)

from survey.domain import disclosure
from survey.domain import statistics as st
from survey.domain.questions import (
    LIKERT5,
    MULTIPLE,
    NPS,
    RATING5,
    SATISFACTION_FACTORS,
    SINGLE,
)
from survey.domain.questions import TEXT_TYPES as TEXT_QUESTION_TYPES
from survey.extensions import db
from survey.models import Answer, Option, Question, Response, Survey, Unit
from survey.models.responses import INVITED_CHANNELS, RESPONDENT_GROUPS
from survey.models.surveys import SurveyVersion
from survey.models.tallies import (
    ALL_MONTHS,
    DAY_TABLES,
    NO_FACTOR,
    NO_FACTOR_ANSWERED,
    VALUE_CODES,
    AnswerDayTally,
    AnswerTally,
    FactorTally,
    ResponseTally,
)
from survey.services.reporting import comment_blocks

# Ho Chi Minh City keeps UTC+7 all year: months and dates are local ones.
LOCAL_OFFSET = timedelta(hours=7)
CHANNEL_GROUPS = ("invited", "optin")
TREND_PERIODS = ("month", "week")
SCALE_QUESTION_TYPES = (LIKERT5, RATING5, NPS)
CHOICE_QUESTION_TYPES = (SINGLE, MULTIPLE)
COMMENTS_PER_PAGE = 20


EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)


def _parse_date(value: str | None) -> date | None:
    """A date from the URL, or None; far-off dates are ignored, not overflowed."""
    try:
        day = date.fromisoformat(value) if value else None
    except ValueError:
        return None
    return day if day is not None and EARLIEST <= day <= LATEST else None


def _parse_int(value: str | None, largest: int = 100_000) -> int | None:
    """A positive whole number from the URL (small enough for any database)."""
    text = (value or "").strip()
    if not (text.isascii() and text.isdigit() and len(text) <= 9):
        return None
    number = int(text)
    return number if 0 < number <= largest else None


@dataclass(frozen=True)
class ResultFilter:
    """The slice a results page shows; it lives in the URL's query string.

    Unknown or malformed values are ignored, so any link reloads to the same
    slice and the page shows the filter that was really applied.
    """

    date_from: date | None = None
    date_to: date | None = None
    version: int | None = None
    channel: str = ""  # "" all, "invited" or "optin"
    group: str = ""  # "" all, or one of RESPONDENT_GROUPS
    include_flagged: bool = False  # hard-flagged responses stay out by default
    trend: str = "month"  # the trend chart's period: "month" or "week"

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> ResultFilter:
        channel = args.get("channel", "")
        group = args.get("group", "")
        trend = args.get("trend", "month")
        date_from = _parse_date(args.get("from"))
        date_to = _parse_date(args.get("to"))
        if date_from and date_to and date_to < date_from:
            date_from, date_to = date_to, date_from
        return cls(
            date_from=date_from,
            date_to=date_to,
            version=_parse_int(args.get("version")),
            channel=channel if channel in CHANNEL_GROUPS else "",
            group=group if group in RESPONDENT_GROUPS else "",
            include_flagged=args.get("flagged") == "1",
            trend=trend if trend in TREND_PERIODS else "month",
        )

    def to_args(self) -> dict[str, str]:
        """Query-string arguments that rebuild this filter (defaults left out)."""
        args: dict[str, str] = {}
        if self.date_from:
            args["from"] = self.date_from.isoformat()
        if self.date_to:
            args["to"] = self.date_to.isoformat()
        if self.version:
            args["version"] = str(self.version)
        if self.channel:
            args["channel"] = self.channel
        if self.group:
            args["group"] = self.group
        if self.include_flagged:
            args["flagged"] = "1"
        if self.trend != "month":
            args["trend"] = self.trend
        return args

    @property
    def is_default(self) -> bool:
        return not self.to_args()

    def conditions(
        self, survey: Survey, indexed: bool = True
    ) -> list[ColumnElement[bool]]:
        """WHERE conditions on ``Response`` for this survey and slice.

        ``indexed=False`` writes the survey's condition so that no index can
        serve it (``survey_id + 0``): for a query that must start elsewhere.
        """
        survey_id = Response.survey_id if indexed else Response.survey_id + 0
        where: list[ColumnElement[bool]] = [survey_id == survey.id]
        if self.date_from:
            start = datetime.combine(self.date_from, datetime.min.time())
            where.append(Response.submitted_at >= start - LOCAL_OFFSET)
        if self.date_to:
            end = datetime.combine(
                self.date_to + timedelta(days=1), datetime.min.time()
            )
            where.append(Response.submitted_at < end - LOCAL_OFFSET)
        if self.version:
            where.append(
                Response.version_id.in_(
                    select(SurveyVersion.id).where(
                        SurveyVersion.survey_id == survey.id,
                        SurveyVersion.number == self.version,
                    )
                )
            )
        if self.channel == "invited":
            where.append(Response.channel.in_(sorted(INVITED_CHANNELS)))
        elif self.channel == "optin":
            where.append(not_(Response.channel.in_(sorted(INVITED_CHANNELS))))
        if self.group:
            where.append(Response.respondent_group == self.group)
        if not self.include_flagged:
            where.append(Response.hard_flagged.is_(False))
        return where


def _in_subtree(scope: Unit | None) -> list[ColumnElement[bool]]:
    """Responses of units in ``scope``'s subtree (None: every unit)."""
    if scope is None:
        return []
    return [Response.unit_id.in_(Unit.subtree_ids(scope))]


def _answers(
    survey: Survey,
    scope: Unit | None,
    flt: ResultFilter,
    *columns: Any,
    period: str | None = None,
) -> Select[Any]:
    """Answers of the slice; with a ``period``, only those the tallies lack.

    Those few are reached from the responses' partial index. SQLite's planner,
    not knowing how few they are, would start from the question's answers
    (all million of them) and look each response up: ``question_id + 0``
    keeps it from using the answers' question index for the join.
    """
    tail = period is not None and _tallies_cover(flt, period)
    question_id = Answer.question_id + 0 if tail else Answer.question_id
    return (
        select(*columns)
        .select_from(Answer)
        .join(Response, Answer.response_id == Response.id)
        .join(Question, question_id == Question.id)
        .where(*flt.conditions(survey), *_in_subtree(scope))
        .where(*([Response.tally_batch.is_(None)] if tail else []))
    )


def _local_week(column: Any) -> Any:
    """'YYYY-MM-DD' of the local Monday starting the week of a UTC timestamp."""
    if db.session.get_bind().dialect.name == "postgresql":
        monday = func.date_trunc("week", column + LOCAL_OFFSET)
        return func.to_char(monday, "YYYY-MM-DD")
    return func.date(column, "+7 hours", "weekday 0", "-6 days")


def _local_period(column: Any, period: str) -> Any:
    return _local_week(column) if period == "week" else _local_month(column)


def _local_day(column: Any) -> Any:
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


def _local_month(column: Any) -> Any:
    """'YYYY-MM' of a naive UTC timestamp, in local time, on either database."""
    if db.session.get_bind().dialect.name == "postgresql":
        return func.to_char(column + LOCAL_OFFSET, "YYYY-MM")
    return func.strftime("%Y-%m", column, "+7 hours")


# --------------------------------------------------------------------------- #
# The unit tree of a scope
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class ScopeTree:
    """A scope unit, its children, and which child each subtree unit is under."""

    scope: Unit
    children: tuple[Unit, ...]
    child_of: Mapping[int, int]  # unit id -> child id (the scope's own id for itself)
    has_children: frozenset[int]  # ids of children that have children themselves


def scope_tree(scope: Unit) -> ScopeTree:
    """One query over the subtree (hundreds of rows at most, never responses)."""
    units = db.session.scalars(
        select(Unit).where(Unit.path.startswith(scope.path)).order_by(Unit.code)
    ).all()
    children = tuple(u for u in units if u.parent_id == scope.id)
    child_of: dict[int, int] = {}
    grandparents: set[int] = set()
    for unit in units:
        rest = unit.path[len(scope.path) :].strip("/")
        if not rest:
            child_of[unit.id] = scope.id
            continue
        segments = rest.split("/")
        child_of[unit.id] = int(segments[0])
        if len(segments) > 1:
            grandparents.add(int(segments[0]))
    return ScopeTree(scope, children, child_of, frozenset(grandparents))


def fold_by_child(
    tree: ScopeTree, per_unit: Mapping[int, Counter[Any]]
) -> dict[int, Counter[Any]]:
    """Add up per-unit counts into per-child counts (key: child id or scope id)."""
    folded: dict[int, Counter[Any]] = defaultdict(Counter)
    for unit_id, counts in per_unit.items():
        child = tree.child_of.get(unit_id)
        if child is not None:
            folded[child].update(counts)
    return dict(folded)


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
# (``_tally_reads``).

USE_TALLIES = True  # tests turn it off to compare with the straight counts
CELL_KEY: bool | None = None  # None: the app's SURVEY_CELL_KEY (default on)


def perturbing() -> bool:
    """Whether the published counts carry the cell-key noise."""
    if CELL_KEY is not None:
        return CELL_KEY
    return bool(current_app.config.get("SURVEY_CELL_KEY", True))


def _tallies_cover(flt: ResultFilter, period: str = "month") -> bool:
    """Whether the tallies count the slice (any dates, months or weeks)."""
    return USE_TALLIES


def _whole_months(flt: ResultFilter) -> tuple[date | None, date | None]:
    """The first and last day of the whole months in the filter's dates
    (None: unbounded); the first after the last when there are none."""
    start, end = flt.date_from, flt.date_to
    if start is not None and start.day != 1:
        start = (start.replace(day=28) + timedelta(days=4)).replace(day=1)
    if end is not None and (end + timedelta(days=1)).day != 1:
        end = end.replace(day=1) - timedelta(days=1)
    return start, end


def _tally_reads(
    table: type[ResponseTally] | type[FactorTally] | type[AnswerTally],
    survey: Survey,
    scope: Unit | None,
    flt: ResultFilter,
    by_month: bool = False,
    period: str = "month",
) -> list[tuple[Any, list[ColumnElement[bool]]]]:
    """The tally tables a count reads, each with its conditions
    (``ResultFilter.conditions`` and ``_in_subtree`` on that table).

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
        where.append(
            table.version_id.in_(
                select(SurveyVersion.id).where(
                    SurveyVersion.survey_id == survey.id,
                    SurveyVersion.number == flt.version,
                )
            )
        )
    if flt.channel:
        where.append(table.invited.is_(flt.channel == "invited"))
    if flt.group:
        where.append(table.respondent_group == flt.group)
    if not flt.include_flagged:
        where.append(table.hard_flagged.is_(False))
    if scope is not None:
        where.append(table.unit_id.in_(Unit.subtree_ids(scope)))
    return where


def _parts(
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


def _untallied(flt: ResultFilter, period: str = "month") -> list[ColumnElement[bool]]:
    """Rows to count straight: all of them, or those the tallies lack."""
    return [Response.tally_batch.is_(None)] if _tallies_cover(flt, period) else []


def _summed(parts: list[Select[Any]], keys: int) -> list[Any]:
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


def _keyed_codes(values: list[Any]) -> tuple[Counter[int], int]:
    """A row's c0..c10 and code key: counts per value code and the key sum."""
    return _counter(values[: len(VALUE_CODES)]), int(values[len(VALUE_CODES)] or 0)


def _response_counts(
    survey: Survey,
    scope: Unit | None,
    flt: ResultFilter,
    keys: Any,
    *where: ColumnElement[bool],
    period: str = "month",
    by_month: bool = False,
) -> list[Any]:
    """Responses and the sum of their record keys per ``keys(table)`` (a
    function of Response or ResponseTally).

    ``by_month``: the keys hold the month (or week), so the tallies' monthly
    rows are read (see ``_tally_reads``).
    """
    row_keys = keys(Response)  # once: PostgreSQL matches GROUP BY by parameters

    def rows() -> Select[Any]:
        return (
            select(*row_keys, func.count(), func.sum(Response.record_key))
            .where(
                *flt.conditions(survey), *_in_subtree(scope), *_untallied(flt, period)
            )
            .where(*(w(Response) for w in where))
            .group_by(*row_keys)
        )

    tallies = None
    if _tallies_cover(flt, period):
        tallies = [
            select(*tally_keys, func.sum(t.responses), func.sum(t.key_sum))
            .where(*conditions)
            .where(*(w(t) for w in where))
            .group_by(*tally_keys)
            for t, conditions in _tally_reads(
                ResponseTally, survey, scope, flt, by_month, period
            )
            for tally_keys in [keys(t)]  # once, as row_keys
        ]
    return _summed(_parts(survey, tallies, rows), len(row_keys))


def _month_of(table: Any, period: str = "month") -> Any:
    if table is Response:
        return _local_period(Response.submitted_at, period)
    if table in DAY_TABLES.values():
        return (
            _week_of_day(table.day)
            if period == "week"
            else func.substr(table.day, 1, 7)
        )
    return table.month


def _scale_counts(
    survey: Survey,
    scope: Unit | None,
    flt: ResultFilter,
    keys: Any,
    *where: ColumnElement[bool],
    period: str = "month",
    by_month: bool = False,
) -> list[Any]:
    """Value codes (c0..c10) of scale answers and the sum of their record
    keys per ``keys(table)``.

    ``keys`` receives Response (the rows) or AnswerTally; ``where`` are
    conditions on Question, which both sources join; ``by_month`` as for
    ``_response_counts``.
    """
    row_keys = keys(Response)  # once: PostgreSQL matches GROUP BY by parameters

    def rows() -> Select[Any]:
        return (
            _answers(survey, scope, flt, *row_keys, *_code_counts(), period=period)
            .where(Answer.value_int.is_not(None), *where)
            .group_by(*row_keys)
        )

    tallies = None
    if _tallies_cover(flt, period):
        tallies = [
            select(*tally_keys, *_code_sums(t))
            .join(Question, Question.id == t.question_id)
            .where(*conditions)
            .where(t.option_id == 0, *where)
            .group_by(*tally_keys)
            for t, conditions in _tally_reads(
                AnswerTally, survey, scope, flt, by_month, period
            )
            for tally_keys in [keys(t)]  # once, as row_keys
        ]
    return _summed(_parts(survey, tallies, rows), len(row_keys))


def _unit_of(table: Any) -> Any:
    return Response.unit_id if table is Response else table.unit_id


# --------------------------------------------------------------------------- #
# Publishing: the cell-key noise, applied where the counts leave this module
# --------------------------------------------------------------------------- #

VALID_CODES = {
    LIKERT5: frozenset(st.LIKERT_CODES),
    RATING5: frozenset(st.LIKERT_CODES),
    NPS: frozenset(st.NPS_CODES),
}


def _publish_count(count: int, key_sum: int, measure: str, min_n: int | None) -> int:
    """One published count: exact, or with its cell-key noise."""
    if not perturbing():
        return int(count)
    return disclosure.perturb_count(int(count), key_sum, measure, min_n)


def _publish_codes(
    counts: Counter[Any], key_sum: int, valid: frozenset[Any] | None, min_n: int | None
) -> Counter[Any]:
    """A published distribution (codes, options, patterns) of one cell."""
    if not perturbing():
        return counts
    return Counter(
        {
            k: v
            for k, v in disclosure.perturb_codes(counts, key_sum, valid, min_n).items()
            if v
        }
    )


@dataclass(frozen=True)
class UnitTable:
    """A scope's units table: a cell per child unit (key: its id; the scope's
    own id for answers at the scope unit itself) and one for the scope.

    Each cell is published from its own exact count and key sum (the sums of
    its units'), never as a sum of published counts: the scope's cell is the
    same figure as the scope's own headline and as the scope's row on its
    parent's page, and the parent minus the shown children is noise.
    """

    children: dict[int, Any] = field(default_factory=dict)
    total: Any = 0


def _folded(
    tree: ScopeTree, per_unit: Mapping[int, tuple[Any, int]], zero: Callable[[], Any]
) -> tuple[dict[int, tuple[Any, int]], tuple[Any, int]]:
    """Exact (counts, key sum) per unit added up per child and for the scope."""
    children: dict[int, list[Any]] = {}
    total: list[Any] = [zero(), 0]
    for unit_id, (counts, key) in per_unit.items():
        child = tree.child_of.get(unit_id)
        if child is None:
            continue
        cell = children.setdefault(child, [zero(), 0])
        cell[0] += counts
        cell[1] += key
        total[0] += counts
        total[1] += key
    return {c: (v[0], v[1]) for c, v in children.items()}, (total[0], total[1])


def _unit_rows(
    survey: Survey, scope: Unit | None, flt: ResultFilter, *where: Any
) -> dict[int, tuple[int, int]]:
    rows = _response_counts(survey, scope, flt, lambda t: [_unit_of(t)], *where)
    return {u: (int(n), int(k or 0)) for u, n, k in rows}


def responses_by_unit(
    survey: Survey, scope: Unit | None, flt: ResultFilter
) -> dict[int, int]:
    """Number of responses per unit id (exact: not to be shown as such)."""
    return {u: n for u, (n, _) in _unit_rows(survey, scope, flt).items()}


def _flagged_rows(
    survey: Survey, scope: Unit | None, flt: ResultFilter
) -> dict[int, tuple[int, int]]:
    return _unit_rows(
        survey,
        scope,
        replace(flt, include_flagged=True),
        lambda t: t.hard_flagged.is_(True),
    )


def hard_flagged_by_unit(
    survey: Survey, scope: Unit | None, flt: ResultFilter
) -> dict[int, int]:
    """Hard-flagged responses per unit id in the slice, whether included or not
    (exact: not to be shown as such)."""
    return {u: n for u, (n, _) in _flagged_rows(survey, scope, flt).items()}


def _count_table(
    tree: ScopeTree, per_unit: Mapping[int, tuple[int, int]], measure: str
) -> UnitTable:
    children, (total, key) = _folded(tree, per_unit, int)
    return UnitTable(
        {c: _publish_count(n, k, measure, None) for c, (n, k) in children.items()},
        _publish_count(total, key, measure, None),
    )


def responses_table(survey: Survey, tree: ScopeTree, flt: ResultFilter) -> UnitTable:
    """Published responses per child unit of ``tree`` and for its scope."""
    return _count_table(tree, _unit_rows(survey, tree.scope, flt), "responses")


def hard_flagged_table(survey: Survey, tree: ScopeTree, flt: ResultFilter) -> UnitTable:
    """Published hard-flagged responses per child unit and for the scope."""
    return _count_table(tree, _flagged_rows(survey, tree.scope, flt), "flagged")


def _likert_of(dimensions: Iterable[str]) -> list[ColumnElement[bool]]:
    return [Question.dimension.in_(list(dimensions)), Question.type == LIKERT5]


def _dimension_rows(
    survey: Survey, scope: Unit | None, flt: ResultFilter, dimensions: Iterable[str]
) -> dict[str, dict[int, tuple[Counter[int], int]]]:
    """Exact five-point codes and their key sum per dimension and unit id."""
    rows = _scale_counts(
        survey,
        scope,
        flt,
        lambda t: [Question.dimension, _unit_of(t)],
        *_likert_of(dimensions),
    )
    result: dict[str, dict[int, tuple[Counter[int], int]]] = defaultdict(dict)
    for dimension, unit_id, *codes in rows:
        counts, key = _keyed_codes(codes)
        before, before_key = result[dimension].get(unit_id, (Counter(), 0))
        result[dimension][unit_id] = (before + counts, before_key + key)
    return result


def dimension_counts_by_unit(
    survey: Survey, scope: Unit | None, flt: ResultFilter, dimensions: Iterable[str]
) -> dict[str, dict[int, Counter[int]]]:
    """Five-point answers per dimension tag, unit id and code (1..5, 9).

    Exact: for the weighting, which needs the units' own counts; a page
    shows ``dimension_table``'s.
    """
    return {
        d: {u: counts for u, (counts, _) in units.items()}
        for d, units in _dimension_rows(survey, scope, flt, dimensions).items()
    }


def dimension_table(
    survey: Survey, tree: ScopeTree, flt: ResultFilter, dimensions: Iterable[str]
) -> dict[str, UnitTable]:
    """Published five-point codes per dimension, child unit and for the scope."""
    valid = VALID_CODES[LIKERT5]
    tables: dict[str, UnitTable] = {}
    rows = _dimension_rows(survey, tree.scope, flt, dimensions)
    for dimension in dimensions:
        children, (total, key) = _folded(tree, rows.get(dimension, {}), Counter)
        tables[dimension] = UnitTable(
            {
                c: _publish_codes(n, k, valid, survey.min_n)
                for c, (n, k) in children.items()
            },
            _publish_codes(total, key, valid, survey.min_n),
        )
    return tables


def dimension_counts(
    survey: Survey, scope: Unit | None, flt: ResultFilter, dimension: str
) -> Counter[int]:
    """Published five-point answers of one dimension over the whole scope
    (None: the survey)."""
    rows = _scale_counts(survey, scope, flt, lambda t: [], *_likert_of([dimension]))
    if not rows:
        return Counter()
    counts, key = _keyed_codes(list(rows[0]))
    return _publish_codes(counts, key, VALID_CODES[LIKERT5], survey.min_n)


def factor_patterns(
    survey: Survey, scope: Unit | None, flt: ResultFilter, dimensions: Iterable[str]
) -> dict[tuple[int | None, ...], int]:
    """Respondents per pattern of top-two indicators over ``dimensions``.

    Per response (GROUP BY response_id) each factor is 1 (answered 4-5), 0
    (answered 1-3) or NULL (N/A or not answered); the patterns are then
    counted, so at most 3^5 rows come back however many responses there are.
    The tallies keep the same pattern per response for the five satisfaction
    factors (-1 standing for NULL, -2 for a respondent who answered none).
    Published: each pattern's count perturbed, keyed by the respondents'.
    """
    counts, key = _factor_rows(survey, scope, flt, tuple(dimensions))
    return dict(_publish_codes(counts, key, None, None))


def _factor_rows(
    survey: Survey, scope: Unit | None, flt: ResultFilter, dimensions: tuple[str, ...]
) -> tuple[Counter[tuple[int | None, ...]], int]:
    """Exact respondents per pattern, and their key sum over all patterns."""

    def per_pattern() -> Select[Any]:
        flags = [
            func.coalesce(flag, NO_FACTOR).label(f"f{i}")
            for i, flag in enumerate(factor_flags(dimensions))
        ]
        per_response = (
            _answers(
                survey,
                scope,
                flt,
                Answer.response_id,
                *flags,
                func.max(Response.record_key).label("record_key"),
                period="month",
            )
            .where(*_likert_of(dimensions))
            .group_by(Answer.response_id)
            .subquery()
        )
        columns = [per_response.c[f"f{i}"] for i in range(len(dimensions))]
        return select(
            *columns, func.count(), func.sum(per_response.c.record_key)
        ).group_by(*columns)

    tallies = None
    if _tallies_cover(flt) and dimensions == SATISFACTION_FACTORS:
        # The plain columns, in the table's key order: no sort for the GROUP BY.
        tallies = []
        for t, conditions in _tally_reads(FactorTally, survey, scope, flt):
            factors = [getattr(t, f"f{i}") for i in range(len(dimensions))]
            tallies.append(
                select(*factors, func.sum(t.responses), func.sum(t.key_sum))
                .where(*conditions)
                .where(t.f0 != NO_FACTOR_ANSWERED)
                .group_by(*factors)
            )
    rows = _summed(_parts(survey, tallies, per_pattern), len(dimensions))
    counts = Counter(
        {
            tuple(None if f == NO_FACTOR else f for f in row[:-2]): int(row[-2])
            for row in rows
        }
    )
    return counts, sum(int(row[-1] or 0) for row in rows)


@cache
def factor_flags(dimensions: tuple[str, ...]) -> tuple[Any, ...]:
    """Per response (grouped by it): 1, 0 or NULL for each factor dimension."""
    top = st.LIKERT_CODES[-2:]
    rest = st.LIKERT_CODES[:-2]
    return tuple(
        func.max(
            case(
                (and_(Question.dimension == d, Answer.value_int.in_(top)), 1),
                (and_(Question.dimension == d, Answer.value_int.in_(rest)), 0),
            )
        ).label(f"f{i}")
        for i, d in enumerate(dimensions)
    )


def responses_by_month(
    survey: Survey, scope: Unit | None, flt: ResultFilter, period: str = "month"
) -> dict[str, int]:
    """Published responses per local month 'YYYY-MM' (or week: its Monday
    'YYYY-MM-DD')."""
    rows = _response_counts(
        survey,
        scope,
        flt,
        lambda t: [_month_of(t, period)],
        period=period,
        by_month=True,
    )
    return {
        month: _publish_count(int(n), int(k or 0), "responses", None)
        for month, n, k in sorted(rows)
    }


def dimension_counts_by_month(
    survey: Survey,
    scope: Unit | None,
    flt: ResultFilter,
    dimension: str,
    period: str = "month",
) -> dict[str, Counter[int]]:
    """Published five-point answers of one dimension per local month (or
    week) and code."""
    rows = _scale_counts(
        survey,
        scope,
        flt,
        lambda t: [_month_of(t, period)],
        *_likert_of([dimension]),
        period=period,
        by_month=True,
    )
    published = {}
    for month, *codes in rows:
        counts, key = _keyed_codes(codes)
        published[month] = _publish_codes(
            counts, key, VALID_CODES[LIKERT5], survey.min_n
        )
    return published


def version_months(survey: Survey, period: str = "month") -> dict[int, str]:
    """Local month 'YYYY-MM' (or week's Monday) in which each version was published."""
    keys: dict[int, str] = {}
    for v in survey.versions:
        if v.published_at is None:
            continue
        local = (v.published_at + LOCAL_OFFSET).date()
        if period == "week":
            keys[v.number] = (local - timedelta(days=local.weekday())).isoformat()
        else:
            keys[v.number] = local.strftime("%Y-%m")
    return keys


def _scale_rows(
    survey: Survey, scope: Unit | None, flt: ResultFilter
) -> dict[tuple[str, str], tuple[Counter[int], int]]:
    """Exact codes and key sum per (question code, type) of scale questions."""
    rows = _scale_counts(
        survey,
        scope,
        flt,
        lambda t: [Question.code, Question.type],
        Question.type.in_(SCALE_QUESTION_TYPES),
    )
    return {(code, kind): _keyed_codes(codes) for code, kind, *codes in rows}


def scale_counts(
    survey: Survey, scope: Unit | None, flt: ResultFilter
) -> dict[str, Counter[int]]:
    """Published codes of five-point, rating and 0-10 questions, per question
    code (their answers' n kept on its side of the minimum n)."""
    published: dict[str, Counter[int]] = {}
    for (code, kind), (counts, key) in _scale_rows(survey, scope, flt).items():
        valid = VALID_CODES.get(kind)
        published[code] = published.get(code, Counter()) + _publish_codes(
            counts, key, valid, survey.min_n
        )
    return published


def _answered_counts(
    survey: Survey,
    scope: Unit | None,
    flt: ResultFilter,
    keys: Any,
    rows: Callable[[], Select[Any]],
    *where: Callable[[Any], ColumnElement[bool]],
) -> list[Any]:
    """``rows()`` (answers counted straight) plus the tallies' ``answered`` sums,
    each with the sum of the record keys of what it counts; ``where`` are
    conditions as functions of the tally table."""
    tallies = None
    if _tallies_cover(flt):
        tallies = [
            select(*keys, func.sum(t.answered), func.sum(t.answered_key))
            .select_from(t)
            .join(Question, Question.id == t.question_id)
            .where(*conditions, *(w(t) for w in where))
            .group_by(*keys)
            for t, conditions in _tally_reads(AnswerTally, survey, scope, flt)
        ]
    return _summed(_parts(survey, tallies, rows), len(keys))


def _option_rows(
    survey: Survey, scope: Unit | None, flt: ResultFilter
) -> dict[str, dict[str, tuple[int, int]]]:
    """Exact ticks and their key sum per question and option code."""

    def rows() -> Select[Any]:
        # Ticks per option id first, their codes after: joined to each answer,
        # PostgreSQL (expecting a handful of waiting responses) went through
        # every option once per answer, 80 ms for 300 responses at 10M.
        ticks = (
            _answers(
                survey,
                scope,
                flt,
                Question.code,
                Answer.option_id,
                func.count().label("ticks"),
                func.sum(Response.record_key).label("key_sum"),
                period="month",
            )
            .where(Question.type.in_(CHOICE_QUESTION_TYPES))
            .group_by(Question.code, Answer.option_id)
            .subquery()
        )
        return select(ticks.c.code, Option.code, ticks.c.ticks, ticks.c.key_sum).join(
            Option, Option.id == ticks.c.option_id
        )

    tallied = _answered_counts(
        survey,
        scope,
        flt,
        [Question.code, Option.code],
        rows,
        lambda t: Question.type.in_(CHOICE_QUESTION_TYPES),
        lambda t: Option.id == t.option_id,
    )
    result: dict[str, dict[str, tuple[int, int]]] = defaultdict(dict)
    for question, option, count, key in tallied:
        before = result[question].get(option, (0, 0))
        result[question][option] = (before[0] + int(count), before[1] + int(key or 0))
    return dict(result)


def option_counts(
    survey: Survey, scope: Unit | None, flt: ResultFilter
) -> dict[str, Counter[str]]:
    """Published ticks per option code of single and multiple choice questions."""
    return {
        question: Counter(
            {
                option: published
                for option, (n, k) in options.items()
                if (published := _publish_count(n, k, ("option", option), None))
            }
        )
        for question, options in _option_rows(survey, scope, flt).items()
    }


def _respondent_rows(
    survey: Survey, scope: Unit | None, flt: ResultFilter
) -> dict[str, tuple[int, int]]:
    """Exact respondents and their key sum per choice or text question."""
    answered_types = (*CHOICE_QUESTION_TYPES, *TEXT_QUESTION_TYPES)

    def rows() -> Select[Any]:
        # One row per respondent and question first: a multiple choice has an
        # answer row per ticked option, and the key is the respondent's.
        per_respondent = (
            _answers(
                survey,
                scope,
                flt,
                Question.code,
                Answer.response_id,
                func.max(Response.record_key).label("record_key"),
                period="month",
            )
            .where(Question.type.in_(answered_types), or_nonempty_text())
            .group_by(Question.code, Answer.response_id)
            .subquery()
        )
        return select(
            per_respondent.c.code, func.count(), func.sum(per_respondent.c.record_key)
        ).group_by(per_respondent.c.code)

    tallied = _answered_counts(
        survey,
        scope,
        flt,
        [Question.code],
        rows,
        lambda t: Question.type.in_(answered_types),
        lambda t: t.option_id == 0,
    )
    return {code: (int(count), int(key or 0)) for code, count, key in tallied}


def respondents_by_question(
    survey: Survey, scope: Unit | None, flt: ResultFilter
) -> dict[str, int]:
    """Published respondents who answered each choice or text question (kept
    on their side of the minimum n)."""
    return {
        code: _publish_count(n, k, "respondents", survey.min_n)
        for code, (n, k) in _respondent_rows(survey, scope, flt).items()
    }


def or_nonempty_text() -> ColumnElement[bool]:
    """A text answer counts only when it says something."""
    return ~and_(
        Question.type.in_(TEXT_QUESTION_TYPES),
        func.coalesce(func.trim(Answer.value_text), "") == "",
    )


@dataclass(frozen=True)
class Comment:
    text: str
    unit_id: int
    month: str


def _comment_query(
    survey: Survey, scope: Unit | None, flt: ResultFilter, question_code: str
) -> Select[Any]:
    """Comments of the slice's released blocks (``comment_blocks``): the
    dates widened to whole months, blocks of fewer than min n left out.
    The display copy, masked when stored: the raw text never leaves here."""
    wide = comment_blocks.whole_months(flt)
    query = _answers(survey, scope, wide, Answer.text_masked, Response.unit_id)
    released = comment_blocks.in_released_block(
        [*wide.conditions(survey), *_in_subtree(scope)],
        survey.min_n,
        _local_month(Response.submitted_at),
    )
    return query.where(
        Question.code == question_code,
        Question.type.in_(TEXT_QUESTION_TYPES),
        func.coalesce(func.trim(Answer.value_text), "") != "",
        released,
    )


def comment_total(
    survey: Survey, scope: Unit | None, flt: ResultFilter, question_code: str
) -> int:
    """The published number of comments in the slice's released blocks: the
    questions page's link and the comments page give the same figure."""
    base = _comment_query(survey, scope, flt, question_code)
    return _comment_count(survey, base, "comments", survey.min_n)


def comments(
    survey: Survey,
    scope: Unit | None,
    flt: ResultFilter,
    question_code: str,
    search: str = "",
    page: int = 1,
    per_page: int = COMMENTS_PER_PAGE,
) -> tuple[int, int, list[Comment]]:
    """(comments in the slice's released blocks, matches of ``search``, one
    page of matches); nothing of an unreleased block, not even by search.

    Both counts are published (the cell-key noise; the total kept on its
    side of the minimum n, which decides whether the comments are shown).
    """
    base = _comment_query(survey, scope, flt, question_code)
    total = comment_total(survey, scope, flt, question_code)
    month = _local_month(Response.submitted_at)
    ordered = base.add_columns(month).order_by(
        Response.submitted_at.desc(), Answer.id.desc()
    )
    offset = max(0, page - 1) * per_page
    if search:
        # The search runs over the stored masked copy, never over what was
        # masked (else a hit on "nguyenvanan" confirms an address). SQL
        # narrows the candidates where it can: its LIKE folds the case of
        # ASCII letters only (SQLite, PostgreSQL under the C locale), so a
        # search with "Ấ" in it is decided by Python alone, which folds all.
        candidates = ordered.add_columns(Response.record_key)
        if search.isascii():
            pattern = "%" + search.replace("\\", "\\\\").replace("%", "\\%") + "%"
            candidates = candidates.where(
                Answer.text_masked.ilike(pattern.replace("_", "\\_"), escape="\\")
            )
        folded = search.casefold()
        found = [
            (Comment(text, unit_id, key), record_key or 0)
            for text, unit_id, key, record_key in db.session.execute(candidates)
            if folded in (text or "").casefold()
        ]
        matches = _publish_count(len(found), sum(k for _, k in found), "matches", None)
        return total, matches, [c for c, _ in found[offset : offset + per_page]]
    rows = db.session.execute(ordered.limit(per_page).offset(offset)).all()
    return (
        total,
        total,
        [Comment(text, unit_id, key) for text, unit_id, key in rows],
    )


def _comment_count(
    survey: Survey, query: Select[Any], measure: str, min_n: int | None
) -> int:
    keyed = query.add_columns(Response.record_key.label("record_key")).subquery()
    count, key = db.session.execute(
        select(func.count(), func.sum(keyed.c.record_key))
    ).one()
    return _publish_count(int(count or 0), int(key or 0), measure, min_n)
