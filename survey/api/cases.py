"""POST /api/cases: completed cases from the one-stop system, JSON in and out."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify, request
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response as HttpResponse

from survey.extensions import csrf, db, limiter
from survey.models._time import utcnow
from survey.services.audit import record_event
from survey.services.fieldwork.cases import api_client_for_token, import_cases

bp = Blueprint("api", __name__)

API_MAX_BYTES = 512 * 1024
API_MAX_CASES = 1000


def _api_limit() -> str:
    return str(current_app.config.get("SURVEY_API_LIMIT", "120 per minute"))


def _api_error(status: int, error: str, **extra: Any) -> tuple[HttpResponse, int]:
    return jsonify({"error": error, **extra}), status


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException) -> Any:
    """JSON for the API (413, 429 ...)."""
    db.session.rollback()
    return _api_error(error.code or 500, error.name.lower())


@bp.post("/api/cases")
@csrf.exempt  # type: ignore[untyped-decorator]  # Flask-WTF has no types
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
