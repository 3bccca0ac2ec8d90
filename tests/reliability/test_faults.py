"""Nothing acknowledged is lost: load, a killed worker, a database outage."""

import os
import signal
import socket
import threading
import time
from collections import Counter

import pytest

from tests.reliability.conftest import (
    Citizen,
    Tally,
    gunicorn,
    prepare_database,
    run_citizens,
    stored_tokens,
)

pytestmark = pytest.mark.reliability


def assert_acknowledged_equals_stored(tally: Tally, database_url: str) -> None:
    tokens = stored_tokens(database_url)
    duplicates = [t for t, n in Counter(tokens).items() if n > 1]
    assert duplicates == []
    missing = tally.acknowledged - set(tokens)
    assert missing == set(), f"{len(missing)} acknowledged responses lost"
    # Every stored response was acknowledged, or its answer was cut off in flight.
    assert len(tally.acknowledged) > 0


def test_sqlite_with_several_workers_loses_nothing(tmp_path):
    url = f"sqlite:///{tmp_path / 'load.sqlite3'}"
    answers = prepare_database(url)
    tally = Tally()
    with gunicorn(url, workers=3) as server:
        threads = run_citizens(server, answers, clients=12, each=10, tally=tally)
        for thread in threads:
            thread.join()
    assert set(tally.statuses) <= {200, 302}, tally.statuses  # no "database is locked"
    assert len(tally.acknowledged) == 120
    assert_acknowledged_equals_stored(tally, url)
    print(f"sqlite: {len(tally.acknowledged)} acknowledged, statuses {tally.statuses}")


def redis_limits() -> dict[str, str]:
    """Rate limits shared by the workers through Redis, where Redis runs."""
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            pass
    except OSError:
        return {}
    return {
        "RATELIMIT_ENABLED": "true",
        "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379",
        "SURVEY_SUBMIT_LIMIT": "100000 per minute",
        "SURVEY_TICKET_LIMIT": "100000 per minute",  # eight citizens, one address
    }


def test_postgres_outage_and_a_killed_worker_lose_nothing(private_postgres):
    url = private_postgres.url
    answers = prepare_database(url)
    tally = Tally()
    health_during_outage: list[int] = []
    with gunicorn(url, workers=3, **redis_limits()) as server:
        # Citizens keep answering until told to stop, after the outage, so
        # the load spans it however fast a submission is; ``each`` bounds it.
        stop = threading.Event()
        threads = run_citizens(
            server, answers, clients=8, each=2_000, tally=tally, stop=stop
        )
        time.sleep(3)
        os.kill(server.worker_pids()[0], signal.SIGKILL)  # gunicorn starts another
        # One more citizen opens the form now and sends it once the database
        # is down: at least one submission surely meets the outage.
        latecomer = Citizen(server, answers, tally)
        form = latecomer.open_form(tries=100)
        assert form is not None
        time.sleep(3)
        private_postgres.stop()
        late = threading.Thread(target=latecomer.submit, args=(form, 200))
        late.start()
        for _ in range(4):
            health_during_outage.append(server.get("/healthz"))
            time.sleep(1)
        private_postgres.start()
        time.sleep(3)  # and some load after the database is back
        stop.set()
        for thread in [*threads, late]:
            thread.join()
        health_after = server.get("/healthz")
    assert 503 in health_during_outage and 200 not in health_during_outage
    assert health_after == 200
    assert 500 not in tally.statuses, tally.statuses
    assert tally.statuses.get(503, 0) > 0  # the outage was felt, and answered clearly
    # Every 503 page to a submission kept its answers in a form to send again,
    # and pressing "Send again" was how the citizens got through.
    assert latecomer.kept_pages > 0
    assert tally.kept_pages > 0 and tally.unkept_pages == 0, tally
    assert_acknowledged_equals_stored(tally, url)
    assert latecomer.token in tally.acknowledged
    print(
        f"postgres: {len(tally.acknowledged)} acknowledged, "
        f"{len(stored_tokens(url))} stored, statuses {tally.statuses}, "
        f"{tally.kept_pages} 503 pages kept the answers to send again "
        f"({tally.unkept_pages} did not)"
    )


def test_threads_helper_is_bounded():
    # The load loops stop by themselves: a guard against a hung test run.
    assert threading.active_count() < 50
