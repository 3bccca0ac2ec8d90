"""The outbox in one process: sending, reminders, stops, quiet hours, caps,
the 30-day rule, claims, delivery reports, opt-outs and the funnel."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import select

from survey import jobs
from survey.extensions import db
from survey.models import Invitation, OptOut, OutboxMessage
from survey.models._time import utcnow
from survey.services.fieldwork import outbox, outbox_reports
from survey.services.fieldwork.outbox_plans import is_stop_reply, optout_token
from tests.jobs.conftest import plan_wave
from tests.jobs.fakes import Provider, SmsGatewayFake, SmtpSink


@pytest.fixture
def channels(app):
    fake = SmsGatewayFake()
    with SmtpSink() as smtp, Provider(fake) as gateway:
        app.config.update(
            SMTP_HOST="127.0.0.1",
            SMTP_PORT=smtp.port,
            SMTP_FROM="khaosat@hcmc.gov.vn",
            SMTP_SECURITY="none",
            SMS_API_URL=f"{gateway.url}/v1/sms",
            SMS_API_TOKEN="sms-token",
        )
        yield smtp, fake


def messages() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def phone_of(invitation: Invitation) -> str:
    return invitation.case.contact.phone


def test_first_messages_reminders_and_every_way_to_stop(field, channels, client):
    smtp, sms = channels
    plan_wave(field.wave)
    t0 = utcnow()
    assert outbox.start_sending(field.wave, now=t0) == 8
    db.session.commit()
    assert outbox.start_sending(field.wave, now=t0) == 0  # queued once only
    assert jobs.send_due(now=t0) == 8
    assert len(smtp.messages) == 2 and len(sms.sent) == 6
    first = smtp.messages[0]
    assert "Số điện thoại chỉ dùng cho lời mời này" in first.get_content()
    assert re.search(r"https://ks\.example\.vn/i/[\w-]{20,}", first.get_content())
    # Delivery reports: the gateway's webhook, token-protected.
    ids = [m.provider_id for m in messages() if m.channel == "sms" and m.seq == 0]
    report = [{"id": ident, "status": "delivered"} for ident in ids[:-1]]
    report.append({"id": ids[-1], "status": "undelivered", "reason": "absent"})
    assert client.post("/channels/sms/reports", json=report).status_code == 403
    done = client.post(
        "/channels/sms/reports", json=report, headers={"X-Webhook-Token": "hook-sms"}
    )
    assert done.status_code == 200 and done.json["recorded"] == 6
    email_ids = [
        m.provider_id for m in messages() if m.channel == "email" and m.seq == 0
    ]
    client.post(
        "/channels/email/reports?token=hook-email",
        json={
            "message_id": f"<{email_ids[0]}>",
            "status": "bounced",
            "reason": "5.1.1",
        },
    )
    states = outbox_reports.message_states(field.wave)
    # The reminders wait in the queue, one per invitation.
    assert states == {"delivered": 5, "failed": 1, "bounced": 1, "sent": 1, "queued": 8}
    # One answers, one opts out by the link, one replies TU CHOI.
    by_email = {m.invitation_id for m in messages() if m.channel == "email"}
    texted = [i for i in field.invitations if i.id not in by_email]
    # An e-mailed business answers; two texted people stop, by link and reply.
    answered = next(i for i in field.invitations if i.id in by_email)
    linked, replied = texted[0], texted[1]
    answered.mark_answered(utcnow())
    db.session.commit()
    token = optout_token(linked.id)
    assert client.get(f"/o/{token}").status_code == 200  # asks, writes nothing
    assert not db.session.scalar(select(OptOut.id))
    assert client.post(f"/o/{token}").status_code == 200
    assert client.post(f"/o/{token[:-2]}xx").status_code == 404
    reply = client.post(
        "/channels/sms/inbound?token=hook-sms",
        json={"from": "84" + phone_of(replied)[1:], "text": "Từ chối"},
    )
    assert reply.json == {"ok": True, "opted_out": True}
    # Three days later: reminders to the five others only.
    sms_before, mail_before = len(sms.sent), len(smtp.messages)
    assert jobs.send_due(now=t0 + timedelta(days=3, minutes=1)) == 5
    stopped = {phone_of(i) for i in (answered, linked, replied)}
    reminded = [m["to"] for m in sms.sent[sms_before:]]
    assert not {"0" + to[2:] for to in reminded} & stopped
    assert len(reminded) + len(smtp.messages) - mail_before == 5
    cancelled = {
        m.invitation_id: m.reason for m in messages() if m.state == "cancelled"
    }
    assert cancelled == {
        answered.id: "answered",
        linked.id: "opted out",
        replied.id: "opted out",
    }
    # A second reminder, then no more (max_reminders = 2).
    assert jobs.send_due(now=t0 + timedelta(days=6, minutes=2)) == 5
    assert jobs.send_due(now=t0 + timedelta(days=9, minutes=3)) == 0
    per_invitation = {}
    for m in messages():
        per_invitation.setdefault(m.invitation_id, []).append(m.seq)
    assert max(len(s) for s in per_invitation.values()) == 3
    (total,) = [r for r in outbox_reports.wave_funnel(field.wave) if r.unit is None]
    assert (total.drawn, total.sent, total.answered, total.opted_out) == (8, 8, 1, 2)
    assert total.rr1 == 1 / 8


def test_quiet_hours_and_the_daily_cap_hold_messages_back(field, channels, app):
    smtp, sms = channels
    plan_wave(field.wave, channels=("sms",))
    app.config.update(OUTBOX_QUIET_HOURS="21-8", OUTBOX_DAILY_CAP_SMS=3)
    day = datetime.combine(utcnow().date(), time())
    evening = day + timedelta(hours=15, minutes=30)  # 22:30 in Ho Chi Minh City
    outbox.start_sending(field.wave, now=evening)
    db.session.commit()
    assert jobs.send_due(now=evening) == 0 and sms.sent == []
    due = {m.due_at for m in messages()}
    assert due == {day + timedelta(days=1, hours=1)}  # 08:00 the next morning
    morning = day + timedelta(days=1, hours=1, minutes=5)
    assert jobs.send_due(now=morning) == 3  # the cap
    held = [m for m in messages() if m.state == "queued" and m.seq == 0]
    assert len(held) == 5
    local_midnight = day + timedelta(days=1, hours=17)
    assert {m.due_at for m in held} == {local_midnight}
    assert jobs.send_due(now=local_midnight + timedelta(minutes=1)) == 0  # quiet
    assert jobs.send_due(now=day + timedelta(days=2, hours=1, minutes=1)) == 3


def test_one_contact_per_phone_in_30_days_across_invitations(field, channels):
    smtp, sms = channels
    plan_wave(field.wave, channels=("sms",))
    first, other = field.invitations[0], field.invitations[1]
    now = utcnow()
    outbox.start_sending(field.wave, now=now)
    db.session.commit()
    # Another invitation (an earlier wave, say) reached this phone 10 days ago.
    mine = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.invitation_id == first.id)
    )
    db.session.add(
        OutboxMessage(
            wave_id=field.wave.id,
            invitation_id=other.id,
            seq=9,
            channel="sms",
            address_hash=mine.address_hash,
            state="sent",
            claimed_at=now - timedelta(days=10),
            sent_at=now - timedelta(days=10),
        )
    )
    db.session.commit()
    jobs.send_due(now=now)
    db.session.refresh(mine)
    assert mine.state == "cancelled" and "30 days" in mine.reason
    assert phone_of(first) not in {"0" + m["to"][2:] for m in sms.sent}


def test_a_claimed_message_is_sent_by_one_sender_only(field, channels, app):
    smtp, sms = channels
    plan_wave(field.wave, channels=("sms",))
    now = utcnow()
    outbox.start_sending(field.wave, now=now)
    db.session.commit()
    ids = [m.id for m in messages()]
    assert jobs.send_one(ids[0], now) == "sent"
    assert jobs.send_one(ids[0], now) == "taken"  # a retry, or a second worker
    # A send that died mid-way: claimed, never settled. It is not sent again.
    db.session.execute(
        OutboxMessage.__table__.update()
        .where(OutboxMessage.id == ids[1])
        .values(state="sending", claimed_at=now - timedelta(hours=1))
    )
    db.session.commit()
    assert jobs.send_due(now=now) == 6
    stale = db.session.get(OutboxMessage, ids[1])
    assert stale.state == "failed" and "never send twice" in stale.reason
    assert len(sms.sent) == 7
    assert len({m["ref"] for m in sms.sent}) == 7


def test_the_webhooks_want_their_token_and_json(field, client, app):
    assert client.post("/channels/sms/reports", json={}).status_code == 403
    bad = client.post("/channels/sms/reports?token=nope", json={})
    assert bad.status_code == 403
    app.config["ZNS_WEBHOOK_TOKEN"] = ""
    assert client.post("/channels/zns/reports?token=x", json={}).status_code == 404
    broken = client.post(
        "/channels/sms/reports?token=hook-sms",
        data="{not json",
        content_type="application/json",
    )
    assert broken.status_code == 400
    unknown = client.post(
        "/channels/sms/reports?token=hook-sms",
        json={"id": "nope", "status": "delivered"},
    )
    assert unknown.status_code == 200 and unknown.json["recorded"] == 0
    assert client.get("/channels/sms/reports").status_code == 405


def test_stop_replies_are_read_in_both_languages():
    for text in ("STOP", "stop", "TU CHOI", "Từ chối", " từ  CHỐI ", "Huỷ"):
        assert is_stop_reply(text), text
    for text in ("Tôi đã trả lời", "không", "STOPPED"):
        assert not is_stop_reply(text), text


def test_a_business_e_mail_comes_in_with_its_case(app, make_unit):
    from survey.models import CaseContact
    from survey.services.fieldwork.cases import import_cases
    from tests.trust.conftest import case_row

    make_unit("W1")
    report = import_cases(
        [
            case_row("B-1", applicant_type="business", email=" KeToan@CongTy.vn "),
            case_row("B-2", email="not an address"),
            case_row("B-3"),
        ]
    )
    assert report.added == 2 and len(report.rejected) == 1
    assert "e-mail" in str(report.rejected[0])
    db.session.commit()
    emails = sorted((c.email or "") for c in db.session.scalars(select(CaseContact)))
    assert emails == ["", "ketoan@congty.vn"]


def test_a_provider_reason_keeps_no_number_or_address():
    reason = "invalid phone +84 912 345 678 / 0912345678 for ke.toan@congty.vn"
    assert outbox.scrub(reason) == "invalid phone … / … for …"
