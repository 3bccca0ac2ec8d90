"""Administrators and designers: surveys, units, distribution, users."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from survey.auth.rights import require_roles, surveys_in_scope
from survey.services.listing import STATUS_LABELS, survey_rows

bp = Blueprint("admin", __name__)
bp.before_request(require_roles("admin", "designer"))


@bp.get("/")
def index() -> str:
    rows = survey_rows(surveys_in_scope(), current_user.unit)
    return render_template("admin/index.html", rows=rows, status_labels=STATUS_LABELS)
