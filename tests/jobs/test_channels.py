"""Each channel against a real server on loopback that answers as its
provider documents: SMTP (aiosmtpd), an SMS gateway and Zalo ZNS over HTTP."""

from __future__ import annotations

from datetime import timedelta

import pytest

from survey.channels import Outgoing, Rejected, Transient
from survey.channels.email import SmtpChannel
from survey.channels.sms import SmsGateway
from survey.channels.zns import ZaloZns
from survey.extensions import db
from survey.models import ChannelToken
from survey.models._time import utcnow
from tests.jobs.fakes import Provider, SmsGatewayFake, SmtpSink, free_port


def outgoing(to: str, **changes) -> Outgoing:
    data = dict(
        message_id=41,
        to=to,
        text="Phường Bến Thành mời bạn đánh giá: https://ks.example.vn/i/abc "
        "Không nhận tin nữa: https://ks.example.vn/o/1.xyz",
        link="https://ks.example.vn/i/abc",
        optout_link="https://ks.example.vn/o/1.xyz",
        subject="Mời đánh giá / How satisfied were you?",
        unit_name="Phường Bến Thành",
        template_id="tpl-1",
    )
    data.update(changes)
    return Outgoing(**data)


@pytest.fixture
def smtp(app):
    with SmtpSink(refuse={"gone@biz.vn": "550 5.1.1 no such user"}) as sink:
        app.config.update(
            SMTP_HOST="127.0.0.1",
            SMTP_PORT=sink.port,
            SMTP_FROM="khaosat@hcmc.gov.vn",
            SMTP_SECURITY="none",
        )
        yield sink


def test_an_email_reaches_a_real_smtp_server_with_its_headers(smtp):
    ident = SmtpChannel().send(outgoing("ketoan@congty.vn"))
    assert ident == "outbox-41@hcmc.gov.vn"
    (mail,) = smtp.to("ketoan@congty.vn")
    assert mail["From"] == "khaosat@hcmc.gov.vn"
    assert mail["Subject"] == "Mời đánh giá / How satisfied were you?"
    assert mail["Message-ID"] == "<outbox-41@hcmc.gov.vn>"
    assert mail["List-Unsubscribe"] == "<https://ks.example.vn/o/1.xyz>"
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    body = mail.get_content()
    assert "https://ks.example.vn/i/abc" in body and "Phường Bến Thành" in body
    assert "https://ks.example.vn/o/1.xyz" in body


def test_smtp_refusals_and_outages_say_whether_to_try_again(smtp, app):
    with pytest.raises(Rejected) as refused:
        SmtpChannel().send(outgoing("gone@biz.vn"))
    assert "550" in refused.value.reason and "gone@" not in refused.value.reason
    smtp.refuse["busy@biz.vn"] = "451 4.7.1 try later"
    with pytest.raises(Transient):
        SmtpChannel().send(outgoing("busy@biz.vn"))
    app.config["SMTP_PORT"] = free_port()  # nothing listens there
    with pytest.raises(Transient):
        SmtpChannel().send(outgoing("ketoan@congty.vn"))
    assert smtp.messages == []


@pytest.fixture
def sms_gateway(app):
    fake = SmsGatewayFake()
    with Provider(fake) as server:
        app.config.update(
            SMS_API_URL=f"{server.url}/v1/sms",
            SMS_API_TOKEN="sms-token",
            SMS_BRANDNAME="UBND-TPHCM",
        )
        yield fake, server


def test_the_sms_gateway_gets_the_documented_request(sms_gateway):
    fake, server = sms_gateway
    assert SmsGateway().send(outgoing("0912345678")) == "sms-1"
    path, headers, body = server.requests[0]
    assert path == "/v1/sms" and headers["authorization"] == "Bearer sms-token"
    assert body == {
        "to": "84912345678",
        "text": outgoing("x").text,
        "brandname": "UBND-TPHCM",
        "ref": "41",
    }


def test_the_sms_gateway_errors_and_rate_limits(sms_gateway, app):
    fake, server = sms_gateway
    with pytest.raises(Rejected) as bad:
        SmsGateway().send(outgoing("12345"))
    assert "invalid phone number" in bad.value.reason
    fake.limit_every = 1
    with pytest.raises(Transient) as limited:
        SmsGateway().send(outgoing("0912345678"))
    assert limited.value.retry_after == 1 and "rate limited" in limited.value.reason
    fake.limit_every = 0
    app.config["SMS_API_TOKEN"] = "wrong"
    with pytest.raises(Transient) as token:
        SmsGateway().send(outgoing("0912345678"))
    assert "token" in token.value.reason
    app.config["SMS_API_URL"] = f"http://127.0.0.1:{free_port()}/v1/sms"
    with pytest.raises(Transient):
        SmsGateway().send(outgoing("0912345678"))
    assert fake.sent == []


class ZaloFake:
    """Zalo's OAuth (refresh tokens used once) and ZNS template endpoints."""

    def __init__(self):
        self.access, self.refresh = "expired-token", "refresh-1"
        self.refreshes = 0
        self.next_error: int | None = None

    def __call__(self, path, headers, body):
        if path == "/v4/oa/access_token":
            if headers.get("secret_key") != "app-secret" or body.get("app_id") != "42":
                return 200, {"error": -14014, "error_name": "Invalid app"}, {}
            if body.get("refresh_token") != self.refresh:
                return 200, {"error": -118, "error_name": "Invalid refresh token"}, {}
            self.refreshes += 1
            self.access = f"access-{self.refreshes}"
            self.refresh = f"refresh-{self.refreshes + 1}"
            return (
                200,
                {
                    "access_token": self.access,
                    "refresh_token": self.refresh,
                    "expires_in": "90000",
                },
                {},
            )
        if headers.get("access_token") != self.access:
            return 200, {"error": -124, "message": "Access token is invalid"}, {}
        if self.next_error is not None:
            code, self.next_error = self.next_error, None
            return 200, {"error": code, "message": "refused"}, {}
        return 200, {"error": 0, "message": "Success", "data": {"msg_id": "zmsg-1"}}, {}


@pytest.fixture
def zalo(app):
    fake = ZaloFake()
    with Provider(fake) as server:
        app.config.update(
            ZNS_API_URL=f"{server.url}/message/template",
            ZNS_OAUTH_URL=f"{server.url}/v4/oa/access_token",
            ZNS_APP_ID="42",
            ZNS_SECRET_KEY="app-secret",
            ZNS_REFRESH_TOKEN="refresh-1",
        )
        yield fake, server


@pytest.mark.commits  # the refresh token is committed on a connection of its own
def test_zns_refreshes_its_token_once_and_sends_the_template(zalo):
    fake, server = zalo
    db.session.add(
        ChannelToken(
            channel="zns",
            access_token="expired-token-old",
            refresh_token="refresh-1",
            expires_at=utcnow() + timedelta(hours=5),
        )
    )
    db.session.commit()
    assert ZaloZns().send(outgoing("0912345678")) == "zmsg-1"
    paths = [p for p, _, _ in server.requests]
    assert paths == ["/message/template", "/v4/oa/access_token", "/message/template"]
    _, headers, body = server.requests[-1]
    assert headers["access_token"] == "access-1"
    assert body["phone"] == "84912345678" and body["template_id"] == "tpl-1"
    assert body["template_data"]["survey_link"] == "https://ks.example.vn/i/abc"
    assert body["tracking_id"] == "41"
    db.session.expire_all()
    stored = db.session.get(ChannelToken, "zns")
    # Zalo's refresh token is good once: the new one was kept at once.
    assert (stored.access_token, stored.refresh_token) == ("access-1", "refresh-2")
    assert ZaloZns().send(outgoing("0912345678")) == "zmsg-1"
    assert fake.refreshes == 1  # the kept token serves


@pytest.mark.commits  # the refresh token is committed on a connection of its own
def test_zns_quota_rate_limit_and_refusals(zalo):
    fake, server = zalo
    fake.next_error = -144
    with pytest.raises(Transient) as quota:
        ZaloZns().send(outgoing("0912345678"))
    assert quota.value.retry_after >= 3600
    fake.next_error = -32
    with pytest.raises(Transient):
        ZaloZns().send(outgoing("0912345678"))
    fake.next_error = -108
    with pytest.raises(Rejected) as refused:
        ZaloZns().send(outgoing("0912345678"))
    assert "-108" in refused.value.reason
    fake.refresh = "somebody-else-used-it"
    db.session.execute(ChannelToken.__table__.delete())
    db.session.commit()
    with pytest.raises(Transient) as no_token:
        ZaloZns().send(outgoing("0912345678"))
    assert "refresh failed" in no_token.value.reason
