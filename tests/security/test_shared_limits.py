"""Rate limits hold across gunicorn workers; the access log keeps no secrets.

The abuse test runs `make run`'s set-up (gunicorn.conf.py, 3 workers, the
default limit storage: a SQLite file every worker shares) and posts 200
submissions from one client, rotating its User-Agent and using ``?c=kiosk``.
"""

from __future__ import annotations

import http.client
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

import pytest
from limits import parse
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter

from survey.config import load_config
from tests.reliability.conftest import gunicorn, prepare_database

LIMIT = 20


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


@pytest.mark.reliability
def test_200_posts_from_one_client_through_3_workers_stay_within_the_limit(
    tmp_path,
):
    database = f"sqlite:///{tmp_path / 'abuse.sqlite3'}"
    answers = prepare_database(database)
    log = tmp_path / "access.log"
    with gunicorn(
        database,
        workers=3,
        RATELIMIT_ENABLED="true",
        RATELIMIT_STORAGE_URI=f"survey+sqlite:///{tmp_path / 'limits.sqlite3'}",
        SURVEY_SUBMIT_LIMIT=f"{LIMIT} per minute",
        SURVEY_TICKET_LIMIT="1000 per hour",
        GUNICORN_ACCESSLOG=str(log),
        # the hook gunicorn.conf.py gets: logger_class = "survey.accesslog..."
        GUNICORN_CMD_ARGS="--logger-class survey.accesslog.RedactingLogger",
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
        workers = len(server.worker_pids())
        phone.request("GET", "/i/SECRET-INVITATION-TOKEN")
        phone.request("GET", "/results/load/comments/NOTE?q=nguyenvanan&page=2")
    accepted, refused = statuses.count(302), statuses.count(429)
    print(f"workers={workers} accepted={accepted} refused={refused}")
    assert workers == 3
    assert accepted <= LIMIT
    assert accepted >= LIMIT // 2  # the limit, not something else, refused
    assert accepted + refused == 200, statuses
    assert stored_responses(database) == accepted
    logged = log.read_text()
    assert 'POST /s/load/CITY?c=- HTTP/1.1" 429' in logged
    assert "/i/- " in logged and "q=-&page=-" in logged
    assert "SECRET-INVITATION-TOKEN" not in logged and "nguyenvanan" not in logged


def stored_responses(database_url: str) -> int:
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    with engine.connect() as connection:
        stored = connection.execute(text("SELECT count(*) FROM responses")).scalar()
    engine.dispose()
    return int(stored)
