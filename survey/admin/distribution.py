"""Preview, unit assignment, links, QR codes and posters of a survey."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from survey.admin.forms import ActionForm, AssignForm
from survey.admin.views import bp
from survey.auth.rights import (
    get_owned_survey_or_404,
    get_survey_in_scope_or_404,
    get_unit_in_scope_or_404,
)
from survey.extensions import db
from survey.public.pages import group_pages
from survey.public.scripting import conditions_on_fields
from survey.services import distribution
from survey.services import units as unit_service
from survey.services.responses import rules_for


@bp.get("/surveys/<slug>/preview")
def preview_survey(slug: str) -> str:
    survey = get_owned_survey_or_404(slug)
    version = survey.draft_version or survey.published_version
    return render_template("admin/preview.html", survey=survey, version=version)


@bp.get("/surveys/<slug>/preview/frame")
def preview_frame(slug: str) -> str:
    """The draft as a citizen sees it, every page in turn, with nothing to send."""
    survey = get_owned_survey_or_404(slug)
    version = survey.draft_version or survey.published_version
    pages = group_pages(version.questions) if version else []
    # The form's own conditions, so that the script shows and hides as there.
    show_when = conditions_on_fields(rules_for(version.questions)) if version else {}
    return render_template(
        "admin/preview_frame.html",
        survey=survey,
        version=version,
        pages=pages,
        show_when=show_when,
    )


@bp.post("/surveys/<slug>/units")
def assign_units(slug: str) -> Response:
    survey = get_owned_survey_or_404(slug)
    form = AssignForm()
    if form.validate_on_submit():
        unit = get_unit_in_scope_or_404(form.unit_code.data.strip())
        added = unit_service.assign_units(current_user, survey, unit, form.subtree.data)
        db.session.commit()
        flash(_("%(n)s units added to the survey.", n=len(added)), "info")
    else:
        flash(_("Please give a unit code."), "error")
    return redirect(url_for("admin.show_survey", slug=slug))


@bp.post("/surveys/<slug>/units/<code>/remove")
def unassign_unit(slug: str, code: str) -> Response:
    survey = get_owned_survey_or_404(slug)
    unit = get_unit_in_scope_or_404(code)
    if ActionForm().validate_on_submit():
        unit_service.unassign_unit(current_user, survey, unit)
        db.session.commit()
        flash(_("Unit removed from the survey."), "info")
    return redirect(url_for("admin.show_survey", slug=slug))


def _assigned_unit_or_404(slug: str, code: str):  # type: ignore[no-untyped-def]
    survey = get_survey_in_scope_or_404(slug)
    unit = get_unit_in_scope_or_404(code)
    if not distribution.is_assigned(survey, unit):
        abort(404)
    return survey, unit


@bp.get("/surveys/<slug>/distribute")
def distribute_survey(slug: str) -> str:
    survey = get_survey_in_scope_or_404(slug)
    root = current_user.unit
    links = distribution.survey_unit_links(survey, root)
    return render_template(
        "admin/distribute.html", survey=survey, links=links, root=root
    )


@bp.get("/surveys/<slug>/qr/<code>.svg")
def qr_svg(slug: str, code: str) -> Response:
    survey, unit = _assigned_unit_or_404(slug, code)
    data = distribution.qr_svg_file(distribution.unit_link(survey, unit))
    return _download(data, "image/svg+xml", f"qr-{slug}-{code}.svg")


@bp.get("/surveys/<slug>/qr/<code>.png")
def qr_png(slug: str, code: str) -> Response:
    survey, unit = _assigned_unit_or_404(slug, code)
    data = distribution.qr_png(distribution.unit_link(survey, unit))
    return _download(data, "image/png", f"qr-{slug}-{code}.png")


def _download(data: bytes, mimetype: str, name: str) -> Response:
    response = Response(data, mimetype=mimetype)
    if request.args.get("download"):
        response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.get("/surveys/<slug>/poster/<code>")
def show_poster(slug: str, code: str) -> str:
    survey, unit = _assigned_unit_or_404(slug, code)
    link = distribution.UnitLink(unit, distribution.unit_link(survey, unit))
    return render_template(
        "admin/posters.html",
        survey=survey,
        posters=[(link, distribution.qr_svg(link.url))],
    )


@bp.get("/surveys/<slug>/posters")
def print_posters(slug: str) -> str:
    """Every poster of a subtree, one A4 page each."""
    survey = get_survey_in_scope_or_404(slug)
    root_code = request.args.get("root", "")[:40]
    root = get_unit_in_scope_or_404(root_code) if root_code else current_user.unit
    links = distribution.survey_unit_links(survey, root)
    return render_template(
        "admin/posters.html",
        survey=survey,
        posters=[(link, distribution.qr_svg(link.url)) for link in links],
    )
