"""Results read from a PostgreSQL read replica, when one is configured.

``SURVEY_REPLICA_URL`` names a hot standby of the primary (streaming
replication). A GET of the results pages (blueprints ``results`` and
``open``) then reads from it; everything else, and every write (a flush, an
INSERT/UPDATE/DELETE, the raw export's audit line), goes to the primary.

Before each such request one query asks the replica how far behind it is. A
replica that does not answer, or lags more than
``SURVEY_REPLICA_MAX_LAG_SECONDS``, is left alone: the request reads from the
primary, the change is logged once (and once again when the replica is back),
and after a failure to connect the replica is not asked again for
``SURVEY_REPLICA_RETRY_SECONDS`` (no connect timeout paid on every request).
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

    def __init__(self, max_lag: float, retry_seconds: float) -> None:
        self.max_lag = max_lag
        self.retry_seconds = retry_seconds
        self.retry_at = 0.0  # after a failure to connect: primary until then
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


def choose_engine() -> None:
    """Before a request: read from the replica if this is a results GET and
    the replica answers and is close enough behind."""
    state: ReplicaState | None = current_app.extensions.get("survey_replica")
    if state is None or request.method not in ("GET", "HEAD"):
        return
    if request.blueprint not in READ_BLUEPRINTS:
        return
    if time.monotonic() < state.retry_at:
        return
    from survey.extensions import db

    engine = db.engines[BIND]
    try:
        lag = replica_lag(engine)
    except exc.SQLAlchemyError as error:
        state.retry_at = time.monotonic() + state.retry_seconds
        reason = str(getattr(error, "orig", error)).strip().splitlines()
        state.note(False, f"does not answer ({reason[0][:160] if reason else ''})")
        return
    if lag is None or lag > state.max_lag:
        shown = "an unknown time" if lag is None else f"{lag:.1f} s"
        state.note(False, f"lags {shown} (limit {state.max_lag:g} s)")
        return
    state.note(True)
    g._replica_engine = engine


def init_replica(app: Flask) -> None:
    """Read results from the replica when ``SURVEY_REPLICA_URL`` is set."""
    if not app.config.get("SURVEY_REPLICA_URL"):
        return
    app.extensions["survey_replica"] = ReplicaState(
        app.config["SURVEY_REPLICA_MAX_LAG_SECONDS"],
        app.config["SURVEY_REPLICA_RETRY_SECONDS"],
    )
    app.before_request(choose_engine)
