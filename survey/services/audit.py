from __future__ import annotations

from datetime import datetime
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


def audit_events(
    scope_path: str,
    *,
    user_email: str = "",
    action: str = "",
    object_type: str = "",
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 200,
) -> list[AuditEvent]:
    """Newest first: events by users in the scope, narrowed by the filters."""
    from sqlalchemy import func, select

    from survey.models import Unit

    query = (
        select(AuditEvent)
        .join(User, AuditEvent.user_id == User.id)
        .join(Unit, User.unit_id == Unit.id)
        .where(Unit.path.startswith(scope_path))
    )
    if user_email:
        query = query.where(func.lower(User.email).contains(user_email.lower()))
    if action:
        query = query.where(AuditEvent.action == action)
    if object_type:
        query = query.where(AuditEvent.object_type == object_type)
    if since:
        query = query.where(AuditEvent.at >= since)
    if until:
        query = query.where(AuditEvent.at < until)
    query = query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit)
    return list(db.session.scalars(query))


def audit_choices() -> tuple[list[str], list[str]]:
    """The actions and object types present in the log, for the filters."""
    from sqlalchemy import select

    actions = db.session.scalars(select(AuditEvent.action).distinct())
    types = db.session.scalars(select(AuditEvent.object_type).distinct())
    return sorted(actions), sorted(types)
