"""A live server on a loopback port and Debian's Chromium driven by Playwright.

Never ``playwright install``: the browser is /usr/bin/chromium. Without it the
browser tests are skipped, except in CI, where they must run.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select
from werkzeug.serving import make_server

from survey import create_app
from survey.extensions import db
from survey.models import Unit, User
from survey.services.demo import seed_demo

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PHONE = {"width": 360, "height": 740}
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


@dataclass
class LiveServer:
    url: str
    app: Flask


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    from flask_migrate import upgrade

    folder = tmp_path_factory.mktemp("live")
    app = live_app(folder / "live.sqlite3")
    with app.app_context():
        upgrade()
        seed_demo(300)
        db.session.commit()
    yield from serve(app)


def live_app(database: Path) -> Flask:
    """An app over a SQLite file, as the live servers run it."""
    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
            "SECRET_KEY": "live-server-secret-key-for-tests",
            "RATELIMIT_ENABLED": False,
            # A leader waits 5 s at most (read_limits); two test workers on two
            # cores can take longer over 15,000 unfolded responses, and the
            # page would be the 503 page, with no chart to find.
            "SURVEY_RESULTS_TIMEOUT_MS": 0,
        }
    )


def serve(app: Flask) -> Iterator[LiveServer]:
    """Serve ``app`` on a loopback port in a thread until the generator closes."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield LiveServer(f"http://127.0.0.1:{server.server_port}", app)
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI needs Chromium at {CHROMIUM}")
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_FLAGS
        )
        yield browser
        browser.close()


@pytest.fixture
def phone(browser) -> Iterator[object]:
    """A page in a phone-sized context (CSP bypassed only so axe can be injected)."""
    context = browser.new_context(viewport=PHONE, bypass_csp=True, locale="vi-VN")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.js_errors = errors
    yield page
    context.close()


def run_axe(page) -> list[dict]:
    """Serious and critical accessibility violations on the page (axe-core)."""
    if not AXE.exists():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI needs axe-core at {AXE} (make test installs it)")
        pytest.skip("axe-core not installed (npm install axe-core)")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document)")
    return [v for v in result["violations"] if v["impact"] in ("serious", "critical")]


def city_user(live_server: LiveServer, email: str, password: str, role: str) -> str:
    """A user of ``role`` for the whole demo city, made once per server."""
    with live_server.app.app_context():
        if db.session.scalar(select(User).where(User.email == email)) is None:
            city = db.session.scalar(select(Unit).where(Unit.code == "HCM"))
            user = User(email=email, role=role, unit=city)
            user.set_password(password)
            db.session.add(user)
            db.session.commit()
    return email
