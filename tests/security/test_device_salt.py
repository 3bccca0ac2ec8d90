"""The device key: no salt in the database, and the User-Agent left out."""

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, inspect, select

from survey.extensions import db
from survey.models import Response, ResponseFlag
from survey.public.devices import device_key
from tests.public.helpers import good_answers, open_form

URL = "/s/test/W1"
AGENT = "Mozilla/5.0 (Linux; Android 14) Chrome/131"


def post(client, url=URL):
    fields = open_form(client, url)
    data = {**fields, **good_answers(), "page": "1", "action": "submit"}
    return client.post(url, data=data).status_code


def repeated() -> int:
    return db.session.scalar(
        select(func.count(func.distinct(ResponseFlag.response_id))).where(
            ResponseFlag.code == "repeated_device"
        )
    )


def test_a_copy_of_the_database_cannot_confirm_an_address_and_browser(app, make_survey):
    make_survey()
    client = app.test_client()
    client.environ_base.update(
        REMOTE_ADDR="203.0.113.7", HTTP_USER_AGENT=AGENT, HTTP_ACCEPT_LANGUAGE="vi-VN"
    )
    assert post(client) == 302
    stored = db.session.scalar(select(Response.device_hash))
    assert "device_salts" not in inspect(db.engine).get_table_names()
    today = datetime.now(UTC).date()
    secret = app.config["SECRET_KEY"]
    assert device_key("a-guessed-secret-key", today, "203.0.113.7", "vi-VN") != stored
    assert device_key(secret, today, "203.0.113.7", "vi-VN") == stored
    assert "203.0.113.7" not in stored


def test_the_key_changes_with_the_day_and_ignores_the_user_agent():
    day = date(2026, 11, 28)
    first = device_key("k" * 32, day, "203.0.113.9", "vi-VN,vi;q=0.9,en;q=0.8")
    assert first == device_key("k" * 32, day, "203.0.113.9", "vi-vn;q=1, en")
    assert first != device_key("k" * 32, day + timedelta(days=1), "203.0.113.9", "vi")
    assert first != device_key("k" * 32, day, "203.0.113.10", "vi-VN")


def test_rotating_the_user_agent_is_still_one_device(app, make_survey):
    make_survey()
    client = app.test_client()
    client.environ_base.update(REMOTE_ADDR="203.0.113.8")
    for number in range(6):
        client.environ_base["HTTP_USER_AGENT"] = f"Mozilla/5.0 Phone/{number}"
        assert post(client) == 302
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Response.id))) == 6
    assert repeated() == 3  # the first three of a day pass
    other = app.test_client()
    other.environ_base.update(REMOTE_ADDR="198.51.100.20")
    assert post(other) == 302
    db.session.expire_all()
    assert repeated() == 3  # another address is another device


def test_a_kiosk_link_makes_no_kiosk_unless_an_administrator_set_one_up(
    app, make_survey, monkeypatch
):
    make_survey()
    client = app.test_client()
    assert post(client, URL + "?c=kiosk") == 302
    assert db.session.scalar(select(Response.channel)) == "qr"
    monkeypatch.setitem(app.config, "SURVEY_KIOSK_UNITS", ("W2",))
    assert post(client, "/s/test/W2?c=kiosk") == 302
    assert post(client, URL + "?c=kiosk") == 302
    channels = db.session.execute(
        select(Response.channel).order_by(Response.id)
    ).scalars()
    assert list(channels) == ["qr", "kiosk", "qr"]
