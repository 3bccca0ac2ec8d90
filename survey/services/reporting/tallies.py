"""Folding responses into the tallies that the results pages read.

A fold takes responses whose ``tally_batch`` is NULL, stamps them with a new
batch number and adds their counts to ``response_tallies`` and
``answer_tallies``, all in one transaction. The results queries count a
response from the tallies once it is stamped and from its rows before, in one
statement each, so a figure never counts a response twice or misses it.

Submissions never touch the tallies (no hot rows, no extra statements on the
citizen's path), and neither do the results pages: folds run off the request
path, in the job worker (``survey.jobs``: a page queues one when more than
``FOLD_AFTER`` responses are waiting, the minute job folds what waits) and
from ``flask tallies fold``. This module folds one batch and flushes it; the
job or the command commits each batch (``survey.jobs.fold_waiting``). Until a
fold runs, the counts read the waiting responses from their rows
(``counting``), so the figures are exact either way. A bulk load that
has its rows in hand (``demo.generate_responses``) counts them with the same
``Counts`` and stamps them as it writes them: no fold afterwards.
Each cell is written three times: per local day (the day tables), per month
and summed over all months; a batch is counted per day and the months are
added up from its days, so the three agree to the unit and the key sum.
``flask tallies rebuild`` recounts everything; ``flask tallies check`` proves
the tallies equal the straight counts, as the tests do.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from itertools import groupby
from operator import itemgetter

from sqlalchemy import ColumnElement, Connection, and_, delete, func, select, update

from survey.extensions import db
from survey.models import Answer, Response, Survey
from survey.models.tallies import DAY_TABLES, TallyState
from survey.services.reporting.driver import driver_rows
from survey.services.reporting.tally_counts import Counts, counter, slice_columns

FOLD_AFTER = 500  # responses waiting before a results page queues a fold
FOLD_LIMIT = 20_000  # responses per fold of the command: bounded memory
TIDY_AFTER = 50_000  # responses folded at once: compact the tallies, ANALYZE


def _count_batch(in_batch: ColumnElement[bool]) -> Counts:
    """One pass over the batch's responses and answers, in response order."""
    batch = counter(select(Response.version_id).where(in_batch).distinct())
    cuts = {
        row[0]: (tuple(row[2:]), row[1])
        for row in db.session.execute(
            select(Response.id, Response.record_key, *slice_columns()).where(in_batch)
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

    One batch, flushed, not committed: the caller (``survey.jobs``, the CLI)
    commits each batch, so that a batch's stamps and counts land together.
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


def before_bulk() -> None:
    """Before folding many responses on PostgreSQL: refresh the planner's
    statistics of the responses (``survey.jobs.fold_waiting`` calls it).

    A bulk load leaves no statistics: with none, each batch of 10M waiting
    responses was planned as parallel scans of the answers, 19 s a batch
    (500 responses/s); analyzed, 2,500/s or more again.
    """
    if _on_postgresql() and waiting() >= TIDY_AFTER:
        with _autocommit() as connection:
            connection.exec_driver_sql("ANALYZE responses, answers")


def after_bulk(count: int) -> None:
    """After ``count`` responses were folded at once (or loaded already
    counted) and committed: on PostgreSQL, when many, compact the tallies and
    refresh the planner's statistics at once, rather than whenever autovacuum
    gets to them. Each batch's upsert leaves a dead copy of the rows it adds
    to (1M responses left 296 MB of tallies for 23 MB of live rows), and with
    stale statistics the results pages were planned three to five times
    slower."""
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
