"""Fixtures: the app over SQLite and PostgreSQL, a client, factories, a browser.

PostgreSQL comes from TEST_DATABASE_URL or a local server on 127.0.0.1:5432
(user postgres, trust auth; a private database is created and dropped). Where
neither is reachable its cases are skipped, except in CI, where they must run.
"""

from __future__ import annotations

import functools
import os
import re
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import flask_sqlalchemy.session
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Connection, Engine, Table, create_engine, text
from sqlalchemy.orm import Session

from survey import create_app
from survey.domain.questions import (
    LIKERT5,
    ConditionSpec,
    OptionSpec,
    PageSpec,
    QuestionSpec,
    SurveySpec,
)
from survey.extensions import db, limiter
from survey.models import Survey, Unit, User

IN_CI = os.environ.get("CI", "").lower() == "true"
LOCAL_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def _postgres_admin_url() -> str | None:
    url = os.environ.get("TEST_DATABASE_URL") or LOCAL_POSTGRES
    url = url.replace("postgresql://", "postgresql+psycopg://", 1)
    try:
        engine = create_engine(url, connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as error:  # any failure means: no PostgreSQL here
        if IN_CI:
            raise RuntimeError(f"CI needs PostgreSQL at {url}: {error}") from error
        return None
    return url


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str | None]:
    """A fresh, private PostgreSQL database for this test session."""
    admin_url = _postgres_admin_url()
    if admin_url is None:
        yield None
        return
    name = f"survey_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield re.sub(r"/[^/]*$", f"/{name}", admin_url)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session", autouse=True)
def _jobs_in_memory() -> Iterator[None]:
    """Apps that are not TESTING (the browser tests' live servers, the
    gunicorn of the reliability tests) queue in their own process's memory,
    never in the checkout's instance/jobs.sqlite3 nor a developer's Redis."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SURVEY_JOBS_URL", "memory://")
        patch.delenv("REDIS_URL", raising=False)
        yield


@pytest.fixture(scope="session", autouse=True)
def _scrypt_once_per_password() -> Iterator[None]:
    """Each scrypt hash and check computed once per session, then remembered.

    A hash costs 0.1-0.2 s of CPU; the admin tests alone make and check
    thousands (three users and a login per test). The first computation of
    each (password, method) or (hash, password) is the real one, so the hashes
    are still scrypt and a wrong password is still refused; only users with
    the same password share one salt.
    """
    import werkzeug.security

    import survey.models.users

    made: dict[tuple[str, str, int], str] = {}
    real_generate = werkzeug.security.generate_password_hash

    def generate(password: str, method: str = "scrypt", salt_length: int = 16) -> str:
        key = (password, method, salt_length)
        if key not in made:
            made[key] = real_generate(password, method, salt_length)
        return made[key]

    check = functools.lru_cache(maxsize=None)(werkzeug.security.check_password_hash)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(survey.models.users, "generate_password_hash", generate)
        patch.setattr(survey.models.users, "check_password_hash", check)
        patch.setattr(werkzeug.security, "check_password_hash", check)
        yield


def _migrate(url: str, instance: Path) -> None:
    from flask_migrate import upgrade

    app = create_app(_config(url))
    with app.app_context():
        upgrade()
        db.engine.dispose()


def _config(url: str, exports: Path | None = None) -> dict:
    return {
        # Export files in this session's own folder, not the checkout's
        # instance/exports, which parallel sessions (xdist workers) would share.
        **({"EXPORT_DIR": str(exports)} if exports else {}),
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": url,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "RATELIMIT_ENABLED": False,
        "SERVER_NAME": "localhost",
        # Exact figures: the cell-key noise is tested on its own (h18).
        "SURVEY_CELL_KEY": False,
        # A loaded CI machine may take more than the 5 s a leader waits; the
        # limit itself is tested with its own values (test_read_timeout).
        "SURVEY_RESULTS_TIMEOUT_MS": 0,
    }


@pytest.fixture(scope="session")
def database_urls(
    postgres_url: str | None, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, str | None]:
    """Each backend's database, migrated once per session."""
    folder = tmp_path_factory.mktemp("db")
    sqlite_url = f"sqlite:///{folder / 'test.sqlite3'}"
    _migrate(sqlite_url, folder)
    if postgres_url:
        _migrate(postgres_url, folder)
    return {"sqlite": sqlite_url, "postgresql": postgres_url}


def _nonempty_tables(connection: Connection) -> list[Table]:
    """The model tables holding any row, in one statement, children first."""
    tables = list(reversed(db.metadata.sorted_tables))
    quote = connection.dialect.identifier_preparer.quote
    probe = " UNION ALL ".join(
        f"SELECT '{t.name}' WHERE EXISTS (SELECT 1 FROM {quote(t.name)})"
        for t in tables
    )
    found = set(connection.exec_driver_sql(probe).scalars())
    return [t for t in tables if t.name in found]


def _empty_tables(engine: Engine, restart: bool = False) -> None:
    """Delete every row: one DELETE per non-empty table (SQLite), or one
    TRUNCATE (PostgreSQL; ``restart`` also resets every table's ids)."""
    with engine.begin() as connection:
        full = _nonempty_tables(connection)
        if not full and not restart:
            return
        if connection.dialect.name == "postgresql":
            names = ", ".join(
                t.name for t in (db.metadata.sorted_tables if restart else full)
            )
            connection.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
        else:
            for table in full:
                connection.execute(table.delete())


@contextmanager
def _rolled_back(engine: Engine) -> Iterator[None]:
    """Every session of the test on one connection, in one transaction that
    is rolled back at the end (SQLAlchemy's "join an external transaction").

    Each session (the test's, each request's, the kept-survey loader's, and
    those of another app a test makes on the same database) works in a
    SAVEPOINT of its own: its commit releases the savepoint, its rollback
    returns to it, and nothing reaches the database for good. Connections
    opened without a session (``engine.connect()``) are not joined.
    SQLite's driver would start the transaction late and let the first
    savepoint's release commit it, so there the driver leaves transactions
    alone and the fixture says BEGIN itself.
    """
    connection = engine.connect()
    raw = connection.connection.dbapi_connection
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        saved_level = raw.isolation_level
        raw.isolation_level = None
    outer = connection.begin()
    if sqlite:
        connection.exec_driver_sql("BEGIN")

    def joined(get_bind: Callable[..., Any]) -> Callable[..., Any]:
        def get_bind_joined(session: Session, *args: Any, **kwargs: Any) -> Any:
            bind = get_bind(session, *args, **kwargs)
            if isinstance(bind, Engine) and bind.url == engine.url:
                session.join_transaction_mode = "create_savepoint"
                return connection
            return bind

        return get_bind_joined

    patched = (flask_sqlalchemy.session.Session, Session)
    originals = [klass.__dict__["get_bind"] for klass in patched]
    for klass, original in zip(patched, originals, strict=True):
        klass.get_bind = joined(original)
    try:
        yield
    finally:
        for klass, original in zip(patched, originals, strict=True):
            klass.get_bind = original
        if outer.is_active:
            outer.rollback()
        if sqlite:
            raw.isolation_level = saved_level
        connection.close()


class FreshContextClient(FlaskClient):
    """Each request gets its own app context, as in production (and Flask 3.2).

    The test itself holds one app context for its factories and assertions;
    without this, ``g`` (and the locale cached in it) would leak across requests.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@dataclass
class _SharedApp:
    """An app made once per backend, and what it held before any test."""

    app: Flask
    config: dict[str, Any]
    extensions: frozenset[str]
    limiter: dict[str, Any]  # the limiter is one object for every app

    def fresh(self) -> Flask:
        """The app as it was made: each test's config changes undone, and
        the rate limiter as this app set it up (another app made by a test,
        with limits on, sets up the same limiter anew)."""
        self.app.config.clear()
        self.app.config.update(self.config)
        vars(limiter).clear()
        vars(limiter).update(self.limiter)
        for key in set(self.app.extensions) - self.extensions:  # kept surveys
            del self.app.extensions[key]
        self.app._got_first_request = False  # a test may still add a route
        from survey import jobs

        # A new memory queue: no jobs (nor a fold's "pending" mark) of another
        # test. A live server of the browser tests (not TESTING) had chosen
        # the store for good, and the tests after it on that worker shared it.
        jobs.reset_storage()
        return self.app


@pytest.fixture(scope="session")
def _apps() -> Iterator[dict[str, _SharedApp]]:
    """One app per backend for the whole session, made when first needed."""
    apps: dict[str, _SharedApp] = {}
    yield apps
    for shared in apps.values():
        with shared.app.app_context():
            db.engine.dispose()


def _shared_app(
    apps: dict[str, _SharedApp], backend: str, url: str, exports: Path
) -> Flask:
    if backend not in apps:
        made = create_app(_config(url, exports))
        made.test_client_class = FreshContextClient
        apps[backend] = _SharedApp(
            made, dict(made.config), frozenset(made.extensions), dict(vars(limiter))
        )
    return apps[backend].fresh()


@pytest.fixture
def app(
    backend: str,
    database_urls: dict[str, str | None],
    _apps: dict[str, _SharedApp],
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Flask]:
    """The app over an empty database of ``backend``, in an app context.

    By default the test runs inside one transaction rolled back at its end
    (commits are savepoints). A test marked ``commits`` (threads, other
    connections or processes, files read behind SQLAlchemy's back) really
    commits; its rows are deleted afterwards.
    """
    url = database_urls[backend]
    if url is None:
        pytest.skip("no PostgreSQL reachable (set TEST_DATABASE_URL)")
    exports = tmp_path_factory.getbasetemp() / "exports"
    made = _shared_app(_apps, backend, url, exports)
    commits = request.node.get_closest_marker("commits") is not None
    with made.app_context():
        engine = db.engine
        # Rows only where the migrations left some (tally_state) or a clean-up failed.
        _empty_tables(engine)
        if commits:
            try:
                yield made
            finally:
                db.session.remove()
                _empty_tables(engine, restart=True)
        else:
            with _rolled_back(engine):
                try:
                    yield made
                finally:
                    db.session.remove()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask):
    return app.test_cli_runner()


# --- factories ------------------------------------------------------------


@pytest.fixture
def make_unit(app: Flask) -> Callable[..., Unit]:
    def make(
        code: str, parent: Unit | None = None, kind: str = "ward", **names
    ) -> Unit:
        unit = Unit(
            code=code,
            parent=parent,
            kind=kind,
            name_vi=names.get("name_vi", f"Phường {code}"),
            name_en=names.get("name_en", f"{code} Ward"),
        )
        db.session.add(unit)
        db.session.flush()
        unit.update_path()
        db.session.commit()
        return unit

    return make


def small_spec() -> SurveySpec:
    """Two pages covering every question type and a display condition."""
    agree = tuple(OptionSpec(str(i), f"Mức {i}", f"Level {i}") for i in range(1, 6)) + (
        OptionSpec("9", "Không biết", "Don't know"),
    )
    yes_no = (OptionSpec("yes", "Có", "Yes"), OptionSpec("no", "Không", "No"))
    return SurveySpec(
        title_vi="Khảo sát thử",
        title_en="Test survey",
        intro_vi="Giới thiệu",
        intro_en="Introduction",
        thanks_vi="Cảm ơn",
        thanks_en="Thanks",
        pages=(
            PageSpec(
                "Trang một",
                "Page one",
                (
                    QuestionSpec(
                        "SAT",
                        LIKERT5,
                        "Hài lòng?",
                        "Satisfied?",
                        options=agree,
                        dimension="overall",
                    ),
                    QuestionSpec("LATE", "single", "Trễ hẹn?", "Late?", options=yes_no),
                    QuestionSpec(
                        "WHY",
                        "short_text",
                        "Vì sao?",
                        "Why?",
                        condition=ConditionSpec("LATE", ("yes",)),
                    ),
                    QuestionSpec(
                        "IMPROVE",
                        "multiple",
                        "Cải thiện gì?",
                        "Improve what?",
                        required=False,
                        max_choices=2,
                        options=(
                            OptionSpec("fast", "Nhanh hơn", "Faster"),
                            OptionSpec("kind", "Thân thiện", "Kinder"),
                            OptionSpec("cheap", "Rẻ hơn", "Cheaper"),
                            OptionSpec("other", "Khác", "Other", is_other=True),
                        ),
                    ),
                ),
            ),
            PageSpec(
                "Trang hai",
                "Page two",
                (
                    QuestionSpec("NPS", "nps", "Giới thiệu?", "Recommend?"),
                    QuestionSpec("STARS", "rating5", "Chấm điểm", "Rate us"),
                    QuestionSpec(
                        "VISITS",
                        "number",
                        "Số lần?",
                        "Visits?",
                        min_value=1,
                        max_value=20,
                    ),
                    QuestionSpec(
                        "WHEN", "date", "Ngày nào?", "Which day?", required=False
                    ),
                    QuestionSpec(
                        "NOTE", "long_text", "Góp ý", "Comments", required=False
                    ),
                ),
            ),
        ),
    )


@pytest.fixture
def make_survey(app: Flask, make_unit) -> Callable[..., Survey]:
    from survey.services.design.definitions import create_survey

    def make(
        slug: str = "test",
        units: list[Unit] | None = None,
        spec: SurveySpec | None = None,
        owner: Unit | None = None,
        publish: bool = True,
        open_: bool = True,
    ) -> Survey:
        if units is None:
            city = owner or make_unit("CITY", kind="city")
            units = [make_unit("W1", city), make_unit("W2", city)]
            owner = city
        survey = create_survey(slug, spec or small_spec(), owner or units[0], units)
        if publish:
            survey.versions[0].publish()
        if open_:
            survey.open()
        db.session.commit()
        return survey

    return make


@pytest.fixture
def make_user(app: Flask) -> Callable[..., User]:
    def make(
        email: str, role: str, unit: Unit, password: str = "a-long-password"
    ) -> User:
        user = User(email=email, role=role, unit=unit)
        user.set_password(password)
        db.session.add(user)
        db.session.commit()
        return user

    return make


def csrf_token(client: FlaskClient, url: str) -> str:
    """The CSRF token of the form on ``url``, as a browser would send it back."""
    html = client.get(url).get_data(as_text=True)
    match = re.search(
        r'name="csrf_token" type="hidden" value="([^"]+)"', html
    ) or re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, f"no CSRF token on {url}"
    return match.group(1)


@pytest.fixture
def login(client: FlaskClient) -> Callable[[str, str], None]:
    def do(email: str, password: str = "a-long-password") -> None:
        token = csrf_token(client, "/login")
        response = client.post(
            "/login", data={"email": email, "password": password, "csrf_token": token}
        )
        assert response.status_code == 302, response.get_data(as_text=True)

    return do


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "commits: the test's writes really commit (threads, other connections or "
        "processes, files read behind SQLAlchemy); its rows are deleted after it",
    )
    config.addinivalue_line(
        "markers",
        "xdist_group(name): the tests of one group run on one xdist worker "
        "(make test's --dist loadgroup); registered here for runs without xdist",
    )


E2E = Path(__file__).resolve().parent / "e2e"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The browser tests on one worker: one Chromium and one seeded live
    server for all of them, instead of one per worker."""
    for item in items:
        if E2E in item.path.parents:
            item.add_marker(pytest.mark.xdist_group("browser"))
