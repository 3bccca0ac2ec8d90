"""Masking personal data in free text before anyone reads it (METHODOLOGY.md 4)."""

from __future__ import annotations

import re

MASK = "•••"

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Vietnamese phone numbers: 0 or +84 then 9-10 digits, with spaces, dots or dashes.
_PHONE = re.compile(r"(?<!\w)(?:\+?84|0)(?:[\s.\-]?\d){8,10}(?!\w)")
# Identity card, citizen ID and passport-like numbers: 9 to 12 digits.
_ID_NUMBER = re.compile(r"(?<!\d)\d{9,12}(?!\d)")


def mask_personal_data(text: str) -> str:
    """Replace e-mail addresses, phone numbers and 9-12 digit ID numbers."""
    text = _EMAIL.sub(MASK, text)
    text = _PHONE.sub(MASK, text)
    return _ID_NUMBER.sub(MASK, text)
