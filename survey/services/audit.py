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
    with_system: bool = False,
) -> list[AuditEvent]:
    """Newest first: events by users in the scope, narrowed by the filters.

    ``with_system`` adds the events no user made (API imports, the command
    line, scheduled jobs): a city-wide administrator sees those too.
    """
    from sqlalchemy import func, or_, select

    from survey.models import Unit

    in_scope = Unit.path.startswith(scope_path)
    query = (
        select(AuditEvent)
        .outerjoin(User, AuditEvent.user_id == User.id)
        .outerjoin(Unit, User.unit_id == Unit.id)
        .where(or_(in_scope, AuditEvent.user_id.is_(None)) if with_system else in_scope)
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
