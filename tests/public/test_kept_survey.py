"""A worker keeps the survey and service point citizens ask for, briefly."""

from __future__ import annotations

import pytest
from sqlalchemy import event, func, select, update

from survey.extensions import db
from survey.models import Response, Survey, Unit
from survey.models.surveys import CLOSED
from survey.services.answering import surveys
from tests.public.helpers import good_answers, open_form

URL = "/s/test/W1"


@pytest.fixture
def clock(monkeypatch):
    """The kept copies' clock, moved by hand."""
    now = [1000.0]
    monkeypatch.setattr(surveys.time, "monotonic", lambda: now[0])
    return now


def test_a_change_by_another_worker_reaches_citizens_within_the_kept_seconds(
    app, client, make_survey, clock
):
    survey = make_survey()
    assert client.get(URL).status_code == 200
    # Another worker closes the survey: nothing this worker flushes says so.
    db.session.execute(
        update(Survey).where(Survey.id == survey.id).values(status=CLOSED)
    )
    db.session.commit()
    clock[0] += app.config["SURVEY_CACHE_SECONDS"] - 0.5
    assert client.get(URL).status_code == 200  # this worker's copy, not yet old
    clock[0] += 0.5
    assert client.get(URL).status_code == 410


def test_a_change_made_by_this_worker_counts_at_once(client, make_survey, clock):
    make_survey()
    fields = open_form(client, URL)
    unit = db.session.scalar(select(Unit).where(Unit.code == "W1"))
    unit.active = False
    db.session.commit()
    data = {**fields, **good_answers(), "page": "1", "action": "submit"}
    assert client.post(URL, data=data).status_code == 404
    assert db.session.scalar(select(func.count(Response.id))) == 0


@pytest.mark.parametrize("seconds", [2, 0])
def test_with_the_survey_kept_a_submission_reads_neither_survey_nor_unit(
    app, client, make_survey, seconds
):
    app.config["SURVEY_CACHE_SECONDS"] = seconds
    make_survey()
    fields = open_form(client, URL)
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        data = {**fields, **good_answers(), "page": "1", "action": "submit"}
        response = client.post(URL, data=data)
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    assert response.status_code == 302
    assert db.session.scalar(select(func.count(Response.id))) == 1
    reads = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    read_kept = [s for s in reads if "FROM surveys" in s or "FROM units" in s]
    assert bool(read_kept) == (seconds == 0)


def test_a_signed_in_officer_answers_their_own_unit_s_form(
    client, make_survey, make_user, login
):
    """The kept unit is loaded apart: the officer's own unit, already in the
    request's session, stays usable."""
    make_survey()
    w1 = db.session.scalar(select(Unit).where(Unit.code == "W1"))
    make_user("ward@city.vn", "ward", w1)
    login("ward@city.vn")
    for _ in range(2):  # loaded, then kept
        fields = open_form(client, URL)
        data = {**fields, **good_answers(), "page": "1", "action": "submit"}
        assert client.post(URL, data=data).status_code == 302
    assert db.session.scalar(select(func.count(Response.id))) == 2
