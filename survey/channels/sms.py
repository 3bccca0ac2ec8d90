"""An SMS gateway with an HTTP JSON API and a token: the shape of most
Vietnamese brand-name gateways (the brand name registered under Decree
91/2020; messages only between 7:00 and 22:00, held by the outbox's quiet
hours).

Request: ``POST SMS_API_URL`` with ``Authorization: Bearer SMS_API_TOKEN`` and
``{"to": "849...", "text": "...", "brandname": SMS_BRANDNAME, "ref": "<id>"}``.
Answers: 2xx ``{"id": "..."}``; 429 with ``Retry-After``: rate limited; 400
or 422 ``{"error": "..."}``: the number or text refused; 401/403: a wrong
token (kept queued until it is fixed); 5xx: try again.
Delivery reports: ``POST /channels/sms/reports`` (see survey/channels/views.py).
"""

from __future__ import annotations

from survey.channels import (
    Outgoing,
    Rejected,
    Transient,
    int_setting,
    international,
    setting,
)
from survey.channels.http import post_json, retry_after


class SmsGateway:
    name = "sms"

    def send(self, message: Outgoing) -> str:
        status, body, headers = post_json(
            setting("SMS_API_URL"),
            {
                "to": international(message.to),
                "text": message.text,
                "brandname": setting("SMS_BRANDNAME"),
                "ref": str(message.message_id),
            },
            {"Authorization": f"Bearer {setting('SMS_API_TOKEN')}"},
            timeout=int_setting("SMS_TIMEOUT", 20),
        )
        reason = str(body.get("error") or body.get("message") or "")[:150]
        if 200 <= status < 300:  # accepted: sent, whatever else it says
            return str(body.get("id") or "")
        if status == 429:
            raise Transient(f"rate limited: {reason}", retry_after(headers))
        if status in (401, 403):
            raise Transient(f"gateway refused the token ({status})", 3600)
        if status in (400, 404, 422):
            raise Rejected(f"gateway {status}: {reason}")
        if status >= 500:
            raise Transient(f"gateway {status}: {reason}", retry_after(headers, 120))
        raise Transient(f"unexpected gateway answer {status}", 600)
