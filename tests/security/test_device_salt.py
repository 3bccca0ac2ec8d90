"""The device salt in the database is not enough to confirm a device."""

from sqlalchemy import select

from survey.extensions import db
from survey.models import DeviceSalt, Response
from survey.services.responses import daily_salt, device_hash
from tests.public.helpers import good_answers, open_form

URL = "/s/test/W1"
AGENT = "Mozilla/5.0 (Linux; Android 14) Chrome/131"


def test_a_copy_of_the_database_cannot_confirm_an_address_and_browser(app, make_survey):
    make_survey()
    client = app.test_client()
    client.environ_base.update(REMOTE_ADDR="203.0.113.7", HTTP_USER_AGENT=AGENT)
    fields = open_form(client, URL)
    data = {**fields, **good_answers(), "page": "1", "action": "submit"}
    assert client.post(URL, data=data).status_code == 302
    stored = db.session.scalar(select(Response.device_hash))
    salt = db.session.scalar(select(DeviceSalt.salt))
    guess = f"203.0.113.7|{AGENT}"
    assert stored and salt
    assert device_hash(salt, guess) != stored  # the salt alone does not confirm it
    day = db.session.scalar(select(DeviceSalt.day))
    assert device_hash(daily_salt(day), guess) == stored  # with SECRET_KEY it does
