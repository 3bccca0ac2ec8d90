"""What several commands share: a unit by its code, a file read to a limit."""

from __future__ import annotations

import click
from sqlalchemy import select

from survey.extensions import db
from survey.models import Unit


def unit_or_fail(code: str, option: str) -> Unit:
    unit = db.session.scalar(select(Unit).where(Unit.code == code))
    if unit is None:
        raise click.BadParameter(f"no unit with code {code!r}", param_hint=option)
    return unit


def read_limited(path: str, limit: int) -> bytes:
    """The file's bytes, one past ``limit`` at most, so the service sees 'too large'."""
    with open(path, "rb") as handle:
        return handle.read(limit + 1)
