from __future__ import annotations

from typing import Any

from survey.extensions import db
from survey.models import AuditEvent, User


def record_event(
    user: User | None,
    action: str,
    object_type: str,
    object_id: object = "",
    **details: Any,
) -> AuditEvent:
    """Append one line to the audit log (flushed with the change it describes)."""
    event = AuditEvent(
        user=user,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        details=details,
    )
    db.session.add(event)
    return event
