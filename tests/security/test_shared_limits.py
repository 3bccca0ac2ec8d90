"""Rate limits hold across gunicorn workers; the access log keeps no secrets.

The abuse test runs `make run`'s set-up (gunicorn.conf.py and its worker
count, the default limit storage: a SQLite file every worker shares) and posts
200 submissions from one client, rotating its User-Agent and using
``?c=kiosk``.
"""

from __future__ import annotations

import http.client
import os
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

import pytest
from limits import parse
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter

from survey.config import load_config
from survey.services.answering.responses import REPEATED_DEVICE_PER_DAY
from tests.reliability.conftest import ROOT, gunicorn, prepare_database


def test_the_default_storage_is_shared_by_every_worker(tmp_path):
    config = load_config(str(tmp_path), {})
    uri = config["RATELIMIT_STORAGE_URI"]
    assert uri.startswith("survey+sqlite:///")
    import survey.ratelimit  # noqa: F401 - registers the scheme

    first, second = storage_from_string(uri), storage_from_string(uri)
    limiter_a = FixedWindowRateLimiter(first)
    limiter_b = FixedWindowRateLimiter(second)
    item = parse("3/minute")
    assert [limiter_a.hit(item, "k"), limiter_b.hit(item, "k")] == [True, True]
    assert limiter_a.hit(item, "k") is True
    assert limiter_b.hit(item, "k") is False  # the other "worker" saw all three
    assert limiter_a.hit(item, "other") is True
    assert (tmp_path / "ratelimits.sqlite3").stat().st_mode & 0o077 == 0
    first.clear(item.key_for("k"))
    assert limiter_b.hit(item, "k") is True
    assert first.check() and first.reset() >= 1


def test_an_expired_window_starts_again(tmp_path):
    import survey.ratelimit  # noqa: F401

    storage = storage_from_string(f"survey+sqlite:///{tmp_path}/limits.db")
    assert storage.incr("k", expiry=-1) == 1  # already expired
    assert storage.incr("k", expiry=60) == 1  # a new window, not 2
    assert storage.incr("k", expiry=60) == 2
    assert storage.get("k") == 2 and storage.get_expiry("k") > 0


class Phone:
    """One client: one cookie, a new User-Agent on every request."""

    def __init__(self, port: int) -> None:
        self.port, self.cookie, self.lock = port, "", threading.Lock()
        self.agents = 0

    def request(self, method: str, path: str, body: str | None = None):
        with self.lock:
            self.agents += 1
            agent = (
                f"Mozilla/5.0 (Linux; Android 1{self.agents % 10}) Phone/{self.agents}"
            )
            cookie = self.cookie
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Cookie": cookie, "User-Agent": agent}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            page = response.read().decode("utf-8", "replace")
            set_cookie = response.getheader("Set-Cookie")
            if set_cookie and not cookie:
                with self.lock:
                    self.cookie = self.cookie or set_cookie.split(";", 1)[0]
            return response.status, page
        finally:
            connection.close()


def make_run_workers() -> int:
    """The worker count `make run` starts: gunicorn.conf.py without overrides."""
    names: dict[str, object] = {}
    saved = os.environ.pop("GUNICORN_WORKERS", None)
    try:
        exec(
            compile(
                (ROOT / "gunicorn.conf.py").read_text(), "gunicorn.conf.py", "exec"
            ),
            names,
        )  # noqa: S102
    finally:
        if saved is not None:
            os.environ["GUNICORN_WORKERS"] = saved
    return int(names["workers"])  # type: ignore[call-overload]


@pytest.mark.commits
@pytest.mark.reliability
def test_200_posts_from_one_client_through_make_runs_workers_stay_within_the_limit(
    tmp_path,
):
    """The default submit limit's count, per hour rather than per minute (a
    busy test machine must not straddle two windows)."""
    workers = make_run_workers()
    limit = parse(load_config(str(tmp_path), {})["SURVEY_SUBMIT_LIMIT"]).amount
    database = f"sqlite:///{tmp_path / 'abuse.sqlite3'}"
    answers = prepare_database(database)
    log = tmp_path / "access.log"
    with gunicorn(
        database,
        workers=workers,
        RATELIMIT_ENABLED="true",
        RATELIMIT_STORAGE_URI=f"survey+sqlite:///{tmp_path / 'limits.sqlite3'}",
        SURVEY_SUBMIT_LIMIT=f"{limit} per hour",
        SURVEY_TICKET_LIMIT="1000 per hour",
        GUNICORN_ACCESSLOG=str(log),
    ) as server:
        phone = Phone(server.port)
        status, page = phone.request("GET", "/s/load/CITY?c=kiosk")
        assert status == 200
        fields = dict(
            re.findall(r'name="(csrf_token|ticket)"[^>]*value="([^"]*)"', page)
        )

        def one(index: int) -> int:
            path = "/s/load/CITY?c=kiosk" if index % 2 else "/s/load/CITY"
            _status, form = phone.request("GET", path)
            ticket = re.search(r'name="ticket"[^>]*value="([^"]*)"', form)
            body = urlencode(
                {
                    **fields,
                    "ticket": ticket.group(1) if ticket else fields["ticket"],
                    **answers,
                    "page": "1",
                    "action": "submit",
                }
            )
            return phone.request("POST", path, body)[0]

        with ThreadPoolExecutor(max_workers=6) as pool:
            statuses = list(pool.map(one, range(200)))
        served_by = len(server.worker_pids())
        phone.request("GET", "/i/SECRET-INVITATION-TOKEN")
        phone.request("GET", "/results/load/comments/NOTE?q=nguyenvanan&page=2")
    accepted, refused = statuses.count(302), statuses.count(429)
    stored, flagged, channels = stored_responses(database)
    print(
        f"workers={served_by} limit={limit} accepted={accepted} refused={refused}"
        f" flagged={flagged} channels={channels}"
    )
    assert served_by == workers
    assert accepted <= limit
    assert accepted >= limit // 2  # the limit, not something else, refused
    assert accepted + refused == 200, statuses
    assert stored == accepted
    # Every form beyond a device's normal day is flagged, User-Agents rotated
    # or not, ``?c=kiosk`` or not (no kiosk is configured here).
    assert flagged == accepted - REPEATED_DEVICE_PER_DAY
    assert channels == {"qr"}
    logged = log.read_text()
    assert 'POST /s/load/CITY?c=- HTTP/1.1" 429' in logged
    assert "/i/- " in logged and "q=-&page=-" in logged
    assert "SECRET-INVITATION-TOKEN" not in logged and "nguyenvanan" not in logged


def stored_responses(database_url: str) -> tuple[int, int, set[str]]:
    """Responses stored, those flagged as a repeated device, their channels."""
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    with engine.connect() as connection:
        stored = connection.execute(text("SELECT count(*) FROM responses")).scalar()
        flagged = connection.execute(
            text(
                "SELECT count(DISTINCT response_id) FROM response_flags"
                " WHERE code = 'repeated_device'"
            )
        ).scalar()
        channels = set(
            connection.execute(text("SELECT DISTINCT channel FROM responses")).scalars()
        )
    engine.dispose()
    return int(stored or 0), int(flagged or 0), channels
