"""The invited channel: one-time invitation links, /i/<token>.

The blueprint keeps its name, "trust", so its endpoints (trust.answer_invitation,
trust.invitation_thanks) are those the templates and links know.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from flask import (
    Blueprint,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response as HttpResponse

from survey.domain.answers import CleanAnswer
from survey.errors import abort_with, keeps_answers_in_outage, render_error
from survey.extensions import db, limiter
from survey.models import Invitation, Question, SurveyVersion, Unit
from survey.models._time import utcnow
from survey.models.surveys import CLOSED
from survey.models.waves import ANSWERED, INVITED, WAVE_CLOSED
from survey.public.flow import run_answer_form
from survey.services.answering.responses import Submission, record_response
from survey.services.fieldwork.waves import invitation_for_token

bp = Blueprint("trust", __name__)


def _submit_limit() -> str:
    return str(current_app.config["SURVEY_SUBMIT_LIMIT"])


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException) -> Any:
    """The friendly error page (413, 429 ...)."""
    db.session.rollback()
    code = error.code or 500
    detail = error.description if getattr(error, "custom", False) else None
    return render_error(code, detail)


def _open_invitation_or_410(token: str) -> tuple[Invitation, SurveyVersion, Unit]:
    """The invitation behind a link, or a friendly refusal."""
    invitation = invitation_for_token(token)
    if invitation is None:
        abort_with(404, _("This invitation link is not valid. Please check the link."))
    assert invitation is not None
    if invitation.status == ANSWERED or invitation.response is not None:
        abort_with(
            410,
            _(
                "This invitation has already been answered. Thank you: "
                "each invitation can be used only once."
            ),
        )
    if utcnow() >= invitation.expires_at or invitation.wave.status == WAVE_CLOSED:
        abort_with(410, _("This invitation has expired. Thank you for your interest."))
    version = invitation.wave.version
    survey = invitation.wave.survey
    if survey.status == CLOSED:
        abort_with(410, _("This survey is closed. Thank you for your interest."))
    return invitation, version, invitation.unit


@bp.route("/i/<token>", methods=["GET", "POST"])
@keeps_answers_in_outage
@limiter.limit(_submit_limit, methods=["POST"])
def answer_invitation(token: str) -> str | HttpResponse | tuple[str, int]:
    invitation, version, unit = _open_invitation_or_410(token)
    if request.method == "GET" and invitation.status == INVITED:
        invitation.mark_opened(utcnow())
        db.session.commit()

    def store(
        answered: SurveyVersion,
        questions: Sequence[Question],
        answers: dict[int, CleanAnswer],
        submission: Submission,
    ) -> HttpResponse:
        linked = replace(submission, channel="invited", invitation_id=invitation.id)
        if record_response(answered, unit, questions, answers, linked):
            invitation.mark_answered(utcnow())
        db.session.commit()
        return redirect(url_for("trust.invitation_thanks", token=token))

    return run_answer_form(
        version.survey,
        version,
        unit,
        channel="invited",
        allowed_channels=("invited",),
        on_submit=store,
    )


@bp.get("/i/<token>/thanks")
def invitation_thanks(token: str) -> str:
    invitation = invitation_for_token(token)
    if invitation is None:
        abort_with(404, _("This invitation link is not valid. Please check the link."))
    assert invitation is not None
    version = invitation.wave.version
    return render_template(
        "public/thanks.html",
        survey=version.survey,
        version=version,
        unit=invitation.unit,
    )
