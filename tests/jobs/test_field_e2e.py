"""A wave end to end with a real worker process: draw, e-mail to a real SMTP
server and SMS to a gateway on loopback, delivery reports, reminders only to
non-respondents, stops on an answer, an opt-out link and a STOP reply, the
wave closed; and a worker killed mid-send that sends nothing twice."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from sqlalchemy import func, select, update

from survey import jobs
from survey.extensions import db
from survey.models import CaseContact, Invitation, OutboxMessage
from survey.models._time import utcnow
from tests.admin.helpers import post
from tests.jobs.conftest import plan_wave, wait_for
from tests.jobs.fakes import Provider, SmsGatewayFake, SmtpSink
from tests.public.helpers import form_fields, good_answers

LINK = re.compile(r"https?://localhost(/i/[\w-]+)")
OPTOUT = re.compile(r"https?://localhost(/o/[\w.-]+)")


def states() -> Counter:
    db.session.rollback()
    return Counter(db.session.scalars(select(OutboxMessage.state)))


def settled() -> bool:
    db.session.rollback()
    return not db.session.scalar(
        select(func.count(OutboxMessage.id)).where(
            OutboxMessage.state.in_(("sending",)),
        )
    ) and not db.session.scalar(
        select(func.count(OutboxMessage.id)).where(
            OutboxMessage.state == "queued", OutboxMessage.due_at <= utcnow()
        )
    )


def time_passes() -> None:
    """The reminders' days go by: what is queued is due now."""
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.state == "queued")
        .values(due_at=utcnow())
    )
    db.session.commit()


def channel_env(smtp, gateway) -> dict[str, str]:
    return {
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(smtp.port),
        "SMTP_FROM": "khaosat@hcmc.gov.vn",
        "SMTP_SECURITY": "none",
        "SMS_API_URL": f"{gateway.url}/v1/sms",
        "SMS_API_TOKEN": "sms-token",
        "OUTBOX_QUIET_HOURS": "0-0",
        "OUTBOX_STALE_SECONDS": "1",
    }


def answer(client, path: str) -> None:
    page = client.get(path)
    assert page.status_code == 200
    data = {**form_fields(page.get_data(as_text=True)), **good_answers()}
    done = client.post(path, data={**data, "page": "1", "action": "submit"})
    assert done.status_code == 302, done.get_data(as_text=True)


@pytest.mark.commits  # a worker process reads and writes the database
def test_a_wave_end_to_end_with_the_worker(field, client, login, consumer):
    sms = SmsGatewayFake()
    with SmtpSink() as smtp, Provider(sms) as gateway:
        worker = consumer(**channel_env(smtp, gateway))
        worker.start()
        login("admin@city.gov.vn")
        url = f"/admin/waves/{field.wave.id}"
        saved = post(
            client,
            f"{url}/outreach",
            {
                "channels": ["email", "sms"],
                "max_reminders": "1",
                "reminder_days": "3",
                "base_url": "http://localhost",
                **{k: v for k, v in _texts().items()},
            },
        )
        assert saved.status_code == 302
        assert post(client, f"{url}/send").status_code == 302
        assert wait_for(lambda: len(smtp.messages) + len(sms.sent) == 8), (
            worker.output()
        )
        assert len(smtp.messages) == 2 and len(sms.sent) == 6
        mail = smtp.messages[0]
        assert mail["List-Unsubscribe"].startswith("<http://localhost/o/")
        assert wait_for(settled)
        # The gateway reports its deliveries.
        db.session.rollback()
        ids = db.session.scalars(
            select(OutboxMessage.provider_id).where(
                OutboxMessage.channel == "sms", OutboxMessage.seq == 0
            )
        ).all()
        reported = client.post(
            "/channels/sms/reports?token=hook-sms",
            json=[{"id": i, "status": "delivered"} for i in ids],
        )
        assert reported.json["recorded"] == 6
        # One answers through the link in the text, one opts out through
        # the link, one replies TU CHOI.
        texts = {"0" + m["to"][2:]: m["text"] for m in sms.sent}
        phones = sorted(texts)
        answer(client, LINK.search(texts[phones[0]]).group(1))
        stop_link = OPTOUT.search(texts[phones[1]]).group(1)
        assert client.post(stop_link).status_code == 200
        client.post(
            "/channels/sms/inbound?token=hook-sms",
            json={"from": phones[2], "text": "TU CHOI"},
        )
        answer(client, LINK.search(mail.get_content()).group(1))  # a business
        time_passes()
        jobs.send_outbox()  # the minute's tick would queue the same job
        assert wait_for(lambda: len(smtp.messages) + len(sms.sent) == 8 + 4), (
            worker.output()
        )
        assert wait_for(settled)
        per_phone = Counter("0" + m["to"][2:] for m in sms.sent)
        assert [per_phone[p] for p in phones[:3]] == [1, 1, 1]
        assert sorted(per_phone[p] for p in phones[3:]) == [2, 2, 2]
        per_mail = Counter(m["To"] for m in smtp.messages)
        assert sorted(per_mail.values()) == [1, 2]
        assert states()["cancelled"] == 4
        # The funnel and the rate on the wave's page (Vietnamese by default).
        page = client.get(url).get_data(as_text=True)
        assert "RR1" in page and "25,0 %" in page  # 2 answered of 8 drawn
        # Closing erases the numbers; nothing more is sent.
        assert post(client, f"{url}/close").status_code == 302
        db.session.rollback()
        kept = db.session.scalar(
            select(func.count(CaseContact.id)).where(
                CaseContact.phone.is_not(None) | CaseContact.email.is_not(None)
            )
        )
        assert kept == 0
        worker.stop()


def _texts() -> dict[str, str]:
    from survey.services.fieldwork.outbox_plans import DEFAULT_TEXTS

    return dict(DEFAULT_TEXTS)


@pytest.mark.commits  # a worker process reads and writes the database
def test_a_worker_killed_mid_send_never_sends_a_message_twice(field, consumer):
    contacts = db.session.scalars(select(CaseContact).order_by(CaseContact.id)).all()
    for i, contact in enumerate(contacts):
        contact.email = f"hoso{i}@congty.vn"
    db.session.commit()
    plan_wave(field.wave, channels=("email",), max_reminders=0)
    from survey.services.fieldwork import outbox

    outbox.start_sending(field.wave)
    db.session.commit()
    sms = SmsGatewayFake()
    with SmtpSink(stall=3) as smtp, Provider(sms) as gateway:
        worker = consumer(**channel_env(smtp, gateway))
        worker.start()
        jobs.send_outbox()
        assert smtp.data_started.wait(30), worker.output()
        worker.kill()  # SIGKILL while the server holds the first message
        assert states()["sending"] == 1
        smtp.stall = 0
        restarted = consumer(**channel_env(smtp, gateway))
        restarted.start()
        jobs.send_outbox()  # the job again, as the minute's tick would queue it
        assert wait_for(lambda: states().get("sent") == 7), restarted.output()
    # The interrupted one may or may not have reached the server (this one
    # drops a message whose client died mid-DATA); it is never sent again.
    received = Counter(m["To"] for m in smtp.messages)
    assert set(received.values()) == {1} and len(received) in (7, 8)
    assert states() == {"sent": 7, "failed": 1}
    interrupted = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.state == "failed")
    )
    assert "never send twice" in interrupted.reason
    sent_to = {
        c.email
        for c in db.session.scalars(
            select(CaseContact)
            .join(Invitation, Invitation.case_id == CaseContact.case_id)
            .join(OutboxMessage, OutboxMessage.invitation_id == Invitation.id)
            .where(OutboxMessage.state == "sent")
        )
    }
    assert sent_to <= set(received)
    assert db.session.scalar(select(func.count(Invitation.id))) == 8
