"""Survey definitions in and out: JSON and XLSForm, exported and imported."""

from __future__ import annotations

import json

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Response

from survey.admin.forms import SurveyImportForm
from survey.admin.views import bp
from survey.auth.rights import get_owned_survey_or_404
from survey.extensions import db
from survey.services.design import exchange, xlsform
from survey.services.design.designer import slug_taken
from survey.services.design.xlsform.export import export_xlsform


@bp.get("/surveys/<slug>/export.json")
def export_survey(slug: str) -> Response:
    survey = get_owned_survey_or_404(slug)
    document = exchange.export_definition(survey)
    body = json.dumps(document, ensure_ascii=False, indent=2)
    response = Response(body, mimetype="application/json")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{survey.slug}-v{document["version"]}.json"'
    )
    return response


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.get("/surveys/<slug>/export.xlsx")
def export_survey_xlsform(slug: str) -> Response:
    """Any version as an XLSForm (``?version=N``; the newest by default)."""
    survey = get_owned_survey_or_404(slug)
    number = request.args.get("version", type=int)
    versions = {v.number: v for v in survey.versions}
    version = survey.versions[-1] if number is None else versions.get(number)
    if version is None:
        abort(404)
    response = Response(export_xlsform(version, survey.slug), mimetype=XLSX)
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{survey.slug}-v{version.number}.xlsx"'
    )
    return response


@bp.route("/surveys/import", methods=["GET", "POST"])
def import_survey() -> str | Response | tuple[str, int]:
    form = SurveyImportForm()
    reasons: list[str] = []
    if form.validate_on_submit():
        if slug_taken(form.slug.data):
            form.slug.errors.append(
                _("This address is taken by another survey: choose another.")
            )
        else:
            try:
                skipped = _import_file(form.slug.data, form.file.data)
            except exchange.ExchangeError as error:
                db.session.rollback()
                reasons = error.reasons
            else:
                db.session.commit()
                flash(_("Survey imported as a draft."), "info")
                if skipped:
                    return render_template(
                        "admin/import_survey.html",
                        form=form,
                        reasons=[],
                        imported=form.slug.data,
                        skipped=skipped,
                    )
                return redirect(url_for("admin.show_survey", slug=form.slug.data))
    status = 422 if form.errors or reasons else 200
    return render_template(
        "admin/import_survey.html", form=form, reasons=reasons
    ), status


def _import_file(slug: str, upload: FileStorage) -> list[xlsform.Skipped]:
    """Import by the file's kind; what an XLSForm import left out."""
    name = (upload.filename or "").rsplit("/", 1)[-1]
    kind = xlsform.kind_of(name)
    if kind is not None:
        result = xlsform.import_xlsform(
            current_user,
            slug,
            upload.read(),
            current_user.unit,
            name.rsplit(".", 1)[0],
            kind,
        )
        return result.skipped
    exchange.import_definition(current_user, slug, upload.read(), current_user.unit)
    return []
