"""Rate-limit counters in a SQLite file that every worker of a host shares.

``make run`` starts several gunicorn workers; with flask-limiter's default
``memory://`` storage each worker counted on its own, so every limit was
multiplied by the number of workers (60 of 70 stuffed submissions went
through a "30 per minute" limit). ``limits`` has no file-backed storage, and
the embedded mode must not need a server installed by hand, so this one
registers the scheme ``survey+sqlite://`` with ``limits``: a small table of
fixed-window counters, one upsert per hit, in WAL mode (one writer at a time,
a few microseconds each). Counters need not survive a crash, so nothing is
synced to disk. Several hosts need a shared server: set
``RATELIMIT_STORAGE_URI=redis://...`` (README, Deployment).
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from limits.storage import Storage

SCHEME = "survey+sqlite"
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS counters ("
    "key TEXT PRIMARY KEY, count INTEGER NOT NULL, expires REAL NOT NULL)"
)
_INCREMENT = (
    "INSERT INTO counters (key, count, expires) VALUES (?1, ?2, ?3) "
    "ON CONFLICT (key) DO UPDATE SET "
    "count = CASE WHEN expires <= ?4 THEN ?2 ELSE count + ?2 END, "
    "expires = CASE WHEN expires <= ?4 THEN ?3 ELSE expires END "
    "RETURNING count"
)
CLEAN_EVERY = 500  # hits between two sweeps of expired counters


def storage_uri(path: Path) -> str:
    return f"{SCHEME}:///{path.resolve()}"


class SQLiteStorage(Storage):
    """Fixed-window counters (flask-limiter's default strategy) in SQLite."""

    STORAGE_SCHEME = [SCHEME]

    def __init__(
        self, uri: str | None = None, wrap_exceptions: bool = False, **options: Any
    ) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        path = unquote(urlsplit(uri or "").path)
        if not path or path == "/":
            raise ValueError(f"{SCHEME}:// needs a file path, as {SCHEME}:///abs/f")
        self.path = Path("/" + path.lstrip("/"))  # survey+sqlite:////abs or ///abs
        self._local = threading.local()
        self._hits = 0

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return (sqlite3.Error, OSError)

    def _connection(self) -> sqlite3.Connection:
        """One connection per thread and process (a forked worker opens its own)."""
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is not None and self._local.pid == os.getpid():
            return connection
        self.path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(
            self.path, timeout=10, isolation_level=None, check_same_thread=False
        )
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=OFF")
        connection.execute(_SCHEMA)
        try:
            self.path.chmod(0o600)
        except OSError:  # not ours to change: leave it
            pass
        self._local.connection, self._local.pid = connection, os.getpid()
        return connection

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        connection = self._connection()
        row = connection.execute(
            _INCREMENT, (key, amount, now + expiry, now)
        ).fetchone()
        self._hits += 1
        if self._hits % CLEAN_EVERY == 0:
            connection.execute("DELETE FROM counters WHERE expires <= ?", (now,))
        return int(row[0])

    def get(self, key: str) -> int:
        row = (
            self._connection()
            .execute(
                "SELECT count FROM counters WHERE key = ? AND expires > ?",
                (key, time.time()),
            )
            .fetchone()
        )
        return int(row[0]) if row else 0

    def get_expiry(self, key: str) -> float:
        row = (
            self._connection()
            .execute("SELECT expires FROM counters WHERE key = ?", (key,))
            .fetchone()
        )
        return float(row[0]) if row and row[0] > time.time() else time.time()

    def check(self) -> bool:
        try:
            self._connection().execute("SELECT 1").fetchone()
        except (sqlite3.Error, OSError):
            return False
        return True

    def reset(self) -> int | None:
        cursor = self._connection().execute("DELETE FROM counters")
        return cursor.rowcount

    def clear(self, key: str) -> None:
        self._connection().execute("DELETE FROM counters WHERE key = ?", (key,))
