"""A real Huey consumer process for the job tests, over the test's database."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from survey import jobs
from survey.extensions import db

ROOT = Path(__file__).resolve().parents[2]
CONSUMER = Path(sys.executable).with_name("huey_consumer")


class Consumer:
    """``huey_consumer survey.jobs.huey`` in a process of its own."""

    def __init__(self, app, store: Path, log: Path, extra_env: dict[str, str]):
        self.env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
            "SECRET_KEY": app.config["SECRET_KEY"],
            "SURVEY_JOBS_URL": f"sqlite:///{store}",
            **extra_env,
        }
        self.log = log
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        with self.log.open("a") as handle:  # the child keeps its own copy
            self.process = subprocess.Popen(
                [CONSUMER, "survey.jobs.huey", "-w", "1", "-d", "0.05", "-m", "0.5"],
                cwd=ROOT,
                env=self.env,
                stdout=handle,
                stderr=subprocess.STDOUT,
            )

    def kill(self) -> None:
        """SIGKILL: no clean-up at all, as when the host dies."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()

    def output(self) -> str:
        return self.log.read_text() if self.log.exists() else ""


@pytest.fixture
def consumer(app, tmp_path) -> Iterator[Callable[..., Consumer]]:
    """Start consumers on a SQLite job store that this test's app queues into."""
    store = tmp_path / "jobs.sqlite3"
    jobs.use_storage(f"sqlite:///{store}")
    made: list[Consumer] = []

    def make(**extra_env: str) -> Consumer:
        worker = Consumer(app, store, tmp_path / "consumer.log", extra_env)
        made.append(worker)
        return worker

    yield make
    for worker in made:
        worker.stop()
    jobs.reset_storage()
    db.session.rollback()


def wait_for(condition: Callable[[], bool], seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        db.session.rollback()  # see the consumer's commits
        if condition():
            return True
        time.sleep(0.2)
    return False


@pytest.fixture
def demo(app):
    """The demo city with 300 responses, none folded yet."""
    from sqlalchemy import select

    from survey.models import Survey
    from survey.services.demo import DEMO_SLUG, seed_demo

    seed_demo(300)
    db.session.commit()
    return db.session.scalar(select(Survey).where(Survey.slug == DEMO_SLUG))
