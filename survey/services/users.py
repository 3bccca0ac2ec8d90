"""Staff accounts: create, change role and scope, disable."""

from __future__ import annotations

from sqlalchemy import func, select

from survey.domain.errors import DomainError
from survey.extensions import db
from survey.models import Unit, User
from survey.models.users import ROLES
from survey.services.audit import record_event


class UserError(DomainError):
    """A change to an account that is refused."""

    codes = frozenset({"email_taken", "unknown_role", "self", "own_password"})


def email_taken(email: str) -> bool:
    found = db.session.scalar(
        select(User.id).where(func.lower(User.email) == email.lower())
    )
    return found is not None


def users_in_scope(scope: Unit) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(Unit, User.unit_id == Unit.id)
            .where(Unit.path.startswith(scope.path))
            .order_by(User.email)
        )
    )


def create_user(
    actor: User | None, email: str, name: str, role: str, unit: Unit, password: str
) -> User:
    """A new account, audited; ``actor`` is None from the command line."""
    email = email.strip().lower()
    if email_taken(email):
        raise UserError("email_taken")
    if role not in ROLES:
        raise UserError("unknown_role")
    user = User(email=email, name=name, role=role, unit=unit)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    record_event(actor, "create_user", "user", user.id, email=email, role=role,
                 unit=unit.code)  # fmt: skip
    return user


def update_user(
    actor: User,
    user: User,
    name: str,
    role: str,
    unit: Unit,
    active: bool,
    password: str | None,
) -> None:
    """Role, scope and state; any of them changing ends the user's sessions."""
    if role not in ROLES:
        raise UserError("unknown_role")
    if user.id == actor.id and (not active or role != user.role):
        raise UserError("self")
    if user.id == actor.id and password:
        raise UserError("own_password")  # only with the current one: /password
    changed = (user.role, user.unit_id, user.active) != (role, unit.id, active)
    user.name, user.role, user.unit, user.active = name, role, unit, active
    if password:
        user.set_password(password)
    elif changed:
        user.session_version += 1
    db.session.flush()
    record_event(
        actor,
        "edit_user",
        "user",
        user.id,
        role=role,
        unit=unit.code,
        active=active,
        password_changed=bool(password),
    )
