"""Channels that carry the outbox's messages, behind one interface.

A channel's ``send`` either returns the provider's id for the message, or
raises ``Transient`` (certainly not sent: try again later), or ``Rejected``
(not sent and never will be to this address). Any other exception means the
outcome is unknown: the outbox then never sends that message again, so that
nobody gets it twice.

Settings come from the app's config, else from the environment (the README's
"Channels and workers" lists them).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Protocol

from flask import current_app


class Transient(Exception):  # noqa: N818 - reads as "raise Transient(...)"
    """Not sent, for now: rate limited, provider down, quota exhausted."""

    def __init__(self, reason: str, retry_after: float = 300) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


class Rejected(Exception):  # noqa: N818
    """Not sent, for good: the provider refused this address or message."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Outgoing:
    """What a channel needs to send one message."""

    message_id: int
    to: str  # a normalised phone number (0xxxxxxxxx) or an e-mail address
    text: str
    link: str
    optout_link: str
    subject: str = ""
    language: str = "vi"
    unit_name: str = ""
    template_id: str = ""
    extra: dict[str, str] = field(default_factory=dict)


class Channel(Protocol):
    name: str

    def send(self, message: Outgoing) -> str: ...


def setting(name: str, default: str = "") -> str:
    """A channel setting: the app's config first, then the environment."""
    value = current_app.config.get(name)
    if value is None:
        value = os.environ.get(name, default)
    return str(value)


def int_setting(name: str, default: int) -> int:
    try:
        return int(setting(name, str(default)))
    except ValueError:
        return default


def international(phone: str) -> str:
    """0912345678 -> 84912345678, as the gateways and Zalo want numbers."""
    return "84" + phone[1:] if phone.startswith("0") else phone


def get_channel(name: str) -> Channel:
    if name == "email":
        from survey.channels.email import SmtpChannel

        return SmtpChannel()
    if name == "sms":
        from survey.channels.sms import SmsGateway

        return SmsGateway()
    if name == "zns":
        from survey.channels.zns import ZaloZns

        return ZaloZns()
    raise ValueError(f"no channel {name!r}")


def configured(name: str) -> bool:
    """Whether the channel has what it needs to send."""
    needs = {
        "email": ("SMTP_HOST", "SMTP_FROM"),
        "sms": ("SMS_API_URL", "SMS_API_TOKEN"),
        "zns": ("ZNS_APP_ID", "ZNS_SECRET_KEY"),
    }
    return all(setting(key) for key in needs.get(name, ("-",)))


def json_or_empty(body: bytes) -> dict[str, Any]:
    import json

    try:
        data = json.loads(body.decode("utf-8") or "{}")
    except (UnicodeDecodeError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}
