"""Folding responses into the tallies that the results pages read.

A fold takes responses whose ``tally_batch`` is NULL, stamps them with a new
batch number and adds their counts to ``response_tallies`` and
``answer_tallies``, all in one transaction. The results queries count a
response from the tallies once it is stamped and from its rows before, in one
statement each, so a figure never counts a response twice or misses it.

Submissions never touch the tallies (no hot rows, no extra statements on the
citizen's path); folds run from ``flask tallies fold`` and from the results
pages when more than ``FOLD_AFTER`` responses are waiting. A bulk load that
has its rows in hand (``demo.generate_responses``) counts them with the same
``Counts`` and stamps them as it writes them: no fold afterwards.
Each cell is written three times: per local day (the day tables), per month
and summed over all months; a batch is counted per day and the months are
added up from its days, so the three agree to the unit and the key sum.
``flask tallies rebuild`` recounts everything; ``flask tallies check`` proves
the tallies equal the straight counts, as the tests do.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import groupby
from operator import itemgetter
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    and_,
    bindparam,
    delete,
    func,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError

from survey.domain import statistics as st
from survey.domain.questions import LIKERT5, OVERALL, SATISFACTION_FACTORS, TEXT_TYPES
from survey.extensions import db
from survey.models import Answer, Question, Response, Survey
from survey.models.responses import INVITED_CHANNELS
from survey.models.tallies import (
    ALL_MONTHS,
    DAY_TABLES,
    FACTORS,
    NO_FACTOR,
    NO_FACTOR_ANSWERED,
    SLICE_COLUMNS,
    VALUE_CODES,
    AnswerDayTally,
    AnswerTally,
    FactorTally,
    ResponseTally,
    TallyState,
)
from survey.services.reporting import results
from survey.services.reporting.driver import driver_rows
from survey.services.reporting.results import LOCAL_OFFSET, _local_day

log = logging.getLogger(__name__)

FOLD_AFTER = 500  # responses waiting before a results page folds them in
FOLD_LIMIT = 20_000  # responses per fold of the command: bounded memory
PAGE_FOLD_LIMIT = 5_000  # per fold from a results page: a short request
TIDY_AFTER = 50_000  # responses folded at once: compact the tallies, ANALYZE
MONTH = SLICE_COLUMNS.index("month")  # in a cut: the day ('YYYY-MM-DD')
DAY_COLUMNS = tuple("day" if c == "month" else c for c in SLICE_COLUMNS)
FACTOR_KEY = (*SLICE_COLUMNS, *(f"f{i}" for i in range(FACTORS)))
ANSWER_KEY = (*SLICE_COLUMNS, "question_id", "option_id")
DAY_KEYS = {
    key: tuple("day" if c == "month" else c for c in key)
    for key in (SLICE_COLUMNS, FACTOR_KEY, ANSWER_KEY)
}
ANSWER_COUNTS = (
    "answered",
    *(f"c{code}" for code in VALUE_CODES),
    "code_key",
    "answered_key",
)
CODE_KEY, ANSWERED_KEY = len(ANSWER_COUNTS) - 2, len(ANSWER_COUNTS) - 1
FACTOR_INDEX = {dimension: i for i, dimension in enumerate(SATISFACTION_FACTORS)}
TOP, REST = frozenset(st.LIKERT_CODES[-2:]), frozenset(st.LIKERT_CODES[:-2])
CHOICE_TYPES = frozenset(results.CHOICE_QUESTION_TYPES)
assert len(SATISFACTION_FACTORS) == FACTORS


def _slice() -> list[Any]:
    """The tallies' slice columns (the local day for the month), computed
    from a response row."""
    return [
        Response.survey_id,
        Response.version_id,
        Response.unit_id,
        _local_day(Response.submitted_at),
        Response.channel.in_(sorted(INVITED_CHANNELS)),
        func.coalesce(Response.respondent_group, ""),
        Response.hard_flagged,
    ]


def cut_of(
    survey_id: int,
    version_id: int,
    unit_id: int,
    submitted_at: datetime,
    channel: str,
    respondent_group: str | None,
    hard_flagged: bool,
) -> tuple[Any, ...]:
    """The slice of a response not yet stored, as ``_slice()`` reads it
    (its local day in the month's place: ``write`` makes the months).

    ``submitted_at`` must be in whole milliseconds: SQLite's date functions
    round to the millisecond, so 23:59:59.9996 on a month's last day would
    be the next month there and this month here.
    """
    assert submitted_at.microsecond % 1000 == 0, submitted_at
    return (
        survey_id,
        version_id,
        unit_id,
        (submitted_at + LOCAL_OFFSET).strftime("%Y-%m-%d"),
        channel in INVITED_CHANNELS,
        respondent_group or "",
        hard_flagged,
    )


@dataclass
class Counts:
    """Counts of one batch, added up in Python from one pass over its answers.

    Grouping hundreds of thousands of answer rows by the tallies' wide key in
    SQL cost SQLite's sorter seconds per batch; a dict takes a fraction.
    The rules are the straight queries' (``survey.services.reporting.results``): a
    question is answered when its answer is not blank text, a respondent
    counts once per question, options are ticks of choice questions, and a
    factor is the best of its answers (1 top-two, 0 other code, -1 N/A).
    Next to each count, the sum of the record keys of what it counts
    (``survey.domain.disclosure``).
    """

    questions: dict[int, tuple[str, str | None]]  # id -> (type, dimension)
    responses: Counter[tuple[Any, ...]] = field(default_factory=Counter)
    patterns: Counter[tuple[Any, ...]] = field(default_factory=Counter)
    response_keys: Counter[tuple[Any, ...]] = field(default_factory=Counter)
    pattern_keys: Counter[tuple[Any, ...]] = field(default_factory=Counter)
    # slice -> (question id, option id or 0) -> [answered, c0..c10, keys]
    answers: dict[tuple[Any, ...], dict[tuple[int, int], list[int]]] = field(
        default_factory=dict
    )

    def add(self, cut: tuple[Any, ...], rows: Iterable[Any], key: int = 0) -> None:
        """One response: its slice, its rows (id, question, option, value,
        text?) and its record key."""
        cells = self.answers.setdefault(cut, {})
        factors: list[int | None] = [None] * FACTORS
        answered_factor = False
        seen: set[int] = set()
        for _response_id, question_id, option_id, value, has_text in rows:
            kind, dimension = self.questions[question_id]
            cell = cells.get((question_id, 0))
            if cell is None:
                cell = cells[question_id, 0] = [0] * len(ANSWER_COUNTS)
            if (has_text or kind not in TEXT_TYPES) and question_id not in seen:
                seen.add(question_id)
                cell[0] += 1
                cell[ANSWERED_KEY] += key
            if value is not None and 0 <= value <= VALUE_CODES[-1]:
                cell[value + 1] += 1
                cell[CODE_KEY] += key
            if option_id is not None and kind in CHOICE_TYPES:
                ticks = cells.get((question_id, option_id))
                if ticks is None:
                    ticks = cells[question_id, option_id] = [0] * len(ANSWER_COUNTS)
                ticks[0] += 1
                ticks[ANSWERED_KEY] += key
            if kind == LIKERT5 and dimension in FACTOR_INDEX:
                answered_factor = True
                i = FACTOR_INDEX[dimension]
                flag = 1 if value in TOP else 0 if value in REST else NO_FACTOR
                factors[i] = max(flag, factors[i] if factors[i] is not None else flag)
        pattern = (
            tuple(NO_FACTOR if f is None else f for f in factors)
            if answered_factor
            else (NO_FACTOR_ANSWERED,) * FACTORS
        )
        self.responses[cut] += 1
        self.patterns[(*cut, *pattern)] += 1
        self.response_keys[cut] += key
        self.pattern_keys[(*cut, *pattern)] += key

    def add_written(
        self, cut: tuple[Any, ...], answers: Iterable[tuple[Any, ...]], key: int = 0
    ) -> None:
        """One response from the rows being written: (response, question,
        option, value, text), with the text blank as the query's ``trim``
        sees it (spaces only), and its record key."""
        self.add(
            cut,
            (
                (rid, qid, oid, value, text is not None and text.strip(" ") != "")
                for rid, qid, oid, value, text in answers
            ),
            key,
        )

    def write(self) -> None:
        """Add the counts to the tallies: each day's rows, each month's and
        all months'."""
        for table, counts, keys, key in (
            (ResponseTally, self.responses, self.response_keys, SLICE_COLUMNS),
            (FactorTally, self.patterns, self.pattern_keys, FACTOR_KEY),
        ):
            for target, cells_of, names in (
                (DAY_TABLES[table], Counter, DAY_KEYS[key]),
                (table, _months_and_all, key),
            ):
                key_sums = cells_of(keys)
                _upsert(
                    target,
                    [
                        {
                            **dict(zip(names, cells, strict=True)),
                            "responses": count,
                            "key_sum": key_sums[cells],
                        }
                        for cells, count in cells_of(counts).items()
                    ],
                    names,
                )
        for target, answers, names in (
            (AnswerDayTally, self.answers, DAY_KEYS[ANSWER_KEY]),
            (AnswerTally, self._answers_by_month(), ANSWER_KEY),
        ):
            _upsert(
                target,
                [
                    {
                        **dict(zip(names, (*cut, *question), strict=True)),
                        **dict(zip(ANSWER_COUNTS, counts, strict=True)),
                    }
                    for cut, cells in answers.items()
                    for question, counts in cells.items()
                ],
                names,
            )

    def _answers_by_month(self) -> dict[tuple[Any, ...], dict[Any, list[int]]]:
        """The answer counts summed per month and over months, per slice."""
        summed: dict[tuple[Any, ...], dict[Any, list[int]]] = {}
        for cut, cells in self.answers.items():
            for period in (_month_of_day(cut), _over_all_months(cut)):
                total = summed.setdefault(period, {})
                for question, counts in cells.items():
                    cell = total.setdefault(question, [0] * len(counts))
                    for i, count in enumerate(counts):
                        cell[i] += count
        return summed


def _over_all_months(key: tuple[Any, ...]) -> tuple[Any, ...]:
    """A tally key (slice first) with its month made ``ALL_MONTHS``."""
    return (*key[:MONTH], ALL_MONTHS, *key[MONTH + 1 :])


def _month_of_day(key: tuple[Any, ...]) -> tuple[Any, ...]:
    """A key with a day ('YYYY-MM-DD') with its month ('YYYY-MM') instead."""
    return (*key[:MONTH], key[MONTH][:7], *key[MONTH + 1 :])


def _months_and_all(counts: Counter[tuple[Any, ...]]) -> Counter[tuple[Any, ...]]:
    """``counts`` per day added up per month and over months."""
    both: Counter[tuple[Any, ...]] = Counter()
    for key, count in counts.items():
        both[_month_of_day(key)] += count
        both[_over_all_months(key)] += count
    return both


def _upsert(table: Any, rows: list[dict[str, Any]], key: tuple[str, ...]) -> None:
    """Add ``rows``' counts to the tally rows with the same key (or make them).

    One executemany straight on the driver: tens of thousands of rows, for
    which SQLAlchemy's per-row parameter handling cost more than the writes.
    In key order, so that two writers lock shared rows in the same order
    (bulk loads side by side would otherwise deadlock).
    """
    if not rows:
        return
    rows = sorted(rows, key=lambda row: tuple(row[k] for k in key))
    connection = db.session.connection()
    insert = (
        postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    )
    statement = insert(table.__table__).values(
        {name: bindparam(name) for name in rows[0]}
    )
    counts = [name for name in rows[0] if name not in key]
    statement = statement.on_conflict_do_update(
        index_elements=list(key),
        set_={c: getattr(table, c) + getattr(statement.excluded, c) for c in counts},
    )
    compiled = statement.compile(dialect=connection.dialect)
    if compiled.positional:
        names = list(compiled.positiontup or ())
        parameters: list[Any] = [tuple(row[n] for n in names) for row in rows]
    else:
        parameters = rows
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.executemany(str(compiled), parameters)
    finally:
        cursor.close()


def counter(versions: Any) -> Counts:
    """Empty counts for responses of ``versions`` (ids, or a query of ids).

    ``add``/``add_written`` each response, then ``write`` adds the counts to
    the tallies, in the transaction that stamps the responses.
    """
    questions = select(Question.id, Question.type, Question.dimension).where(
        Question.version_id.in_(versions)
    )
    return Counts(
        {qid: (kind, dim) for qid, kind, dim in db.session.execute(questions)}
    )


def _count_batch(in_batch: ColumnElement[bool]) -> Counts:
    """One pass over the batch's responses and answers, in response order."""
    batch = counter(select(Response.version_id).where(in_batch).distinct())
    cuts = {
        row[0]: (tuple(row[2:]), row[1])
        for row in db.session.execute(
            select(Response.id, Response.record_key, *_slice()).where(in_batch)
        )
    }
    answers = (
        select(
            Answer.response_id,
            Answer.question_id,
            Answer.option_id,
            Answer.value_int,
            func.coalesce(func.trim(Answer.value_text), "") != "",
        )
        .join(Response, Response.id == Answer.response_id)
        .where(in_batch)
        .order_by(Answer.response_id)
    )
    for response_id, rows in groupby(driver_rows(answers), key=itemgetter(0)):
        cut, key = cuts.pop(response_id)
        batch.add(cut, rows, key)
    for cut, key in cuts.values():  # responses without a single answer
        batch.add(cut, [], key)
    return batch


def next_batch() -> int:
    """A new batch number, for the responses about to be stamped and counted.

    Bumping the one ``tally_state`` row makes a second fold wait for this
    transaction's commit, then see its stamps.
    """
    bumped = db.session.execute(
        update(TallyState).values(batch=TallyState.batch + 1)
    ).rowcount
    if not bumped:  # the migration makes the row; an emptied table lost it
        db.session.add(TallyState(id=1, batch=1))
        db.session.flush()
    return int(db.session.scalar(select(TallyState.batch)) or 0)


def batch_for_load() -> int:
    """A batch number for a bulk load that stamps its rows as it writes them.

    On PostgreSQL taken and committed at once: no fold can pick up rows that
    are stamped when written, so nothing needs the lock, and loads side by
    side (each with its own ids) do not wait for each other's commits.
    The caller's own transaction must not hold that row (an uncommitted
    fold): the bump, on a connection of its own, would wait for it forever.
    """
    if not _on_postgresql():
        return next_batch()
    with _autocommit() as connection:
        batch = connection.scalar(
            update(TallyState)
            .values(batch=TallyState.batch + 1)
            .returning(TallyState.batch)
        )
    return int(batch) if batch is not None else next_batch()


def fold(limit: int | None = FOLD_LIMIT) -> int:
    """Fold up to ``limit`` waiting responses in, oldest first; how many.

    The caller commits.
    """
    batch = next_batch()
    waiting = (
        select(Response.id).where(Response.tally_batch.is_(None)).order_by(Response.id)
    )
    if limit is not None:
        waiting = waiting.limit(limit)
    ids = waiting.subquery()
    low, high = db.session.execute(select(func.min(ids.c.id), func.max(ids.c.id))).one()
    if low is None:
        return 0
    # The id range lets every query below walk the primary key; the stamp
    # says exactly which responses of the range this fold counts.
    stamped = db.session.execute(
        update(Response)
        .where(Response.id.between(low, high), Response.tally_batch.is_(None))
        .values(tally_batch=batch)
        .execution_options(synchronize_session=False)
    ).rowcount
    if stamped:
        in_batch = and_(Response.id.between(low, high), Response.tally_batch == batch)
        _count_batch(in_batch).write()
    return int(stamped)


def waiting(survey: Survey | None = None) -> int:
    """Responses not yet folded in (of one survey, or all)."""
    query = select(func.count()).where(Response.tally_batch.is_(None))
    if survey is not None:
        query = query.where(Response.survey_id == survey.id)
    return db.session.scalar(query) or 0


def fold_all(progress: Callable[[int], None] | None = None) -> int:
    """Fold every waiting response in, committing after each batch.

    After a big fold (a bulk load, a rebuild) on PostgreSQL, the tallies are
    rewritten compactly and the planner's statistics refreshed at once,
    rather than whenever autovacuum gets to them: each batch's upsert leaves
    a dead copy of the rows it adds to (1M responses left 296 MB of tallies
    for 23 MB of live rows), and with stale statistics the results pages
    were planned three to five times slower.
    """
    if _on_postgresql() and waiting() >= TIDY_AFTER:
        # A bulk load leaves no statistics: with none, each batch of 10M
        # waiting responses was planned as parallel scans of the answers,
        # 19 s a batch (500 responses/s); analyzed, 2,500/s or more again.
        with _autocommit() as connection:
            connection.exec_driver_sql("ANALYZE responses, answers")
    total = 0
    while folded := fold():
        db.session.commit()
        total += folded
        if progress:
            progress(folded)
    db.session.commit()
    after_bulk(total)
    return total


def after_bulk(count: int) -> None:
    """After ``count`` responses were folded at once (or loaded already
    counted): on PostgreSQL, when many, compact the tallies and refresh the
    planner's statistics (see ``fold_all``)."""
    if count >= TIDY_AFTER and _on_postgresql():
        tidy_postgresql()


def _on_postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


@contextmanager
def _autocommit() -> Iterator[Connection]:
    """A connection of its own outside any transaction (VACUUM needs one)."""
    with db.engine.connect() as connection:
        yield connection.execution_options(isolation_level="AUTOCOMMIT")


def tidy_postgresql() -> None:
    """VACUUM FULL the tallies (a second or two: readers wait), then ANALYZE."""
    tables = ", ".join(t.__tablename__ for month in DAY_TABLES.items() for t in month)
    with _autocommit() as connection:
        connection.exec_driver_sql(f"VACUUM (FULL) {tables}")
        connection.exec_driver_sql("ANALYZE")


def fold_if_behind(survey: Survey) -> None:
    """Called by the results pages: fold when many responses are waiting.

    The figures are exact either way; this only keeps the straight-counted
    part small. A database that cannot be written to (read-only, busy) is no
    reason to refuse a results page, so a failure is logged and rolled back.
    """
    if waiting(survey) < FOLD_AFTER:
        return
    try:
        fold(PAGE_FOLD_LIMIT)
        db.session.commit()
    except SQLAlchemyError:
        db.session.rollback()
        log.warning("tallies: fold failed; results counted from the rows")


def clear() -> None:
    """Forget the tallies: every response is waiting again (``rebuild``)."""
    for tables in DAY_TABLES.items():
        for table in tables:
            db.session.execute(delete(table))
    db.session.execute(
        update(Response)
        .where(Response.tally_batch.is_not(None))
        .values(tally_batch=None)
        .execution_options(synchronize_session=False)
    )


def _straight(function: Callable[..., Any], *args: Any) -> Any:
    """``function`` counted from the rows alone, as before the tallies."""
    saved = results.USE_TALLIES
    results.USE_TALLIES = False
    try:
        return function(*args)
    finally:
        results.USE_TALLIES = saved


CHECKED_FILTERS = (
    results.ResultFilter(),
    results.ResultFilter(include_flagged=True),
    results.ResultFilter(channel="invited"),
    results.ResultFilter(channel="optin", group="business"),
    results.ResultFilter(version=1),
    # the monthly rows (no dates: the rows summed over all months)
    results.ResultFilter(date_to=date(2100, 12, 31)),
)


def checked_filters(today: date) -> tuple[Any, ...]:
    """``CHECKED_FILTERS`` and dates that cut months, around ``today``: the
    day rows before and after whole months, and days within one month."""
    return (
        *CHECKED_FILTERS,
        results.ResultFilter(
            date_from=today - timedelta(days=100), date_to=today - timedelta(days=9)
        ),
        results.ResultFilter(date_from=today - timedelta(days=20), date_to=today),
        results.ResultFilter(date_from=today - timedelta(days=45), channel="invited"),
    )


def comparisons(
    survey: Survey, scope: Any = None, filters: Iterable[Any] | None = None
) -> list[tuple[str, Any, Any]]:
    """(what, from the tallies, straight) for every count a results page reads,
    for each of ``filters`` (default: ``checked_filters`` of today)."""
    dimensions = sorted(
        d
        for d in db.session.scalars(
            select(Question.dimension)
            .distinct()
            .where(
                Question.version_id.in_([v.id for v in survey.versions]),
                Question.dimension.is_not(None),
            )
        )
        if d
    )
    counts: list[tuple[str, Callable[..., Any], tuple[Any, ...]]] = [
        ("responses_by_unit", results.responses_by_unit, ()),
        ("hard_flagged_by_unit", results.hard_flagged_by_unit, ()),
        ("dimension_counts_by_unit", results.dimension_counts_by_unit, (dimensions,)),
        ("dimension_counts", results.dimension_counts, (OVERALL,)),
        ("factor_patterns", results.factor_patterns, (SATISFACTION_FACTORS,)),
        ("responses_by_month", results.responses_by_month, ()),
        ("dimension_counts_by_month", results.dimension_counts_by_month, (OVERALL,)),
        ("scale_counts", results.scale_counts, ()),
        ("option_counts", results.option_counts, ()),
        ("respondents_by_question", results.respondents_by_question, ()),
        # the exact counts with their record keys' sums, behind the above
        ("unit_rows", results._unit_rows, ()),
        ("flagged_rows", results._flagged_rows, ()),
        ("dimension_rows", results._dimension_rows, (dimensions,)),
        ("factor_rows", results._factor_rows, (SATISFACTION_FACTORS,)),
        ("month_rows", _month_rows, ()),
        ("month_code_rows", _month_code_rows, ()),
        ("week_rows", _month_rows, ("week",)),
        ("week_code_rows", _month_code_rows, ("week",)),
        ("scale_rows", results._scale_rows, ()),
        ("option_rows", results._option_rows, ()),
        ("respondent_rows", results._respondent_rows, ()),
    ]
    compared = []
    for flt in checked_filters(date.today()) if filters is None else filters:
        for name, function, extra in counts:
            arguments = (survey, scope, flt, *extra)
            compared.append(
                (
                    f"{survey.slug} {name} {flt.to_args()}",
                    _plain(function(*arguments)),
                    _plain(_straight(function, *arguments)),
                )
            )
    return compared


def _month_rows(
    survey: Survey, scope: Any, flt: Any, period: str = "month"
) -> list[tuple[Any, ...]]:
    return sorted(
        tuple(row)
        for row in results._response_counts(
            survey,
            scope,
            flt,
            lambda t: [results._month_of(t, period)],
            period=period,
            by_month=True,
        )
    )


def _month_code_rows(
    survey: Survey, scope: Any, flt: Any, period: str = "month"
) -> list[tuple[Any, ...]]:
    return sorted(
        tuple(row)
        for row in results._scale_counts(
            survey,
            scope,
            flt,
            lambda t: [results._month_of(t, period)],
            *results._likert_of([OVERALL]),
            period=period,
            by_month=True,
        )
    )


def _plain(value: Any) -> Any:
    """Nested dicts and Counters as plain dicts, without zero counts."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if v != 0}
    return value


def check() -> list[str]:
    """Every count of every survey that differs between tallies and rows."""
    return [
        f"{what}: tallies {tallied!r} != rows {straight!r}"
        for survey in db.session.scalars(select(Survey).order_by(Survey.id))
        for what, tallied, straight in comparisons(survey)
        if tallied != straight
    ]
