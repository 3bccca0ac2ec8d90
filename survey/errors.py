"""Friendly error pages in the reader's language, never a stack trace."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import (
    Flask,
    Response,
    current_app,
    make_response,
    redirect,
    render_template,
    request,
)
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy import exc
from werkzeug.exceptions import HTTPException, InternalServerError, SecurityError
from werkzeug.wrappers import Response as BaseResponse

from survey import read_limits, replica
from survey.extensions import db, login_manager

# Errors that mean "the database is unreachable right now": the citizen is told
# to try again (503), and nothing was acknowledged.
DATABASE_DOWN = (
    exc.OperationalError,
    exc.InterfaceError,
    exc.DisconnectionError,
    exc.PendingRollbackError,
    exc.TimeoutError,
)

# A citizen's answers given back in a database outage: at most this many
# fields, and never more characters than a request may carry.
SEND_AGAIN_MAX_FIELDS = 1000

View = TypeVar("View", bound=Callable[..., object])


def keeps_answers_in_outage(view: View) -> View:
    """Mark a citizen's answering view: if the database is down when a POST
    arrives, the 503 page holds the posted fields in a "Send again" form."""
    view.keeps_answers_in_outage = True  # type: ignore[attr-defined]
    return view


def _database_down(error: Exception) -> bool:
    return isinstance(error, DATABASE_DOWN) or (
        isinstance(error, exc.DBAPIError) and error.connection_invalidated
    )


def _fields_to_send_again() -> list[tuple[str, str]]:
    """The posted fields to give back; empty when none may or can be.

    Only for a POST to a view marked ``keeps_answers_in_outage``. A password
    or a field holding a NUL is left out; a post over the caps gets nothing
    back, so that sending again never sends a truncated response.
    """
    view = current_app.view_functions.get(request.endpoint or "")
    if request.method != "POST" or not getattr(view, "keeps_answers_in_outage", 0):
        return []
    try:
        fields = list(request.form.items(multi=True))
    except Exception:  # a body that cannot be read (too large, cut off)
        return []
    limit = current_app.config.get("MAX_CONTENT_LENGTH") or 1024 * 1024
    if len(fields) > SEND_AGAIN_MAX_FIELDS or (
        sum(len(name) + len(value) for name, value in fields) > limit
    ):
        return []
    return [
        (name, value)
        for name, value in fields
        if "password" not in name.lower() and "\x00" not in name + value
    ]


def _rollback() -> None:
    """Roll back, even when the connection itself is gone."""
    try:
        db.session.rollback()
    except Exception:  # a dead connection cannot roll back; the pool drops it
        db.session.close()


def _messages() -> dict[int, tuple[str, str]]:
    return {
        400: (_("Bad request"), _("The request could not be understood.")),
        403: (_("Not allowed"), _("You do not have access to this page.")),
        404: (_("Page not found"), _("There is no page at this address.")),
        405: (_("Not allowed"), _("This action is not allowed here.")),
        410: (_("Closed"), _("This page is no longer available.")),
        413: (_("Too large"), _("What you sent is too large.")),
        429: (
            _("Too many requests"),
            _("You sent too many requests in a short time. Please wait a minute."),
        ),
        500: (
            _("Something went wrong"),
            _("An unexpected error occurred. Nothing was saved; please try again."),
        ),
        503: (
            _("Temporarily unavailable"),
            _("The service is briefly unavailable. Please try again in a moment."),
        ),
    }


def _render_page(template: str, **context: object) -> str:
    """Render an error page, even when the database is down.

    Flask-Login's template context asks who is reading, which loads a signed-in
    staff member from the database: in an outage that would turn the error page
    itself into a bare 500. The page is then shown as to an anonymous reader.
    """
    try:
        return render_template(template, **context)
    except Exception as error:
        if not _database_down(error):
            raise
        _rollback()
        login_manager._update_request_context_with_user()  # the anonymous user
        return render_template(template, **context)


def render_error(
    code: int, detail: str | None = None, title: str | None = None
) -> tuple[str, int]:
    default_title, message = _messages().get(code, (_("Error"), ""))
    return (
        _render_page(
            "errors/error.html",
            code=code,
            title=title or default_title,
            message=detail or message,
        ),
        code,
    )


def render_send_again(fields: list[tuple[str, str]]) -> Response:
    """The 503 page with the citizen's posted fields in a form to send again.

    The fields go back unchanged, CSRF token and ticket included: the ticket's
    token makes a repeat of a response that was in fact stored find that row.
    """
    title, message = _messages()[503]
    target = request.full_path if request.query_string else request.path
    page = _render_page(
        "errors/send_again.html",
        code=503,
        title=title,
        message=message,
        fields=fields,
        target=target,
    )
    response = make_response(page, 503)
    response.headers["Cache-Control"] = "no-store"  # answers and a CSRF token
    response.headers["Retry-After"] = "10"
    return response


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> tuple[str, int]:
        _rollback()
        return render_error(
            400,
            _(
                "Your form expired or was sent from another page. "
                "Please reload the page and send it again."
            ),
        )

    from survey.services.answering.errors import AnsweringError

    @app.errorhandler(AnsweringError)
    def answering_refused(error: AnsweringError) -> tuple[str, int]:
        """A citizen's survey, service point or form refused by the service."""
        from survey.public.refusals import status_and_message

        _rollback()
        return render_error(*status_and_message(error))

    @app.errorhandler(HTTPException)
    def http_error(
        error: HTTPException,
    ) -> tuple[str, int] | tuple[dict[str, str], int] | HTTPException:
        _rollback()
        if error.code is None or error.code < 400:
            return error
        detail = error.description if getattr(error, "custom", False) else None
        if isinstance(error, SecurityError):  # a Host outside TRUSTED_HOSTS:
            return error  # no URL can be built for it, so no page either
        if request.path.startswith("/healthz"):
            return {"error": error.name}, error.code
        return render_error(error.code, detail)

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception) -> tuple[str, int] | BaseResponse:
        _rollback()
        if read_limits.took_too_long(error):
            read_limits.lift_limit()
            app.logger.warning(
                "results view stopped at its time limit: %s", request.path
            )
            title, message = read_limits.too_long_page()
            return render_error(503, message, title)
        down = _database_down(error)
        if down and request.method in ("GET", "HEAD") and replica.fell_over(error):
            target = request.full_path if request.query_string else request.path
            return redirect(target)  # read from the primary this time
        app.logger.exception("unhandled error on %s", request.path)
        if down:
            fields = _fields_to_send_again()
            return render_send_again(fields) if fields else render_error(503)
        return render_error(InternalServerError.code)


def abort_with(code: int, message: str) -> None:
    """Abort with ``code`` and a message meant for the reader."""
    from werkzeug.exceptions import default_exceptions

    error = default_exceptions[code](description=message)
    error.custom = True  # type: ignore[attr-defined]
    raise error
