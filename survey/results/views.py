"""Leaders: aggregated results of their unit subtree.

Every view loads the survey and the unit through the scope checks of
``survey.auth.rights``, so a unit outside the reader's subtree answers 403.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request
from flask_login import current_user
from sqlalchemy import select

from survey import current_lang, jobs
from survey.auth.rights import (
    get_survey_in_scope_or_404,
    get_unit_in_scope_or_404,
    require_roles,
    surveys_in_scope,
)
from survey.extensions import db
from survey.models import Question, Survey, Unit
from survey.results import overview_export, raw_download
from survey.results.integrity_notice import headline_notice
from survey.results.official_view import official_context
from survey.results.periods import first_upper, format_period
from survey.results.presenters import (
    comments_context,
    format_number,
    format_percent,
    method_context,
    overview_context,
    questions_context,
)
from survey.services.audit import record_event
from survey.services.design.listing import STATUS_LABELS, survey_rows
from survey.services.fieldwork import weights
from survey.services.integrity.quality import integrity_notice
from survey.services.reporting import comment_pages, official, question_results, reports
from survey.services.reporting.result_filter import ResultFilter

bp = Blueprint("results", __name__)
bp.before_request(require_roles("admin", "designer", "leader"))
bp.add_app_template_filter(format_percent, "pct")
bp.add_app_template_filter(format_number, "num")
bp.add_app_template_filter(format_period, "period")
bp.add_app_template_filter(first_upper, "first_upper")


def _load(slug: str, code: str | None) -> tuple[Survey, Unit, ResultFilter]:
    """The survey and unit, both checked against the reader's scope."""
    survey = get_survey_in_scope_or_404(slug)
    unit = get_unit_in_scope_or_404(code) if code else current_user.unit
    jobs.fold_soon(survey)  # queues a fold; a GET never writes
    return survey, unit, ResultFilter.from_args(request.args)


@bp.get("/")
def index() -> str:
    rows = survey_rows(surveys_in_scope(), current_user.unit)
    return render_template("results/index.html", rows=rows, status_labels=STATUS_LABELS)


@bp.get("/method")
def method() -> str:
    """How every figure, threshold and flag of the results pages is computed."""
    return render_template("results/method.html", **method_context(public=False))


@bp.get("/<slug>", defaults={"code": None})
@bp.get("/<slug>/unit/<code>")
def overview(slug: str, code: str | None) -> str:
    survey, unit, flt = _load(slug, code)
    report = reports.overview(survey, unit, flt)
    weighted = weights.weighted_overview(report)
    notice = headline_notice(
        survey, unit, flt, integrity_notice(survey, unit), current_lang()
    )
    figures = official_context(official.official_overview(report))
    return render_template(
        "results/overview.html",
        **overview_context(report, weighted=weighted),
        **notice,
        **figures,
    )


@bp.get("/<slug>/questions", defaults={"code": None})
@bp.get("/<slug>/unit/<code>/questions")
def questions(slug: str, code: str | None) -> str:
    survey, unit, flt = _load(slug, code)
    report = question_results.question_report(survey, unit, flt)
    return render_template("results/questions.html", **questions_context(report))


@bp.get("/<slug>/comments/<question_code>", defaults={"code": None})
@bp.get("/<slug>/unit/<code>/comments/<question_code>")
def comments(slug: str, code: str | None, question_code: str) -> str:
    survey, unit, flt = _load(slug, code)
    version = question_results.report_version(survey, flt)
    question = version and db.session.scalar(
        select(Question).where(
            Question.version_id == version.id, Question.code == question_code
        )
    )
    if question is None:
        abort(404)
    page = min(request.args.get("page", 1, type=int) or 1, 100_000)
    result = comment_pages.comment_page(
        survey, unit, flt, question, request.args.get("q", ""), max(1, page)
    )
    return render_template(
        "results/comments.html", **comments_context(survey, unit, flt, result)
    )


@bp.get("/<slug>/export.<any(csv, xlsx):fmt>", defaults={"code": None})
@bp.get("/<slug>/unit/<code>/export.<any(csv, xlsx):fmt>")
def export_aggregates(slug: str, code: str | None, fmt: str) -> Response:
    survey, unit, flt = _load(slug, code)
    report = reports.overview(survey, unit, flt)
    return overview_export.overview_response(
        report,
        fmt,
        weights.weighted_overview(report),
        official.official_overview(report),
    )


@bp.get("/<slug>/raw.<any(csv, xlsx, sav):fmt>", defaults={"code": None})
@bp.get("/<slug>/unit/<code>/raw.<any(csv, xlsx, sav):fmt>")
def export_raw(slug: str, code: str | None, fmt: str) -> Response:
    """Raw responses of the slice: administrators only, audited before streaming."""
    if current_user.role != "admin":
        abort(403)
    survey, unit, flt = _load(slug, code)
    record_event(
        current_user,
        "export_raw",
        "survey",
        survey.id,
        unit=unit.code,
        filters=flt.to_args(),
        format=fmt,
    )
    db.session.commit()  # the audit line stands even if the download breaks off
    name = f"{survey.slug}-{unit.code}-responses"
    return raw_download.raw_response(
        raw_download.raw_file(survey, unit, flt, fmt), fmt, name
    )
