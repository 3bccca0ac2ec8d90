"""The form's signed ticket expires, is bound to its session, and every
opt-in channel (kiosk included) gets the repeated-device check."""

from itsdangerous import URLSafeSerializer
from sqlalchemy import func, select

from survey.extensions import db
from survey.models import Response, ResponseFlag
from tests.public.helpers import good_answers, open_form

URL = "/s/test/W1"


def post(client, fields, url=URL):
    data = {**fields, **good_answers(), "page": "1", "action": "submit"}
    return client.post(url, data=data)


def test_a_ticket_from_another_session_is_refused(app, make_survey):
    make_survey()
    collector, other = app.test_client(), app.test_client()
    collected = open_form(collector, URL)["ticket"]
    fields = open_form(other, URL)
    assert post(other, {**fields, "ticket": collected}).status_code == 400
    assert post(other, fields).status_code == 302
    assert db.session.scalar(select(func.count(Response.id))) == 1


def test_an_old_ticket_is_refused(app, make_survey):
    make_survey()
    client = app.test_client()
    fields = open_form(client, URL)
    signer = URLSafeSerializer(app.config["SECRET_KEY"], salt="answer-ticket")
    ticket = signer.loads(fields["ticket"])
    # Seven hours before it was issued: aged from its own start, not the clock.
    aged = signer.dumps({**ticket, "s": ticket["s"] - 7 * 3600})
    assert post(client, {**fields, "ticket": aged}).status_code == 400
    assert db.session.scalar(select(func.count(Response.id))) == 0
    fresh = open_form(client, URL)
    assert post(client, fresh).status_code == 302


def test_a_kiosk_url_does_not_skip_the_repeated_device_check(app, make_survey):
    make_survey()
    client = app.test_client()
    for _ in range(6):
        assert post(client, open_form(client, URL + "?c=kiosk"), URL + "?c=kiosk")
    db.session.expire_all()
    flagged = db.session.scalar(
        select(func.count(func.distinct(ResponseFlag.response_id))).where(
            ResponseFlag.code == "repeated_device"
        )
    )
    assert db.session.scalar(select(func.count(Response.id))) == 6
    assert flagged == 3  # the first three of a day pass, as on every channel


def test_tickets_count_against_a_per_client_issue_rate(app, make_survey):
    from survey import create_app

    make_survey()
    limited = create_app(
        {**app.config, "RATELIMIT_ENABLED": True, "SURVEY_TICKET_LIMIT": "5/hour"}
    )
    limited.test_client_class = type(app.test_client())
    client = limited.test_client()
    codes = [client.get(URL).status_code for _ in range(7)]
    assert codes == [200] * 5 + [429] * 2
    other = limited.test_client()
    other.environ_base["REMOTE_ADDR"] = "198.51.100.4"
    assert other.get(URL).status_code == 200
    with limited.app_context():
        db.engine.dispose()
