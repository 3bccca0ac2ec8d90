"""Reading one service case from the one-stop system's export, without a database.

The CSV import and the JSON endpoint both hand each row to ``parse_case``: it
returns a clean ``CaseRecord`` or the reason the row is refused, in words an
administrator can act on.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

REQUIRED_COLUMNS = (
    "reference",
    "unit_code",
    "procedure_group",
    "applicant_type",
    "submission_channel",
    "outcome",
    "received_on",
    "returned_on",
)
OPTIONAL_COLUMNS = ("due_on", "phone", "supplement_requests", "email")
APPLICANT_TYPES = ("citizen", "business")
SUBMISSION_CHANNELS = ("counter", "online", "postal", "other")
OUTCOMES = ("approved", "rejected", "returned", "withdrawn")
MAX_REFERENCE = 100
MAX_PROCEDURE_GROUP = 60
_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")


@dataclass(frozen=True)
class CaseRecord:
    reference: str
    unit_code: str
    procedure_group: str
    applicant_type: str
    submission_channel: str
    outcome: str
    received_on: date
    due_on: date | None
    returned_on: date
    phone: str | None
    supplement_requests: int | None
    email: str | None = None  # a business's address, for the e-mail channel


class CaseRowError(ValueError):
    """A row that cannot be imported; the message says why."""


def missing_columns(columns: Iterable[str]) -> list[str]:
    """The required columns a file's header lacks (names compared trimmed, lower)."""
    present = {c.strip().lower() for c in columns}
    return [c for c in REQUIRED_COLUMNS if c not in present]


def normalise_phone(value: str) -> str:
    """A Vietnamese number as ten digits starting with 0 (``+84`` folded in).

    Raises CaseRowError for anything else.
    """
    digits = re.sub(r"[\s.\-()]", "", value)
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) == 11:
        digits = "0" + digits[2:]
    if not re.fullmatch(r"0\d{9}", digits):
        raise CaseRowError(f"phone {value!r} is not a 10-digit Vietnamese number")
    return digits


def _date(name: str, value: str) -> date:
    for pattern in _DATE_FORMATS:
        try:
            return datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    raise CaseRowError(f"{name} {value!r} is not a date (YYYY-MM-DD or DD/MM/YYYY)")


def _choice(name: str, value: str, allowed: tuple[str, ...]) -> str:
    lowered = value.lower()
    if lowered not in allowed:
        raise CaseRowError(f"{name} {value!r} is not one of {', '.join(allowed)}")
    return lowered


def _text(row: Mapping[str, object], name: str) -> str:
    value = row.get(name)
    if value is None:
        return ""
    if not isinstance(value, str | int):
        raise CaseRowError(f"{name} must be text")
    return str(value).strip()


def parse_case(row: Mapping[str, object], today: date) -> CaseRecord:
    """A clean case from one row (keys are column names), or CaseRowError."""
    for name in REQUIRED_COLUMNS:
        if not _text(row, name):
            raise CaseRowError(f"{name} is missing")
    reference = _text(row, "reference")
    if len(reference) > MAX_REFERENCE:
        raise CaseRowError(f"reference is longer than {MAX_REFERENCE} characters")
    procedure_group = _text(row, "procedure_group")
    if len(procedure_group) > MAX_PROCEDURE_GROUP:
        raise CaseRowError(
            f"procedure_group is longer than {MAX_PROCEDURE_GROUP} characters"
        )
    received = _date("received_on", _text(row, "received_on"))
    returned = _date("returned_on", _text(row, "returned_on"))
    due_text = _text(row, "due_on")
    due = _date("due_on", due_text) if due_text else None
    if returned < received:
        raise CaseRowError("returned_on is before received_on")
    if due is not None and due < received:
        raise CaseRowError("due_on is before received_on")
    if returned > today:
        raise CaseRowError("returned_on is in the future")
    phone_text = _text(row, "phone")
    supplements_text = _text(row, "supplement_requests")
    supplements = None
    if supplements_text:
        if not supplements_text.isdigit() or int(supplements_text) > 100:
            raise CaseRowError(
                f"supplement_requests {supplements_text!r} is not a count (0-100)"
            )
        supplements = int(supplements_text)
    return CaseRecord(
        reference=reference,
        unit_code=_text(row, "unit_code"),
        procedure_group=procedure_group,
        applicant_type=_choice(
            "applicant_type", _text(row, "applicant_type"), APPLICANT_TYPES
        ),
        submission_channel=_choice(
            "submission_channel",
            _text(row, "submission_channel"),
            SUBMISSION_CHANNELS,
        ),
        outcome=_choice("outcome", _text(row, "outcome"), OUTCOMES),
        received_on=received,
        due_on=due,
        returned_on=returned,
        phone=normalise_phone(phone_text) if phone_text else None,
        supplement_requests=supplements,
        email=normalise_email(_text(row, "email")),
    )


def normalise_email(value: str) -> str | None:
    """An e-mail address, trimmed and lower-cased; None when empty.

    Raises CaseRowError for something that is not one address.
    """
    address = value.strip().lower()
    if not address:
        return None
    if len(address) > 254 or not re.fullmatch(
        r"[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[a-z]{2,}", address
    ):
        raise CaseRowError("email is not a single e-mail address")
    return address
