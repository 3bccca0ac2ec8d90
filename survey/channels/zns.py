"""Zalo Notification Service (ZNS): a pre-approved template to a phone number.

Request (Zalo's documented template message): ``POST ZNS_API_URL`` with the
header ``access_token`` and ``{"phone": "849...", "template_id": "...",
"template_data": {...}, "tracking_id": "<outbox id>"}``; the answer is
``{"error": 0, "data": {"msg_id": "..."}}`` or a negative ``error``.

The access token lives about 25 hours; it is refreshed with the refresh
token (``POST ZNS_OAUTH_URL``, header ``secret_key``, form ``app_id``,
``refresh_token``, ``grant_type=refresh_token``), which Zalo replaces at
every use: the new pair is committed at once, on a connection of its own,
so a message rolled back never loses it. ``ZNS_REFRESH_TOKEN`` seeds the
first refresh.

Error codes treated apart (Zalo's error table): -124 the access token is not
valid (refresh once, then try again), -32 rate limit and -144 the daily
quota (try later), -133 outside the hours Zalo allows (try later). Any other
negative code: the message was refused (not sent).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from survey.channels import (
    Outgoing,
    Rejected,
    Transient,
    int_setting,
    international,
    setting,
)
from survey.channels.http import post_json
from survey.extensions import db
from survey.models._time import utcnow
from survey.models.outbox import ChannelToken

API_URL = "https://business.openapi.zalo.me/message/template"
OAUTH_URL = "https://oauth.zaloapp.com/v4/oa/access_token"
TOKEN_INVALID, RATE_LIMIT, DAILY_QUOTA, OUTSIDE_HOURS = -124, -32, -144, -133


class ZaloZns:
    name = "zns"

    def _token(self, now: datetime, force: bool = False) -> str:
        row = db.session.get(ChannelToken, "zns")
        if (
            not force
            and row is not None
            and row.access_token
            and (row.expires_at is None or row.expires_at > now + timedelta(minutes=5))
        ):
            return row.access_token
        return self._refresh(row.refresh_token if row else "", now)

    def _refresh(self, refresh_token: str, now: datetime) -> str:
        status, body, _ = post_json(
            setting("ZNS_OAUTH_URL", OAUTH_URL),
            None,
            {"secret_key": setting("ZNS_SECRET_KEY")},
            timeout=int_setting("ZNS_TIMEOUT", 20),
            form={
                "app_id": setting("ZNS_APP_ID"),
                "refresh_token": refresh_token or setting("ZNS_REFRESH_TOKEN"),
                "grant_type": "refresh_token",
            },
        )
        access = str(body.get("access_token") or "")
        if status != 200 or not access:
            reason = str(body.get("error_description") or body.get("error") or status)
            raise Transient(f"Zalo token refresh failed: {reason}"[:200], 3600)
        try:
            lifetime = int(body.get("expires_in") or 90000)
        except (TypeError, ValueError):
            lifetime = 90000
        self._store(access, str(body.get("refresh_token") or ""), now, lifetime)
        return access

    def _store(self, access: str, refresh: str, now: datetime, seconds: int) -> None:
        """Commit the new pair on a connection of its own (see the module)."""
        table = ChannelToken.__table__
        values = {
            "access_token": access,
            "refresh_token": refresh,
            "expires_at": now + timedelta(seconds=seconds),
        }
        with db.engine.begin() as connection:
            done = connection.execute(
                table.update().where(table.c.channel == "zns").values(**values)
            ).rowcount
            if not done:
                connection.execute(table.insert().values(channel="zns", **values))
        db.session.expire_all()

    def send(self, message: Outgoing) -> str:
        now = utcnow()
        token = self._token(now)
        payload = {
            "phone": international(message.to),
            "template_id": message.template_id or setting("ZNS_TEMPLATE_ID"),
            "template_data": {
                "unit_name": message.unit_name,
                "survey_link": message.link,
                "optout_link": message.optout_link,
                **message.extra,
            },
            "tracking_id": str(message.message_id),
        }
        for attempt in range(2):
            status, body, _ = post_json(
                setting("ZNS_API_URL", API_URL),
                payload,
                {"access_token": token},
                timeout=int_setting("ZNS_TIMEOUT", 20),
            )
            code = body.get("error")
            if status == 200 and code == 0:
                return str((body.get("data") or {}).get("msg_id") or "")
            reason = f"Zalo {code}: {body.get('message', '')}"[:200]
            if code == TOKEN_INVALID and attempt == 0:
                token = self._token(now, force=True)
                continue
            if code in (RATE_LIMIT, OUTSIDE_HOURS) or status == 429:
                raise Transient(reason, 600)
            if code == DAILY_QUOTA:
                raise Transient(reason, 6 * 3600)
            if status >= 500 or code is None:
                raise Transient(f"Zalo HTTP {status}", 300)
            raise Rejected(reason)
        raise Transient("Zalo refused a fresh access token", 3600)

    def current_token(self) -> str:
        return str(
            db.session.scalar(
                select(ChannelToken.access_token).where(ChannelToken.channel == "zns")
            )
            or ""
        )
