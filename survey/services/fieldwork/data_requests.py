"""The request desk: a person's export or erasure request, due in two working
days. Its contact is a keyed hash when it is a phone number, else a short
text; it is never written to the audit trail."""

from __future__ import annotations

from datetime import date

from sqlalchemy import case, select

from survey.domain.cases import CaseRowError, normalise_phone
from survey.domain.working_days import REQUEST_WORKING_DAYS, add_working_days
from survey.extensions import db
from survey.models import User
from survey.models._time import utcnow
from survey.models.fieldwork import REQUEST_KINDS, REQUEST_STATES, DataRequest
from survey.services.fieldwork.cases import phone_hash


def kept_contact(text: str) -> tuple[str, bool]:
    """(what is stored, whether it is a hash): a phone number is hashed."""
    text = " ".join(text.split())
    try:
        return phone_hash(normalise_phone(text)), True
    except CaseRowError:
        return text[:120], False


def record_request(
    kind: str, contact: str, received_on: date, by: User, note: str = ""
) -> DataRequest:
    if kind not in REQUEST_KINDS:
        raise ValueError(f"unknown kind {kind!r}")
    stored, hashed = kept_contact(contact)
    request = DataRequest(
        kind=kind,
        contact=stored,
        contact_hashed=hashed,
        received_on=received_on,
        due_on=add_working_days(received_on, REQUEST_WORKING_DAYS),
        state="open",
        note=note.strip()[:500],
        created_by_id=by.id,
    )
    db.session.add(request)
    db.session.flush()
    return request


def update_request(request: DataRequest, state: str, note: str) -> None:
    if state not in REQUEST_STATES:
        raise ValueError(f"unknown state {state!r}")
    request.state = state
    request.note = note.strip()[:500]
    request.closed_at = None if state == "open" else utcnow()
    db.session.flush()


def requests_by_due_date() -> list[DataRequest]:
    """Open requests first, each group by due date, oldest first."""
    closed = case((DataRequest.state == "open", 0), else_=1)
    return list(
        db.session.scalars(
            select(DataRequest).order_by(closed, DataRequest.due_on, DataRequest.id)
        )
    )


def is_overdue(request: DataRequest, today: date) -> bool:
    return request.state == "open" and request.due_on < today
