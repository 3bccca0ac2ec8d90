"""The administrators' and designers' pages."""

from __future__ import annotations

from typing import cast

from flask_login import current_user

from survey.models import User


def me() -> User:
    """The signed-in account itself, not Flask-Login's proxy to it.

    The services store it (``created_by``, audit events), which a proxy cannot be.
    """
    # Flask-Login has no types: its proxy reads as Any.
    return cast(User, current_user._get_current_object())
