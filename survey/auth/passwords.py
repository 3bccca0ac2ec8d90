"""The one password rule of every way a password is set (web forms, CLI)."""

from __future__ import annotations

PASSWORD_MIN = 12
PASSWORD_MAX = 200


def password_problem(password: str) -> str | None:
    """Why ``password`` may not be used, in English (the CLI's words), or None."""
    if not PASSWORD_MIN <= len(password) <= PASSWORD_MAX:
        return (
            f"the password must be at least {PASSWORD_MIN} characters long "
            f"(at most {PASSWORD_MAX})"
        )
    if "\x00" in password:
        return "the password may not hold a NUL character"
    return None
