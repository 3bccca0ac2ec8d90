"""The invited channel: /i/<token> opens the wave's form once, then refuses."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from survey.extensions import db
from survey.models import Invitation, Response
from survey.models._time import utcnow
from survey.services.fieldwork.waves import (
    close_wave,
    create_wave,
    draw_wave,
    invitation_token,
)
from tests.public.helpers import (
    SendAgainForm,
    flat,
    form_fields,
    good_answers,
    outage,
)
from tests.trust.conftest import case_row


def one_invitation(survey, add_cases) -> tuple[Invitation, str]:
    add_cases([case_row("INV-1")])
    today = date.today()
    wave = create_wave(
        survey, survey.units, today - timedelta(days=30), today, 5, seed=1
    )
    draw_wave(wave)
    db.session.commit()
    invitation = db.session.scalar(select(Invitation))
    return invitation, invitation_token(invitation.id)


def answer(client, url: str):
    page = client.get(url)
    assert page.status_code == 200, page.get_data(as_text=True)
    data = {**form_fields(page.get_data(as_text=True)), **good_answers()}
    return client.post(url, data={**data, "page": "1", "action": "submit"})


def responses() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(Response.id)))


def test_an_invitation_is_answered_once_on_the_invited_channel(
    client, make_survey, add_cases
):
    survey = make_survey()
    invitation, token = one_invitation(survey, add_cases)
    url = f"/i/{token}"
    done = answer(client, url)
    assert done.status_code == 302
    assert done.headers["Location"].endswith(f"/i/{token}/thanks")
    thanks = client.get(done.headers["Location"])
    assert thanks.status_code == 200
    assert "Câu trả lời của Ông/Bà đã được lưu" in thanks.get_data(as_text=True)

    stored = db.session.scalar(select(Response))
    assert stored.channel == "invited"
    assert stored.invitation_id == invitation.id
    assert stored.unit_id == invitation.unit_id
    db.session.refresh(invitation)
    assert invitation.status == "answered" and invitation.response.id == stored.id

    again = client.get(url + "?lang=en")
    assert again.status_code == 410
    assert "can be used only once" in again.get_data(as_text=True)
    assert responses() == 1


def test_opening_is_counted_and_a_ticket_cannot_move_to_the_public_form(
    client, make_survey, add_cases
):
    survey = make_survey()
    invitation, token = one_invitation(survey, add_cases)
    page = client.get(f"/i/{token}")
    db.session.refresh(invitation)
    assert invitation.status == "opened" and invitation.opened_at is not None
    # An invited ticket replayed on the open QR form is refused, so nobody
    # can mint "invited" responses without an invitation.
    fields = form_fields(page.get_data(as_text=True))
    data = {**fields, **good_answers(), "page": "1", "action": "submit"}
    assert client.post("/s/test/W1", data=data).status_code == 400
    assert responses() == 0


def test_an_expired_unknown_or_closed_invitation_gets_a_friendly_page(
    client, make_survey, add_cases
):
    survey = make_survey()
    invitation, token = one_invitation(survey, add_cases)
    assert client.get("/i/not-a-real-token").status_code == 404
    invitation.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    expired = client.get(f"/i/{token}?lang=en")
    assert expired.status_code == 410
    assert "expired" in expired.get_data(as_text=True)
    invitation.expires_at = utcnow() + timedelta(days=1)
    close_wave(invitation.wave)
    db.session.commit()
    assert client.get(f"/i/{token}").status_code == 410
    assert responses() == 0


def test_a_double_tap_stores_one_response(client, make_survey, add_cases):
    survey = make_survey()
    _invitation, token = one_invitation(survey, add_cases)
    url = f"/i/{token}"
    page = client.get(url)
    data = {**form_fields(page.get_data(as_text=True)), **good_answers()}
    submit = {**data, "page": "1", "action": "submit"}
    assert client.post(url, data=submit).status_code == 302
    assert client.post(url, data=submit).status_code == 410
    assert responses() == 1


def test_an_outage_keeps_the_invited_answers_to_send_again(
    client, make_survey, add_cases, monkeypatch
):
    survey = make_survey()
    invitation, token = one_invitation(survey, add_cases)
    url = f"/i/{token}?lang=en"
    page = client.get(url)
    data = {
        **form_fields(page.get_data(as_text=True)),
        **good_answers(),
        "page": "1",
        "action": "submit",
    }
    with outage("insert", monkeypatch):
        refused = client.post(url, data=data)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 503
    assert "Your answers are kept on this page" in html
    form = SendAgainForm(html)
    assert form.action == url and sorted(form.fields) == flat(data)
    assert responses() == 0
    again = client.post(form.action, data=MultiDict(form.fields))
    assert again.status_code == 302
    assert again.headers["Location"].endswith(f"/i/{token}/thanks")
    assert responses() == 1
    db.session.refresh(invitation)
    assert invitation.status == "answered"
