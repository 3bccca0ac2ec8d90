"""Staff accounts and the audit log: administrators only."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import to_utc
from flask_login import current_user
from werkzeug.wrappers import Response

from survey.admin.forms import ROLE_LABELS, EditUserForm, UserForm
from survey.admin.messages import message_for
from survey.admin.views import bp
from survey.auth.rights import get_user_in_scope_or_404, unit_in_scope
from survey.extensions import db
from survey.services import users as user_service
from survey.services.audit import audit_choices, audit_events


def _require_admin() -> None:
    if current_user.role != "admin":
        abort(403)


@bp.get("/users")
def list_users() -> str:
    _require_admin()
    users = user_service.users_in_scope(current_user.unit)
    return render_template("admin/users.html", users=users, role_labels=ROLE_LABELS)


@bp.route("/users/new", methods=["GET", "POST"])
def create_user() -> str | Response | tuple[str, int]:
    _require_admin()
    form = UserForm()
    if form.validate_on_submit():
        unit = unit_in_scope(form.unit_code.data)
        if unit is None:
            form.unit_code.errors.append(_("Give the code of a unit in your scope."))
        else:
            try:
                user_service.create_user(
                    current_user,
                    form.email.data,
                    form.name.data.strip(),
                    form.role.data,
                    unit,
                    form.password.data,
                )
            except user_service.UserError as error:
                form.email.errors.append(message_for(error))
            else:
                db.session.commit()
                flash(_("User created."), "info")
                return redirect(url_for("admin.list_users"))
    elif not form.is_submitted():
        form.unit_code.data = current_user.unit.code
    status = 422 if form.errors else 200
    return render_template("admin/edit_user.html", form=form, user=None), status


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def edit_user(user_id: int) -> str | Response | tuple[str, int]:
    _require_admin()
    user = get_user_in_scope_or_404(user_id)
    form = EditUserForm(obj=user)
    if not form.is_submitted():
        form.unit_code.data = user.unit.code
    if form.validate_on_submit():
        unit = unit_in_scope(form.unit_code.data)
        if unit is None:
            form.unit_code.errors.append(_("Give the code of a unit in your scope."))
        else:
            try:
                user_service.update_user(
                    current_user,
                    user,
                    form.name.data.strip(),
                    form.role.data,
                    unit,
                    form.active.data,
                    form.password.data or None,
                )
            except user_service.UserError as error:
                field = form.password if error.code == "own_password" else form.role
                field.errors.append(message_for(error))
            else:
                db.session.commit()
                flash(_("User saved."), "info")
                return redirect(url_for("admin.list_users"))
    status = 422 if form.errors else 200
    return render_template("admin/edit_user.html", form=form, user=user), status


def _day(name: str) -> datetime | None:
    try:
        return datetime.strptime(request.args.get(name, "")[:10], "%Y-%m-%d")
    except ValueError:
        return None


def _utc_midnight(day: datetime | None, days_later: int = 0) -> datetime | None:
    """The day's start in Vietnam, in UTC; None at the calendar's very ends
    (year 1, year 9999), which bound nothing and would overflow."""
    if day is None:
        return None
    try:
        midnight: datetime = to_utc(day + timedelta(days=days_later))
    except OverflowError:
        return None
    return midnight


@bp.get("/audit")
def show_audit() -> str:
    _require_admin()
    since, until = _day("since"), _day("until")
    filters = {
        "user": request.args.get("user", "")[:254].strip(),
        "action": request.args.get("action", "")[:60],
        "object_type": request.args.get("object_type", "")[:40],
        "since": since.date().isoformat() if since else "",
        "until": until.date().isoformat() if until else "",
    }
    events = audit_events(
        current_user.unit.path,
        user_email=filters["user"],
        action=filters["action"],
        object_type=filters["object_type"],
        since=_utc_midnight(since),
        until=_utc_midnight(until, days_later=1),
        with_system=current_user.unit.parent_id is None and not filters["user"],
    )
    actions, types = audit_choices()
    return render_template(
        "admin/audit.html",
        events=events,
        filters=filters,
        actions=actions,
        object_types=types,
    )
