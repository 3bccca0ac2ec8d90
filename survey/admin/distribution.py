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
from survey.models import Survey, Unit
from survey.public.pages import group_pages
from survey.public.scripting import conditions_on_fields
from survey.services.answering.responses import rules_for
from survey.services.city import units as unit_service
from survey.services.design import distribution


def _shown_language() -> str:
    """The preview's language (``?show=``): the survey's, not the admin's page."""
    from survey import current_lang

    asked = request.args.get("show", "")
    return asked if asked in ("vi", "en") else current_lang()


@bp.get("/surveys/<slug>/preview")
def preview_survey(slug: str) -> str:
    survey = get_owned_survey_or_404(slug)
    version = survey.draft_version or survey.published_version
    return render_template(
        "admin/preview.html", survey=survey, version=version, show=_shown_language()
    )


@bp.get("/surveys/<slug>/preview/frame")
def preview_frame(slug: str) -> str:
    """The draft as a citizen sees it, every page in turn, with nothing to send."""
    from flask_babel import force_locale

    survey = get_owned_survey_or_404(slug)
    version = survey.draft_version or survey.published_version
    pages = group_pages(version.questions) if version else []
    # The form's own conditions, so that the script shows and hides as there.
    show_when = conditions_on_fields(rules_for(version.questions)) if version else {}
    show = _shown_language()
    with force_locale(show):  # the frame in that language, the session untouched
        return render_template(
            "admin/preview_frame.html",
            survey=survey,
            version=version,
            pages=pages,
            show_when=show_when,
            lang=show,
        )


@bp.post("/surveys/<slug>/units")
def assign_units(slug: str) -> Response:
    survey = get_owned_survey_or_404(slug)
    form = AssignForm()
    if not form.validate_on_submit():
        flash(_("Please give a unit code."), "error")
        return redirect(url_for("admin.show_survey", slug=slug))
    typed = form.unit_code.data.strip()
    unit = unit_service.unit_by_code_or_name(typed)
    if unit is None or not current_user.can_see(unit):
        # Unknown and out of scope read alike: no unit is revealed.
        flash(
            _(
                "No unit of yours has the code or name %(text)s: search for it "
                "and tick it below.",
                text=typed[:80],
            ),
            "error",
        )
        return redirect(url_for("admin.pick_units", slug=slug, q=typed[:80]))
    added = unit_service.assign_units(current_user, survey, unit, form.subtree.data)
    db.session.commit()
    flash(_("%(n)s units added to the survey.", n=len(added)), "info")
    return redirect(url_for("admin.show_survey", slug=slug))


@bp.route("/surveys/<slug>/units/pick", methods=["GET", "POST"])
def pick_units(slug: str) -> str | Response:
    """Search the units in scope, tick some, assign them (no JavaScript needed)."""
    survey = get_owned_survey_or_404(slug)
    form = ActionForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        codes = request.form.getlist("codes")[: unit_service.MAX_FOUND]
        subtree = request.form.get("subtree") == "y"
        added = 0
        for code in codes:
            unit = unit_service.unit_by_code_or_name(code)
            if unit is not None and current_user.can_see(unit):
                added += len(
                    unit_service.assign_units(current_user, survey, unit, subtree)
                )
        db.session.commit()
        if not codes:
            flash(_("Tick at least one unit."), "error")
            return redirect(url_for("admin.pick_units", slug=slug))
        flash(_("%(n)s units added to the survey.", n=added), "info")
        return redirect(url_for("admin.show_survey", slug=slug))
    text = request.args.get("q", "")[:80]
    assigned = {u.id for u in survey.units}
    return render_template(
        "admin/pick_units.html",
        survey=survey,
        form=form,
        text=text,
        found=unit_service.find_units(current_user, text),
        assigned=assigned,
        limit=unit_service.MAX_FOUND,
    )


@bp.post("/surveys/<slug>/units/<code>/remove")
def unassign_unit(slug: str, code: str) -> Response:
    survey = get_owned_survey_or_404(slug)
    unit = get_unit_in_scope_or_404(code)
    if ActionForm().validate_on_submit():
        unit_service.unassign_unit(current_user, survey, unit)
        db.session.commit()
        flash(_("Unit removed from the survey."), "info")
    return redirect(url_for("admin.show_survey", slug=slug))


def _assigned_unit_or_404(slug: str, code: str) -> tuple[Survey, Unit]:
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
