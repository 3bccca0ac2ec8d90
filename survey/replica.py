"""Results read from a PostgreSQL read replica, when one is configured.

``SURVEY_REPLICA_URL`` names a hot standby of the primary (streaming
replication). A GET of the results pages (blueprints ``results`` and
``open``) then reads from it; everything else, and every write (a flush, an
INSERT/UPDATE/DELETE, the raw export's audit line), goes to the primary.

At most once a second (``ReplicaState.check_every``) a worker asks the
replica how far behind it is. A replica that does not answer, or lags more
than ``SURVEY_REPLICA_MAX_LAG_SECONDS``, is left alone: the requests read
from the primary, the change is logged once (and once again when the replica
is back), and after a failure to connect the replica is not asked again for
``SURVEY_REPLICA_RETRY_SECONDS`` (no connect timeout paid on every request).
A results GET whose replica fails under it (it went down since it was last
asked) is sent to the same address again, and that one reads from the
primary (``fell_over``, used by survey/errors.py).
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import flask_sqlalchemy.session
from flask import Flask, current_app, g, has_app_context, request
from sqlalchemy import exc, text
from sqlalchemy.engine import Engine

log = logging.getLogger(__name__)

BIND = "replica"  # the Flask-SQLAlchemy bind key of the replica's engine
READ_BLUEPRINTS = frozenset({"results", "open"})

# Seconds behind the primary: 0 when everything received has been replayed
# (an idle primary sends nothing, which is not lag); NULL when it is replaying
# but has replayed no transaction since it started (unknown: not used).
LAG_SQL = text(
    "SELECT CASE WHEN NOT pg_is_in_recovery() THEN 0"
    " WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0"
    " ELSE EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()) END"
)


def bind_config(url: str) -> dict[str, Any]:
    """The Flask-SQLAlchemy bind of the replica (``SQLALCHEMY_BINDS``)."""
    return {
        "url": url,
        "pool_pre_ping": True,
        # A replica host that vanished must not hold a results page for long.
        "connect_args": {"connect_timeout": 2},
    }


class ReplicaState:
    """Whether this worker reads from the replica now; shared by its threads."""

    check_every = 1.0  # seconds between two questions to the replica

    def __init__(self, max_lag: float, retry_seconds: float) -> None:
        self.max_lag = max_lag
        self.retry_seconds = retry_seconds
        self.retry_at = 0.0  # after a failure to connect: primary until then
        self.checked_at = float("-inf")  # when the replica was last asked
        self.in_use: bool | None = None  # None: not asked yet
        self.lock = threading.Lock()

    def note(self, usable: bool, why: str = "") -> None:
        """Log only the changes: replica left (with why), replica back."""
        with self.lock:
            changed, self.in_use = self.in_use is not usable, usable
        if changed and not usable:
            log.warning("results read from the primary: the replica %s", why)
        elif changed and usable:
            log.info("results read from the replica")


class RoutingSession(flask_sqlalchemy.session.Session):
    """``db.session``: the replica for a replica-read request's reads."""

    def get_bind(
        self,
        mapper: Any | None = None,
        clause: Any | None = None,
        bind: Any | None = None,
        **kwargs: Any,
    ) -> Any:
        if (
            bind is None
            and not self._flushing
            and not getattr(clause, "is_dml", False)
            and has_app_context()
        ):
            replica = g.get("_replica_engine")
            if replica is not None:
                return replica
        return super().get_bind(mapper=mapper, clause=clause, bind=bind, **kwargs)


def replica_lag(engine: Engine) -> float | None:
    """How many seconds the replica is behind, None when it cannot tell."""
    with engine.connect() as connection:
        connection.exec_driver_sql("SET LOCAL statement_timeout = 1000")
        lag = connection.execute(LAG_SQL).scalar()
    return None if lag is None else float(lag)


def _usable(state: ReplicaState, engine: Engine) -> bool:
    """Ask the replica whether it answers and is close enough behind."""
    try:
        lag = replica_lag(engine)
    except exc.SQLAlchemyError as error:
        state.retry_at = time.monotonic() + state.retry_seconds
        state.note(False, f"does not answer ({_reason(error)})")
        return False
    if lag is None or lag > state.max_lag:
        shown = "an unknown time" if lag is None else f"{lag:.1f} s"
        state.note(False, f"lags {shown} (limit {state.max_lag:g} s)")
        return False
    state.note(True)
    return True


def _reason(error: BaseException) -> str:
    lines = str(getattr(error, "orig", error)).strip().splitlines()
    return lines[0][:160] if lines else type(error).__name__


def choose_engine() -> None:
    """Before a request: a results GET reads from the replica if it answered
    and was close enough behind when last asked."""
    state: ReplicaState | None = current_app.extensions.get("survey_replica")
    if state is None or request.method not in ("GET", "HEAD"):
        return
    if request.blueprint not in READ_BLUEPRINTS:
        return
    now = time.monotonic()
    if now < state.retry_at:
        return
    from survey.extensions import db

    engine = db.engines[BIND]
    if now - state.checked_at >= state.check_every:
        state.checked_at = now
        usable = _usable(state, engine)
    else:
        usable = bool(state.in_use)
    if usable:
        g._replica_engine = engine


def fell_over(error: BaseException) -> bool:
    """Whether this request read from the replica when ``error`` (the database
    unreachable) struck: the replica is then left alone as after a failure to
    connect, and the caller sends the reader to the same page again."""
    if not has_app_context() or g.get("_replica_engine") is None:
        return False
    g._replica_engine = None
    state: ReplicaState = current_app.extensions["survey_replica"]
    state.retry_at = time.monotonic() + state.retry_seconds
    state.checked_at = float("-inf")  # ask again once the retry time is over
    state.note(False, f"failed during a request ({_reason(error)})")
    return True


def init_replica(app: Flask) -> None:
    """Read results from the replica when ``SURVEY_REPLICA_URL`` is set."""
    if not app.config.get("SURVEY_REPLICA_URL"):
        return
    app.extensions["survey_replica"] = ReplicaState(
        app.config["SURVEY_REPLICA_MAX_LAG_SECONDS"],
        app.config["SURVEY_REPLICA_RETRY_SECONDS"],
    )
    app.before_request(choose_engine)
