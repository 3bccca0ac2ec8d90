"""One home for the public form's device: its daily key and the kiosk setting.

The repeated-device check (services/answering/responses.py) counts a day's forms by a
keyed hash of the client. What goes in is what a client cannot change at
will from one post to the next: its address and the first language its
browser asks for. The User-Agent stays out: rotating it once made every post
a new "device", so 200 stuffed forms carried no flag.

The hash is keyed with a key derived from ``SECRET_KEY`` and the day, held
nowhere: a copy of the database alone cannot confirm a guessed address, and
once the day is over nobody keeps the key that made its hashes (it can be
derived again only with the secret key).

A kiosk is a device too, and no URL makes one: ``?c=kiosk`` only counts as
the kiosk channel at a unit an administrator listed in
``SURVEY_KIOSK_UNITS`` (unit codes, comma-separated in the environment).
Elsewhere the form is an ordinary QR form with every check.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, date, datetime

from flask import current_app, request

from survey.models import Unit

OPT_IN_CHANNELS = ("qr", "link", "kiosk")


def day_key(secret: str, day: date) -> bytes:
    """The day's hashing key: derived from the secret key, never stored."""
    return hmac.new(
        secret.encode(), b"device-day:" + day.isoformat().encode(), hashlib.sha256
    ).digest()


def device_key(secret: str, day: date, address: str, languages: str) -> str:
    """Keyed hash of the client's address and first Accept-Language."""
    first = languages.split(",", 1)[0].split(";", 1)[0].strip().lower()[:35]
    client = f"{address}|{first}".encode()
    return hmac.new(day_key(secret, day), client, hashlib.sha256).hexdigest()[:32]


def request_device_key() -> str:
    """The device key of the request being served (today, UTC)."""
    return device_key(
        str(current_app.config["SECRET_KEY"]),
        datetime.now(UTC).date(),
        request.remote_addr or "",
        request.headers.get("Accept-Language", ""),
    )


def kiosk_unit(unit: Unit) -> bool:
    """An administrator set this unit's public form up as a kiosk."""
    return unit.code in current_app.config.get("SURVEY_KIOSK_UNITS", ())


def opt_in_channel(asked: str, unit: Unit) -> str:
    """The channel a public form counts in: what the link asks, within reason.

    ``kiosk`` only where it is configured; anything unknown is ``qr``.
    """
    if asked == "kiosk":
        return "kiosk" if kiosk_unit(unit) else "qr"
    return asked if asked in OPT_IN_CHANNELS else "qr"
