"""Counts of a batch of responses, added up in Python from one pass over its
answers, and added to the tallies' day, month and all-months rows."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.dialects import postgresql, sqlite

from survey.domain import statistics as st
from survey.domain.question_types import COUNTED_BY_OPTIONS, TEXT_TYPES
from survey.domain.questions import LIKERT5, SATISFACTION_FACTORS
from survey.extensions import db
from survey.models import Question, Response
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
)
from survey.services.reporting.local_time import LOCAL_OFFSET, local_day

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
CHOICE_TYPES = COUNTED_BY_OPTIONS
assert len(SATISFACTION_FACTORS) == FACTORS


def slice_columns() -> list[Any]:
    """The tallies' slice columns (the local day for the month), computed
    from a response row."""
    return [
        Response.survey_id,
        Response.version_id,
        Response.unit_id,
        local_day(Response.submitted_at),
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
    """The slice of a response not yet stored, as ``slice_columns()`` reads it
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
    The rules are the straight queries' (``survey.services.reporting.counting``): a
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
