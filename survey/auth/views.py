"""Login and logout for administrators, designers and leaders."""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_user, logout_user
from sqlalchemy import func, select
from werkzeug.wrappers import Response

from survey.auth.forms import ChangePasswordForm, LoginForm
from survey.extensions import db, limiter
from survey.models import User
from survey.models._time import utcnow
from survey.services.audit import record_event

bp = Blueprint("auth", __name__)

# Compared against when the e-mail is unknown, so both answers take as long.
_DUMMY_HASH = (
    "scrypt:32768:8:1$Yb0oA7n8N1Cq4V6o$"
    "c2f5d1e0b5a8a0bd7f3b41f8b1f0b5c4a7d3f0e9b1c2d3e4f5a6b7c8d9e0f1a2"
    "b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4"
)


def load_user(user_id: str) -> User | None:
    """Session ids carry the user's session version: a bump logs them out."""
    ident, _sep, version = user_id.partition(":")
    if not ident.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(ident))
    if user is None or not user.active or str(user.session_version) != version:
        return None
    return user


def _safe_next(target: str | None) -> str | None:
    """``target`` if it is a path on this site, else None (no open redirect).

    Only ``/path?query``: no scheme, no host, no ``//`` or ``/\\`` that a
    browser reads as another host, no control character (a line break would
    split the Location header), no backslash anywhere (browsers turn it into
    a slash), and nothing that decodes to one of these.
    """
    if not target or len(target) > 2000:
        return None
    decoded = unquote(target)
    for candidate in (target, decoded):
        if not candidate.startswith("/") or candidate.startswith(("//", "/\\")):
            return None
        if "\\" in candidate or any(ord(c) < 32 or ord(c) == 127 for c in candidate):
            return None
        parts = urlsplit(candidate)
        if parts.scheme or parts.netloc:
            return None
    return target


def _home_for(user: User) -> str:
    return url_for("results.index" if user.role == "leader" else "admin.index")


def _login_limit() -> str:
    from flask import current_app

    limit: str = current_app.config["SURVEY_LOGIN_LIMIT"]
    return limit


def _account_key() -> str:
    """Failed logins count per account *and* client: five wrong passwords
    from one address stop that address, not the account's owner elsewhere."""
    email = request.form.get("email", "").strip().lower()[:254]
    return f"login-account:{email}:{get_remote_address()}"


def _failed(response: Response) -> bool:
    return response.status_code != 302


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
@limiter.limit(
    "5 per 15 minutes", key_func=_account_key, methods=["POST"], deduct_when=_failed
)
def login() -> str | Response:
    if current_user.is_authenticated:
        return redirect(_home_for(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        user = db.session.scalar(select(User).where(func.lower(User.email) == email))
        valid = user.check_password(form.password.data) if user else False
        if user is None:
            from werkzeug.security import check_password_hash

            check_password_hash(_DUMMY_HASH, form.password.data)
        if user is not None and valid and user.active:
            language = session.get("lang")
            session.clear()  # a fresh session at login; the language stays
            if language:
                session["lang"] = language
            session.permanent = True
            login_user(user)
            user.last_login_at = utcnow()
            record_event(user, "login", "user", user.id)
            db.session.commit()
            return redirect(_safe_next(request.args.get("next")) or _home_for(user))
        flash(_("Wrong e-mail or password."), "error")
    return render_template("auth/login.html", form=form)


def _password_key() -> str:
    who = current_user.get_id() if current_user.is_authenticated else "anonymous"
    return f"change-password:{who}:{get_remote_address()}"


@bp.route("/password", methods=["GET", "POST"])
@limiter.limit(
    "5 per 15 minutes", key_func=_password_key, methods=["POST"], deduct_when=_failed
)
def change_password() -> str | Response | tuple[str, int]:
    """Every role changes its own password, with the current one."""
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login", next=request.path))
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        if not user.check_password(form.current.data):
            form.current.errors.append(_("Your current password is wrong."))
        else:
            user.set_password(form.new.data)  # ends the user's other sessions
            record_event(user, "change_password", "user", user.id)
            db.session.commit()
            login_user(user)  # this session goes on under the new version
            flash(_("Your password was changed."), "info")
            return redirect(_home_for(user))
    page = render_template("auth/password.html", form=form)
    return page, (422 if form.errors else 200)


@bp.post("/logout")
def logout() -> Response:
    if current_user.is_authenticated:
        user = current_user._get_current_object()
        user.session_version += 1  # ends this session on the server, everywhere
        record_event(user, "logout", "user", user.id)
        db.session.commit()
        logout_user()
    session.clear()
    flash(_("You are logged out."), "info")
    return redirect(url_for("auth.login"))
