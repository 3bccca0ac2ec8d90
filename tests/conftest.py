"""Fixtures: the app over SQLite and PostgreSQL, a client, factories, a browser.

PostgreSQL comes from TEST_DATABASE_URL or a local server on 127.0.0.1:5432
(user postgres, trust auth; a private database is created and dropped). Where
neither is reachable its cases are skipped, except in CI, where they must run.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text

from survey import create_app
from survey.domain.questions import (
    LIKERT5,
    ConditionSpec,
    OptionSpec,
    PageSpec,
    QuestionSpec,
    SurveySpec,
)
from survey.extensions import db
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


def _migrate(url: str, instance: Path) -> None:
    from flask_migrate import upgrade

    app = create_app(_config(url))
    with app.app_context():
        upgrade()
        db.engine.dispose()


def _config(url: str) -> dict:
    return {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": url,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "RATELIMIT_ENABLED": False,
        "SERVER_NAME": "localhost",
        # Exact figures: the cell-key noise is tested on its own (h18).
        "SURVEY_CELL_KEY": False,
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


def _empty_tables() -> None:
    tables = list(reversed(db.metadata.sorted_tables))
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(t.name for t in tables)
        db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in tables:
            db.session.execute(table.delete())
    db.session.commit()


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


@pytest.fixture
def app(backend: str, database_urls: dict[str, str | None]) -> Iterator[Flask]:
    url = database_urls[backend]
    if url is None:
        pytest.skip("no PostgreSQL reachable (set TEST_DATABASE_URL)")
    app = create_app(_config(url))
    app.test_client_class = FreshContextClient
    with app.app_context():
        _empty_tables()
        yield app
        db.session.remove()
        _empty_tables()
        db.engine.dispose()


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
    from survey.services.definitions import create_survey

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
