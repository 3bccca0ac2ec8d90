"""Stuffing, a read-only database and HTTPS: refused, flagged or protected."""

import pytest
from sqlalchemy import func, select

from survey import create_app
from survey.extensions import db
from survey.models import Response, ResponseFlag
from tests.public.helpers import good_answers, open_form

URL = "/s/test/W1"


def test_a_script_stuffing_the_survey_is_slowed_and_flagged(app, make_survey):
    make_survey()
    stuffing = create_app(
        {**app.config, "RATELIMIT_ENABLED": True, "SURVEY_SUBMIT_LIMIT": "10/minute"}
    )
    stuffing.test_client_class = type(app.test_client())
    client = stuffing.test_client()
    statuses = []
    for _ in range(25):
        fields = open_form(client, URL)
        data = {**fields, **good_answers(), "page": "1", "action": "submit"}
        statuses.append(client.post(URL, data=data).status_code)
    with stuffing.app_context():
        db.engine.dispose()
    assert statuses.count(302) == 10 and statuses.count(429) == 15
    db.session.expire_all()
    stored = db.session.scalar(select(func.count(Response.id)))
    flagged = db.session.scalar(
        select(func.count(func.distinct(ResponseFlag.response_id))).where(
            ResponseFlag.code == "repeated_device"
        )
    )
    assert stored == 10
    assert flagged == 7  # the first three of a day pass; every one after is flagged


@pytest.mark.commits  # a read-only connection of its own
def test_a_read_only_database_acknowledges_nothing(app, make_survey, backend, tmp_path):
    if backend != "sqlite":
        return  # PostgreSQL outages are covered by tests/reliability
    make_survey()
    path = db.engine.url.database
    read_only = create_app(
        {
            **app.config,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///file:{path}?mode=ro&uri=true",
        }
    )
    read_only.test_client_class = type(app.test_client())
    client = read_only.test_client()
    fields = open_form(client, URL)
    response = client.post(
        URL, data={**fields, **good_answers(), "page": "1", "action": "submit"}
    )
    with read_only.app_context():
        db.engine.dispose()
    assert response.status_code == 503
    assert "thử lại" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Response.id))) == 0


def test_hsts_is_sent_over_https(client):
    response = client.get("/", base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    assert "Strict-Transport-Security" not in client.get("/").headers


def test_a_full_disk_acknowledges_nothing(app, make_survey):
    import sqlite3

    from sqlalchemy import event
    from sqlalchemy.exc import OperationalError

    make_survey()
    client = app.test_client()
    fields = open_form(client, URL)

    def disk_full(_conn, _cursor, statement, parameters, _context, _many):
        # What the driver reports when the disk (or the database file) is full.
        if statement.lstrip().upper().startswith("INSERT INTO RESPONSES"):
            raise OperationalError(
                statement,
                parameters,
                sqlite3.OperationalError("database or disk is full"),
            )

    event.listen(db.engine, "before_cursor_execute", disk_full)
    try:
        data = {**fields, **good_answers(), "page": "1", "action": "submit"}
        response = client.post(URL, data=data)
    finally:
        event.remove(db.engine, "before_cursor_execute", disk_full)
    assert response.status_code == 503
    assert "thử lại" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Response.id))) == 0
