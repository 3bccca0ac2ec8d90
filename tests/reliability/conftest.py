"""The real stack under load and faults: gunicorn workers, SQLite or a private
PostgreSQL cluster, concurrent citizens on 127.0.0.1.

These tests are marked ``reliability``; they run in ``make test`` (and CI) and
can be run alone with ``pytest -m reliability``.
"""

from __future__ import annotations

import html
import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import pytest
from itsdangerous import URLSafeSerializer

ROOT = Path(__file__).resolve().parents[2]
SECRET = "reliability-secret-key-0123456789"
PG_BIN = next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin"))), None)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def flask_cli(database_url: str, *args: str) -> None:
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": SECRET}
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )


def prepare_database(database_url: str) -> dict[str, str]:
    """Migrate, create the test survey; return valid answers by field name."""
    flask_cli(database_url, "db", "upgrade")
    code = (
        "from survey import create_app\n"
        "from survey.extensions import db\n"
        "from survey.models import Unit\n"
        "from survey.services.design.definitions import create_survey\n"
        "from tests.conftest import small_spec\n"
        "app = create_app()\n"
        "with app.app_context():\n"
        "    city = Unit(code='CITY', name_vi='TP', name_en='City', kind='city')\n"
        "    db.session.add(city); db.session.flush(); city.update_path()\n"
        "    survey = create_survey('load', small_spec(), city, [city])\n"
        "    survey.versions[0].publish(); survey.open(); db.session.commit()\n"
        "    for q in survey.versions[0].questions: print(q.code, q.id)\n"
    )
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": SECRET}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    ids = dict(line.split() for line in result.stdout.split("\n") if line.strip())
    return {
        f"q_{ids['SAT']}": "4",
        f"q_{ids['LATE']}": "no",
        f"q_{ids['NPS']}": "8",
        f"q_{ids['STARS']}": "5",
        f"q_{ids['VISITS']}": "2",
    }


@dataclass
class Server:
    url: str
    port: int
    process: subprocess.Popen

    def worker_pids(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()]

    def get(self, path: str) -> int:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            connection.request("GET", path)
            return connection.getresponse().status
        except OSError:
            return 0
        finally:
            connection.close()


@contextmanager
def gunicorn(database_url: str, workers: int = 3, **env_extra: str) -> Iterator[Server]:
    port = free_port()
    jobs = tempfile.mkdtemp(prefix="survey-jobs-")  # not the checkout's instance/
    env = {
        **os.environ,
        "SURVEY_JOBS_URL": f"sqlite:///{jobs}/jobs.sqlite3",
        "DATABASE_URL": database_url,
        "SECRET_KEY": SECRET,
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": str(workers),
        "GUNICORN_TIMEOUT": "20",
        "GUNICORN_ACCESSLOG": "/dev/null",
        "RATELIMIT_ENABLED": "false",
        **env_extra,
    }
    log = tempfile.TemporaryFile()
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    server = Server(f"http://127.0.0.1:{port}", port, process)
    for _ in range(100):
        if server.get("/healthz") == 200:
            break
        time.sleep(0.2)
    else:
        process.kill()
        process.wait()
        log.seek(0)
        raise RuntimeError(log.read().decode()[-2000:])
    try:
        yield server
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
        shutil.rmtree(jobs, ignore_errors=True)


@dataclass
class Tally:
    """What the citizens saw: acknowledged tokens, every status answered, and
    how many 503 pages answering a submission kept its answers to send again."""

    acknowledged: set[str] = field(default_factory=set)
    statuses: dict[int, int] = field(default_factory=dict)
    kept_pages: int = 0  # the 503 page held every posted field, to send again
    unkept_pages: int = 0  # a 503 page to a submission without them
    lock: threading.Lock = field(default_factory=threading.Lock)

    def saw(self, status: int) -> None:
        with self.lock:
            self.statuses[status] = self.statuses.get(status, 0) + 1

    def saw_503_page(self, kept: bool) -> None:
        with self.lock:
            if kept:
                self.kept_pages += 1
            else:
                self.unkept_pages += 1


def send_again_form(page: str) -> tuple[str, list[tuple[str, str]]] | None:
    """The 503 page's "Send again" form: where it posts and its hidden fields."""
    form = re.search(
        r'<form method="post" action="([^"]*)" class="send-again">(.*?)</form>',
        page,
        re.S,
    )
    if form is None:
        return None
    fields = re.findall(
        r'<input type="hidden" name="([^"]*)" value="([^"]*)">', form.group(2)
    )
    return html.unescape(form.group(1)), [
        (html.unescape(name), html.unescape(value)) for name, value in fields
    ]


class Citizen:
    """One phone: opens the form, submits, and taps again until thanked."""

    def __init__(self, server: Server, answers: dict[str, str], tally: Tally) -> None:
        self.server, self.answers, self.tally = server, answers, tally
        self.cookie = ""
        self.token = ""  # the response token of the submission under way
        self.kept_pages = 0  # 503 pages that kept this citizen's answers

    def _request(self, method: str, path: str, body: str | None = None):
        connection = http.client.HTTPConnection(
            "127.0.0.1", self.server.port, timeout=25
        )
        headers = {"Cookie": self.cookie}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            data = response.read().decode("utf-8", "replace")
            cookie = response.getheader("Set-Cookie")
            if cookie:
                self.cookie = cookie.split(";", 1)[0]
            return response.status, response.getheader("Location") or "", data
        except OSError:
            return 0, "", ""  # connection refused or reset: a dropped connection
        finally:
            connection.close()

    def open_form(self, tries: int) -> dict[str, str] | None:
        """The form's CSRF token and ticket, once the page opens (at most
        ``tries`` attempts, 0.3 s apart)."""
        status, _location, page = 0, "", ""
        for _ in range(tries):
            if status == 200:
                break
            status, _location, page = self._request("GET", "/s/load/CITY")
            self.tally.saw(status)
            if status != 200:
                time.sleep(0.3)
        if status != 200:
            return None
        return {
            name: re.search(rf'name="{name}"[^>]*value="([^"]*)"', page).group(1)
            for name in ("csrf_token", "ticket")
        }

    def submit(self, form: dict[str, str], tries: int) -> bool:
        """Send until thanked (at most ``tries`` times); on a 503 page, press
        its "Send again" button."""
        ticket = URLSafeSerializer(SECRET, salt="answer-ticket").loads(form["ticket"])
        self.token = ticket["t"]
        fields = sorted(
            {**form, **self.answers, "page": "1", "action": "submit"}.items()
        )
        path, body = "/s/load/CITY", urlencode(fields)
        for _ in range(tries):
            status, location, page = self._request("POST", path, body)
            self.tally.saw(status)
            if status == 302 and location.endswith("/thanks"):
                with self.tally.lock:
                    self.tally.acknowledged.add(self.token)
                return True
            assert status in (0, 503), f"unexpected {status}: {page[:300]}"
            if status == 503:
                assert "thử lại" in page  # "try again", in the citizen's language
                kept = send_again_form(page)
                holds_answers = kept is not None and sorted(kept[1]) == fields
                self.kept_pages += holds_answers
                self.tally.saw_503_page(holds_answers)
                if kept is not None:  # what the button sends, where it sends it
                    path, body = kept[0], urlencode(kept[1])
            time.sleep(0.3)  # the citizen taps "send" again
        return False

    def answer_once(self, tries: int) -> None:
        form = self.open_form(tries)
        if form is not None:
            self.submit(form, tries)


def run_citizens(
    server,
    answers,
    clients: int,
    each: int,
    tally: Tally,
    stop: threading.Event | None = None,
    tries: int = 200,
):
    """``clients`` phones answering ``each`` times, each request retried at
    most ``tries`` times (bounded by counts, never by the clock).

    With ``stop``, they start no new response once it is set (the one under
    way is still finished, retried until thanked or out of tries).
    """

    def work() -> None:
        citizen = Citizen(server, answers, tally)
        for _ in range(each):
            if stop is not None and stop.is_set():
                return
            citizen.answer_once(tries)

    threads = [threading.Thread(target=work) for _ in range(clients)]
    for thread in threads:
        thread.start()
    return threads


def stored_tokens(database_url: str) -> list[str]:
    from sqlalchemy import create_engine, text

    engine = create_engine(
        database_url.replace("postgresql://", "postgresql+psycopg://")
    )
    with engine.connect() as connection:
        tokens = [
            row[0] for row in connection.execute(text("SELECT token FROM responses"))
        ]
    engine.dispose()
    return tokens


@dataclass
class PrivatePostgres:
    """A throwaway cluster on its own port: stopping it harms nothing else."""

    folder: Path
    port: int

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _ctl(self, *args: str) -> None:
        subprocess.run(
            [
                "runuser",
                "-u",
                "postgres",
                "--",
                str(PG_BIN / "pg_ctl"),
                "-D",
                str(self.folder / "data"),
                "-w",
                "-t",
                "60",
                *args,
            ],
            check=True,
            capture_output=True,
            timeout=90,
        )

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1"
        self._ctl("-o", options, "-l", str(self.folder / "log"), "start")

    def stop(self) -> None:
        self._ctl("-m", "fast", "stop")


@pytest.fixture
def private_postgres() -> Iterator[PrivatePostgres]:
    if PG_BIN is None or shutil.which("runuser") is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI needs PostgreSQL's initdb for the fault tests")
        pytest.skip("PostgreSQL server binaries not installed")
    # Not under pytest's tmp folders: their parents are private to root.
    folder = Path(tempfile.mkdtemp(prefix="survey-pg-"))
    shutil.chown(folder, "postgres", "postgres")
    subprocess.run(
        [
            "runuser",
            "-u",
            "postgres",
            "--",
            str(PG_BIN / "initdb"),
            "-D",
            str(folder / "data"),
            "-A",
            "trust",
            "-U",
            "postgres",
            "--no-sync",
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    cluster = PrivatePostgres(folder, free_port())
    cluster.start()
    yield cluster
    try:
        cluster.stop()
    except subprocess.CalledProcessError:
        pass
    shutil.rmtree(folder, ignore_errors=True)
