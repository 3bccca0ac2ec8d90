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


def wait_for(condition: Callable[[], bool], tries: int = 300) -> bool:
    """Poll ``condition`` up to ``tries`` times, 0.2 s apart (no clock read:
    a bounded number of looks, not a time limit)."""
    for _ in range(tries):
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


@pytest.fixture
def field(app, make_unit, make_survey, make_user):
    """A drawn wave of 8 invitations in two wards; two cases are businesses
    with an e-mail address. Quiet hours off unless a test sets them."""
    from datetime import date, timedelta
    from types import SimpleNamespace

    from sqlalchemy import select

    from survey.models import CaseContact, Invitation
    from survey.services.fieldwork.cases import import_cases
    from survey.services.fieldwork.waves import create_wave, draw_wave
    from tests.trust.conftest import case_row

    city = make_unit("CITY", kind="city")
    w1, w2 = make_unit("W1", city), make_unit("W2", city)
    survey = make_survey("field", units=[w1, w2], owner=city)
    admin = make_user("admin@city.gov.vn", "admin", city)
    rows = [
        case_row(f"F-{i}", "W1" if i % 2 else "W2", phone=f"0913{i:06d}")
        for i in range(8)
    ]
    assert import_cases(rows).ok
    contacts = list(db.session.scalars(select(CaseContact).order_by(CaseContact.id)))
    contacts[0].email, contacts[1].email = "ketoan@congty-a.vn", "info@congty-b.vn"
    today = date.today()
    wave = create_wave(
        survey, [w1, w2], today - timedelta(days=29), today, 4, seed=7, name="T12"
    )
    draw_wave(wave)
    db.session.commit()
    app.config.update(
        OUTBOX_QUIET_HOURS="0-0",
        SMS_WEBHOOK_TOKEN="hook-sms",
        EMAIL_WEBHOOK_TOKEN="hook-email",
        ZNS_WEBHOOK_TOKEN="hook-zns",
    )
    invitations = list(db.session.scalars(select(Invitation).order_by(Invitation.id)))
    return SimpleNamespace(
        wave=wave, survey=survey, admin=admin, invitations=invitations, w1=w1, w2=w2
    )


def plan_wave(wave, channels=("email", "sms"), **changes):
    from survey.services.fieldwork.outbox_plans import plan_for, update_plan

    plan = plan_for(wave)
    update_plan(
        plan,
        channels=list(channels),
        base_url="https://ks.example.vn",
        **changes,
    )
    db.session.commit()
    return plan
