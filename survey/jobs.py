"""The job queue (Huey): folding the tallies and sending the outbox, off the
request path.

Where the jobs wait is chosen from the environment when this module is
imported (the consumer imports it as ``huey_consumer survey.jobs.huey``):

- ``SURVEY_JOBS_URL=redis://host:6379/0`` (or ``REDIS_URL``): a Redis queue,
  shared by consumers on several hosts (production);
- ``SURVEY_JOBS_URL=sqlite:////path/jobs.sqlite3``: a SQLite file, for one
  host; the default is ``instance/jobs.sqlite3`` (the embedded mode);
- ``SURVEY_JOBS_URL=memory://``: in this process only (nothing consumes it).

An app running its tests (``TESTING``) queues in memory unless a test chose a
store with ``use_storage``: a test's jobs never reach a real consumer. Tests
run what was queued with ``run_pending``.

Every job runs inside the Flask app's context, made here and only here
(``app_task``): in a consumer from ``create_app()`` (the same environment as
gunicorn's), in a test or in immediate mode in the caller's context.
"""

from __future__ import annotations

import functools
import logging
import os
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from flask import Flask, current_app, has_app_context
from huey import Huey, crontab
from huey.storage import MemoryStorage, RedisStorage, SqliteStorage

log = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_STORE = PROJECT_ROOT / "instance" / "jobs.sqlite3"
FOLD_PENDING = "fold-pending"  # set while a fold is queued: one at a time
F = TypeVar("F", bound=Callable[..., Any])
P = ParamSpec("P")
R = TypeVar("R")


def store_url(env: Mapping[str, str]) -> str:
    return (
        env.get("SURVEY_JOBS_URL", "").strip()
        or env.get("REDIS_URL", "").strip()
        or f"sqlite:///{DEFAULT_STORE}"
    )


def storage_for(url: str, name: str = "survey") -> Any:
    """A Huey storage for ``url`` (redis://, sqlite:///path, memory://)."""
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisStorage(name, url=url)
    if url.startswith("sqlite:///"):
        path = Path(url[len("sqlite:///") :])
        path.parent.mkdir(parents=True, exist_ok=True)
        return SqliteStorage(name, filename=str(path))
    if url.startswith("memory://"):
        return MemoryStorage(name)
    raise ValueError(
        f"SURVEY_JOBS_URL must start with redis://, sqlite:/// or memory://, "
        f"not {url.split(':', 1)[0]!r}"
    )


class AppHuey(Huey):  # type: ignore[misc]  # huey has no types
    """Huey whose store is opened on first use; under tests, one in memory
    for each app (each test), so that no test sees another's jobs."""

    chosen = False  # a store set by use_storage, or opened from the environment
    testing_app: object = None  # the test app whose memory store is in use

    def create_storage(self) -> Any:
        return MemoryStorage(self.name)  # replaced on first use (_ensure_store)

    def _ensure_store(self) -> None:
        if self.chosen:
            return
        if has_app_context() and current_app.testing:
            # Flask types current_app as the app itself, not the proxy it is.
            app = current_app._get_current_object()  # type: ignore[attr-defined]
            if app is not self.testing_app:
                self.storage = MemoryStorage(self.name)
                self.testing_app = app
            return
        self.storage = storage_for(store_url(os.environ), self.name)
        self.chosen = True

    def enqueue(self, task: Any) -> Any:
        self._ensure_store()
        return super().enqueue(task)

    def dequeue(self) -> Any:
        self._ensure_store()
        return super().dequeue()

    def put_if_empty(self, key: str, data: Any, ttl: Any = None) -> bool:
        self._ensure_store()
        return bool(super().put_if_empty(key, data, ttl))

    def create_consumer(self, **options: Any) -> Any:
        self._ensure_store()
        return super().create_consumer(**options)


huey = AppHuey("survey", utc=True, results=False)  # nobody reads them: none kept


def use_storage(url: str) -> None:
    """Queue into ``url`` from now on (a test's SQLite file, say)."""
    huey.storage = storage_for(url, huey.name)
    huey.chosen = True


def reset_storage() -> None:
    """Back to choosing the store on first use."""
    huey.storage = MemoryStorage(huey.name)
    huey.chosen = False
    huey.testing_app = None


# --- the app's context: made in one place -----------------------------------

_app: Flask | None = None


def job_app() -> Flask:
    """The consumer's app, made once per process from the environment."""
    global _app
    if _app is None:
        from survey import create_app

        _app = create_app()
    return _app


def _in_app_context(function: Callable[P, R]) -> Callable[P, R]:
    @functools.wraps(function)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        if has_app_context():  # a test, or immediate mode: the caller's app
            return function(*args, **kwargs)
        from survey.extensions import db

        with job_app().app_context():
            try:
                return function(*args, **kwargs)
            except Exception:
                db.session.rollback()
                raise
            finally:
                db.session.remove()

    return run


def app_task(**options: Any) -> Callable[[F], Any]:
    """``huey.task`` whose function runs in the app's context."""

    def decorate(function: F) -> Any:
        return huey.task(**options)(_in_app_context(function))

    return decorate


def app_periodic_task(schedule: Any, **options: Any) -> Callable[[F], Any]:
    def decorate(function: F) -> Any:
        return huey.periodic_task(schedule, **options)(_in_app_context(function))

    return decorate


def run_pending(limit: int = 1000) -> int:
    """Run what is queued, here and now (tests); returns how many ran."""
    ran = 0
    while ran < limit and (task := huey.dequeue()) is not None:
        huey.execute(task)
        ran += 1
    return ran


# --- the tallies ----------------------------------------------------------------


def fold_soon(survey: Any) -> bool:
    """Queue a fold when many responses wait (results pages call this).

    It reads, never writes the database: the fold runs in a consumer. At most
    one fold is queued at a time. Until it runs, the pages count the waiting
    responses from their rows, so the figures are exact either way.
    """
    from survey.services.reporting import tallies

    if tallies.waiting(survey) < tallies.FOLD_AFTER:
        return False
    try:
        if not huey.put_if_empty(FOLD_PENDING, "1"):
            return False
        fold_tallies()
    except Exception:  # the queue unreachable is no reason to refuse a page
        log.warning("jobs: could not queue a fold; the minute job will fold")
        return False
    return True


@app_task(retries=3, retry_delay=10)
def fold_tallies() -> int:
    """Fold every waiting response in. A fold stamps and counts in one
    transaction, so a fold killed mid-way and retried counts nothing twice."""
    return _fold()


def _fold() -> int:
    huey.delete(FOLD_PENDING)
    folded = fold_waiting()
    log.info("jobs: folded %s responses into the tallies", folded)
    return folded


def fold_waiting(progress: Callable[[int], None] | None = None) -> int:
    """Fold every waiting response in, a batch per transaction: the fold's
    one loop, run by the jobs here and by ``flask tallies fold``.

    The service folds and flushes a batch; the commit is here, after each
    one, so that a fold stopped mid-way keeps the batches it finished and a
    rerun counts nothing twice. After a big fold, PostgreSQL's tallies are
    compacted (``tallies.after_bulk``), which needs the batches committed.
    """
    from survey.extensions import db
    from survey.services.reporting import tallies

    tallies.before_bulk()
    total = 0
    while folded := tallies.fold():
        db.session.commit()
        total += folded
        if progress:
            progress(folded)
    db.session.commit()  # the last, empty fold's batch number
    tallies.after_bulk(total)
    return total


@app_periodic_task(crontab(minute="*"))
def every_minute() -> None:
    """Fold what waits and send what is due, here (a fold queued by a page
    whose job was lost is done within the minute). Consumers on several
    hosts may all run it: folds queue behind one another on the tally
    state's row, and the outbox claims each message before sending it."""
    from survey.services.fieldwork import outbox
    from survey.services.reporting import tallies

    if tallies.waiting():
        _fold()
    if outbox.due_count():
        send_due()


# --- the outbox -------------------------------------------------------------------


def send_one(message_id: int, now: datetime | None = None) -> str:
    """Claim, check and send one message; returns its new state ("taken"
    when another sender holds it). The claim is committed before anything
    is sent, the outcome right after: a message never goes twice
    (survey/services/fieldwork/outbox.py tells how)."""
    from survey.extensions import db
    from survey.models._time import utcnow
    from survey.services.fieldwork import outbox

    now = now or utcnow()
    claimed = outbox.claim(message_id, now)
    db.session.commit()
    if not claimed:
        return "taken"
    state = outbox.deliver(message_id, now)
    db.session.commit()
    return state


def send_due(limit: int = 500, now: datetime | None = None) -> int:
    """Send up to ``limit`` due messages, each in its own commits; how many
    went out. A message whose outcome is unknown stays claimed (settled as
    failed later, never sent again)."""
    from survey.extensions import db
    from survey.models._time import utcnow
    from survey.models.outbox import SENT
    from survey.services.fieldwork import outbox

    now = now or utcnow()
    outbox.settle_stale(now)
    db.session.commit()
    ids = outbox.due_ids(limit, now)
    db.session.commit()
    sent = 0
    for message_id in ids:
        try:
            sent += send_one(message_id, now) == SENT
        except Exception:  # unknown outcome: the message stays claimed
            db.session.rollback()
            log.exception("outbox: message %s: outcome unknown", message_id)
    return sent


@app_task(retries=5, retry_delay=30)
def send_outbox(limit: int = 500) -> int:
    """Send the messages that are due; returns how many went out."""
    return send_due(limit=limit)


# --- quality --------------------------------------------------------------------


@app_periodic_task(crontab(hour="19", minute="30"))  # 02:30 in Ho Chi Minh City
def nightly_quality(days: int = 365) -> int:
    """``flask recompute-quality`` for every open survey, each night; a rerun
    stores no flag twice (only flags not stored yet are added)."""
    from datetime import timedelta

    from sqlalchemy import select

    from survey.extensions import db
    from survey.models import Survey
    from survey.models._time import utcnow
    from survey.models.surveys import OPEN
    from survey.services.integrity.period import Period
    from survey.services.integrity.quality import recompute_quality

    today = utcnow().date()
    period = Period(today - timedelta(days=days - 1), today)
    surveys = list(db.session.scalars(select(Survey).where(Survey.status == OPEN)))
    for survey in surveys:
        recompute_quality(survey, period)
        db.session.commit()
    return len(surveys)


# --- large exports ----------------------------------------------------------------


@app_task(retries=2, retry_delay=10)
def run_export(job_id: int) -> int:
    """Write a large raw export to a file; a retry writes it anew. Commits
    the job running, then done (or failed)."""
    from survey.extensions import db
    from survey.services.reporting import export_jobs

    job = export_jobs.begin(job_id)
    if job is None:
        return 0
    db.session.commit()
    try:
        done = export_jobs.write_file(job)
    except Exception:
        db.session.rollback()
        export_jobs.mark_failed(job_id)
        db.session.commit()
        raise
    export_jobs.finish(job_id, done)
    db.session.commit()
    return done
