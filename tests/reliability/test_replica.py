"""The results pages read from a real streaming replica, and from the primary
when the replica lags or is down.

Two throwaway PostgreSQL servers on this machine: a primary made by initdb
(whose default pg_hba lets 127.0.0.1 replicate) and a hot standby copied from
it by ``pg_basebackup -R``. The shared server on 5432 is not copied: it holds
every other test's databases and the benchmarks' millions of rows.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import create_engine, select, text

from survey import create_app
from survey.extensions import db
from survey.models import Answer, Question, Response, Survey, Unit, User
from tests.conftest import FreshContextClient, csrf_token, small_spec
from tests.reliability.conftest import PG_BIN, PrivatePostgres, free_port

pytestmark = [pytest.mark.reliability, pytest.mark.commits]

IN_CI = os.environ.get("CI", "").lower() == "true"
ATTEMPTS = 300  # 0.1 s apart: the replica has 30 s to catch up


def _unavailable(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"CI must run the replica test: {reason}")
    pytest.skip(reason)


@pytest.fixture
def replica(private_postgres: PrivatePostgres) -> Iterator[PrivatePostgres]:
    """A hot standby of ``private_postgres``, streaming from it."""
    folder = Path(tempfile.mkdtemp(prefix="survey-replica-"))
    shutil.chown(folder, "postgres", "postgres")
    standby = PrivatePostgres(folder, free_port())
    try:
        subprocess.run(
            [
                "runuser", "-u", "postgres", "--",
                str(PG_BIN / "pg_basebackup"),
                "-h", "127.0.0.1", "-p", str(private_postgres.port), "-U", "postgres",
                "-D", str(folder / "data"),
                "-R", "-X", "stream", "-c", "fast", "--no-sync",
            ],
            check=True, capture_output=True, timeout=60,
        )  # fmt: skip
        standby.start()  # standby.signal (from -R): a hot standby
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as error:
        shutil.rmtree(folder, ignore_errors=True)
        _unavailable(f"no streaming replica: {getattr(error, 'stderr', error)!r}")
    yield standby
    try:
        standby.stop()
    except subprocess.CalledProcessError:
        pass  # the test stopped it already
    shutil.rmtree(folder, ignore_errors=True)


def _app(primary: PrivatePostgres, standby: PrivatePostgres) -> Flask:
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": primary.url,
            "SURVEY_REPLICA_URL": standby.url,
            "SURVEY_REPLICA_MAX_LAG_SECONDS": 600,
            "SURVEY_REPLICA_RETRY_SECONDS": 0,  # asked again on every request
            "SECRET_KEY": "test-secret-key-not-for-production",
            "RATELIMIT_ENABLED": False,
            "SERVER_NAME": "localhost",
            "SURVEY_CELL_KEY": False,
        }
    )
    app.test_client_class = FreshContextClient
    app.extensions["survey_replica"].check_every = 0  # asked on every request
    return app


def _seed() -> Survey:
    from flask_migrate import upgrade

    from survey.services.design.definitions import create_survey

    upgrade()
    # Alembic's logging set-up disables the loggers already made (and takes
    # pytest's handler off the root): this one is part of what is checked.
    logging.getLogger("survey.replica").disabled = False
    city = Unit(code="CITY", kind="city", name_vi="TP", name_en="City")
    ward = Unit(code="W1", kind="ward", parent=city, name_vi="P1", name_en="W1")
    db.session.add_all([city, ward])
    db.session.flush()
    city.update_path()
    ward.update_path()
    survey = create_survey("replica", small_spec(), city, [ward])
    survey.versions[0].publish()
    survey.open()
    leader = User(email="leader@city.vn", role="leader", unit=city)
    leader.set_password("a-long-password")
    db.session.add(leader)
    db.session.commit()
    for _ in range(12):
        _respond(survey, ward)
    return survey


def _respond(survey: Survey, ward: Unit) -> None:
    """One citizen's response, committed on the primary."""
    version = survey.published_version
    sat = db.session.scalar(
        select(Question).where(
            Question.version_id == version.id, Question.code == "SAT"
        )
    )
    option = {o.code: o.id for o in sat.options}["4"]
    db.session.add(
        Response(
            survey_id=survey.id,
            version_id=version.id,
            unit_id=ward.id,
            channel="qr",
            respondent_group="citizen",
            token=secrets.token_hex(16),
            answers=[Answer(question_id=sat.id, option_id=option, value_int=4)],
        )
    )
    db.session.commit()


def _responses_shown(client, redirects: int = 0) -> int:
    response = client.get("/results/replica?lang=en", follow_redirects=True)
    assert response.status_code == 200, response.status_code
    assert len(response.history) == redirects
    html = response.get_data(as_text=True)
    shown = re.search(r'id="responses">.*?class="stat-value">([\d,]+)<', html, re.S)
    assert shown, "no response count on the overview"
    return int(shown.group(1).replace(",", ""))


class Logged(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def _poll(check, what: str) -> int:
    """How many attempts (0.1 s apart) until ``check()`` holds."""
    for attempt in range(1, ATTEMPTS + 1):
        if check():
            return attempt
        time.sleep(0.1)
    raise AssertionError(f"{what}: not within {ATTEMPTS} attempts")


def test_results_from_the_replica_and_from_the_primary_without_it(
    private_postgres, replica
):
    app = _app(private_postgres, replica)
    standby = create_engine(replica.url, isolation_level="AUTOCOMMIT")
    try:
        with app.app_context():
            survey, ward = _seed(), db.session.scalar(select(Unit).filter_by(code="W1"))
            client = app.test_client()
            token = csrf_token(client, "/login")
            client.post(
                "/login",
                data={
                    "email": "leader@city.vn",
                    "password": "a-long-password",
                    "csrf_token": token,
                },
            )
            caught_up = _poll(lambda: _responses_shown(client) == 12, "setup replayed")

            # Replay paused: a response committed on the primary is not on the
            # page, so the page was read from the replica.
            with standby.connect() as connection:
                connection.execute(text("SELECT pg_wal_replay_pause()"))

                def paused() -> bool:
                    state = "SELECT pg_get_wal_replay_pause_state()"
                    return connection.execute(text(state)).scalar() == "paused"

                _poll(paused, "replay paused")
                _respond(survey, ward)
                assert _responses_shown(client) == 12

                # Behind by more than the limit once it has received the new
                # WAL: the page is read from the primary.
                behind = "SELECT pg_last_wal_receive_lsn() > pg_last_wal_replay_lsn()"
                _poll(lambda: connection.execute(text(behind)).scalar(), "received")
                app.extensions["survey_replica"].max_lag = 0
                assert _responses_shown(client) == 13
                app.extensions["survey_replica"].max_lag = 600
                assert _responses_shown(client) == 12  # the replica again

                connection.execute(text("SELECT pg_wal_replay_resume()"))
            lag = _poll(lambda: _responses_shown(client) == 13, "replica caught up")
            reported = db.session.execute(
                text("SELECT replay_lag FROM pg_stat_replication")
            ).scalar()
            print(
                f"\nreplica: setup shown after {caught_up} attempt(s), the new "
                f"response {lag} attempt(s) after resuming; replay_lag {reported} "
                "(the pause included)"
            )

            # The replica down: the pages still answer, from the primary, and
            # the switch is logged once. The first request had been told the
            # replica was fine (asked a moment before): it fails on it and
            # is sent to the same page again, read from the primary.
            standby.dispose()
            app.extensions["survey_replica"].check_every = 600
            replica.stop()
            _respond(survey, ward)
            logged = Logged()
            logging.getLogger("survey.replica").addHandler(logged)
            try:
                assert _responses_shown(client, redirects=1) == 14
                app.extensions["survey_replica"].check_every = 0
                assert [_responses_shown(client) for _ in range(3)] == [14, 14, 14]
            finally:
                logging.getLogger("survey.replica").removeHandler(logged)
            assert len(logged.lines) == 1, logged.lines
            assert "failed during a request" in logged.lines[0]
            assert client.get("/results/replica/questions?lang=en").status_code == 200
    finally:
        standby.dispose()
        with app.app_context():
            for engine in db.engines.values():
                engine.dispose()
