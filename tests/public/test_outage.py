"""A database outage keeps the citizen's answers: a 503 page to send them again."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from survey import errors
from survey.extensions import db
from survey.models import Answer, Question, Response
from tests.conftest import csrf_token
from tests.public.helpers import (
    SendAgainForm,
    flat,
    good_answers,
    open_form,
    outage,
    qid,
)

URL = "/s/test/W1"
HOSTILE = '<script>alert(1)</script>"\' onfocus="x'
QUOTES = "Họ nói \"không\" & đi 'sớm' > <b>"


def stored() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(Response.id)))


def hostile_answers() -> dict[str, object]:
    return {**good_answers(), qid("WHY"): HOSTILE, qid("NOTE"): QUOTES}


@pytest.mark.parametrize("kind", ["down", "insert", "lost"])
def test_the_503_page_keeps_every_answer_and_sending_again_stores_it_once(
    client, make_survey, monkeypatch, kind
):
    make_survey()
    fields = open_form(client, URL)
    data = {**fields, **hostile_answers(), "page": "1", "action": "submit"}
    with outage(kind, monkeypatch):
        response = client.post(URL, data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 503
    assert "thử lại" in html  # "try again", in the citizen's language
    assert response.headers["Cache-Control"] == "no-store"
    # Works without JavaScript, under the site's CSP: no script, no inline style.
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert "<script" not in html and "style=" not in html
    form = SendAgainForm(html)
    assert form.forms == 1 and form.action == URL
    assert sorted(form.fields) == flat(data)  # every answer, token and ticket
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)" in html
    assert 'onfocus="x' not in html
    assert stored() == (1 if kind == "lost" else 0)

    # The database is back: the citizen presses "Send again", twice.
    for _ in range(2):
        again = client.post(form.action, data=MultiDict(form.fields))
        assert again.status_code == 302
        assert again.headers["Location"].endswith("/s/test/W1/thanks")
    assert stored() == 1
    texts = db.session.scalars(
        select(Answer.value_text)
        .join(Question)
        .where(Question.code.in_(["WHY", "NOTE"]))
    ).all()
    assert sorted(texts) == sorted([HOSTILE, QUOTES])


def test_page_one_is_kept_too_and_the_address_keeps_its_query(
    client, make_survey, monkeypatch
):
    make_survey()
    url = URL + "?c=kiosk&lang=en"
    fields = open_form(client, url)
    data = {**fields, qid("SAT"): "5", qid("LATE"): "no", "action": "next"}
    with outage("down", monkeypatch):
        response = client.post(url, data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 503
    assert "Your answers are kept on this page" in html and "Send again" in html
    form = SendAgainForm(html)
    assert form.action == url and sorted(form.fields) == flat(data)
    again = client.post(form.action, data=MultiDict(form.fields))
    assert again.status_code == 200 and "Page 2 of 2" in again.get_data(as_text=True)


def test_no_password_and_nothing_over_the_caps_is_given_back(
    client, make_survey, monkeypatch
):
    make_survey()
    fields = open_form(client, URL)
    data = {**fields, **good_answers(), "password": "hunter2-secret", "action": "next"}
    with outage("down", monkeypatch):
        response = client.post(URL, data=data)
    html = response.get_data(as_text=True)
    assert SendAgainForm(html).forms == 1 and "hunter2-secret" not in html

    monkeypatch.setattr(errors, "SEND_AGAIN_MAX_FIELDS", 3)
    with outage("down", monkeypatch):
        response = client.post(URL, data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 503 and "thử lại" in html
    assert SendAgainForm(html).forms == 0  # never a truncated response


def test_staff_posts_are_never_given_back(client, make_unit, make_user, monkeypatch):
    token = csrf_token(client, "/login")
    login = {"email": "a@city.gov.vn", "password": "a-secret-pass", "csrf_token": token}
    with outage("down", monkeypatch):
        response = client.post("/login", data=login)
    html = response.get_data(as_text=True)
    assert response.status_code == 503
    assert SendAgainForm(html).forms == 0
    assert "a-secret-pass" not in html and "a@city.gov.vn" not in html

    make_user("admin@city.gov.vn", "admin", make_unit("CITY", kind="city"))
    signed_in = {**login, "email": "admin@city.gov.vn", "password": "a-long-password"}
    assert client.post("/login", data=signed_in).status_code == 302
    unit = {"code": "NEW1", "name_vi": "Tên riêng", "csrf_token": token}
    fresh = {**unit, "csrf_token": csrf_token(client, "/admin/units/new")}
    with outage("down", monkeypatch):
        stale = client.post("/admin/units/new", data=unit)  # the token of before
        response = client.post("/admin/units/new", data=fresh)
    # A signed-in reader's error pages need the database no more than others'.
    assert stale.status_code == 400
    html = response.get_data(as_text=True)
    assert response.status_code == 503 and "thử lại" in html
    assert SendAgainForm(html).forms == 0 and "Tên riêng" not in html
