"""The trust blueprint: the one-stop system's case endpoint and invitation links."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from flask import (
    Blueprint,
    current_app,
    jsonify,
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
from survey.extensions import csrf, db, limiter
from survey.models import Invitation, Question, SurveyVersion, Unit
from survey.models._time import utcnow
from survey.models.surveys import CLOSED
from survey.models.waves import ANSWERED, INVITED, WAVE_CLOSED
from survey.public.flow import run_answer_form
from survey.services.audit import record_event
from survey.services.cases import api_client_for_token, import_cases
from survey.services.responses import Submission, record_response
from survey.services.waves import invitation_for_token

bp = Blueprint("trust", __name__)

API_MAX_BYTES = 512 * 1024
API_MAX_CASES = 1000


def _submit_limit() -> str:
    return str(current_app.config["SURVEY_SUBMIT_LIMIT"])


def _api_limit() -> str:
    return str(current_app.config.get("SURVEY_API_LIMIT", "120 per minute"))


def _api_error(status: int, error: str, **extra: Any) -> tuple[HttpResponse, int]:
    return jsonify({"error": error, **extra}), status


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException) -> Any:
    """JSON for the API (413, 429 ...), the friendly page elsewhere."""
    db.session.rollback()
    code = error.code or 500
    if request.path.startswith("/api/"):
        return _api_error(code, error.name.lower())
    detail = error.description if getattr(error, "custom", False) else None
    return render_error(code, detail)


@bp.post("/api/cases")
@csrf.exempt
@limiter.limit(_api_limit)
def post_cases() -> tuple[HttpResponse, int]:
    """Completed cases from the one-stop system, all or nothing per post."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    client = api_client_for_token(token.strip()) if scheme == "Bearer" else None
    if client is None:
        response, status = _api_error(401, "a valid API token is required")
        response.headers["WWW-Authenticate"] = 'Bearer realm="cases"'
        return response, status
    if (request.content_length or 0) > API_MAX_BYTES:
        return _api_error(413, f"the body is larger than {API_MAX_BYTES} bytes")
    body = request.get_json(silent=True)
    if body is None:
        return _api_error(400, "the body is not JSON (Content-Type: application/json)")
    cases = body.get("cases") if isinstance(body, dict) else None
    if not isinstance(cases, list) or not all(isinstance(c, dict) for c in cases):
        return _api_error(400, 'expected {"cases": [ {...}, ... ]}')
    if not cases or len(cases) > API_MAX_CASES:
        return _api_error(400, f"send between 1 and {API_MAX_CASES} cases per post")
    report = import_cases(cases, all_or_nothing=True, source="api", first_line=0)
    if report.rejected:
        db.session.rollback()
        rejected = [{"index": r.line, "reason": r.reason} for r in report.rejected]
        return _api_error(
            422, "some cases are invalid; none was stored", rejected=rejected
        )
    client.last_used_at = utcnow()
    record_event(
        None,
        "import",
        "service_cases",
        via=f"api:{client.name}",
        added=report.added,
        duplicates=report.duplicates,
    )
    db.session.commit()
    return jsonify({"added": report.added, "duplicates": report.duplicates}), 200


# --- the invited channel -----------------------------------------------------


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
