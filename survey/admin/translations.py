"""A version's texts for a translator: what lacks English, the sheet out and in."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.file import FileAllowed
from werkzeug.wrappers import Response

from survey.admin.forms import StaffForm, _upload
from survey.admin.messages import sheet_reasons
from survey.admin.views import bp
from survey.auth.rights import get_owned_survey_or_404
from survey.extensions import db
from survey.models import Survey, SurveyVersion
from survey.services.design import translation_sheet as sheet
from survey.services.design.completeness import missing_english

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class TranslationSheetForm(StaffForm):
    file = _upload(
        _l("The translated sheet (.xlsx)"),
        FileAllowed(["xlsx"], _l("Choose an .xlsx file.")),
    )


def _version(survey: Survey) -> SurveyVersion:
    version = survey.draft_version or survey.published_version
    if version is None:
        abort(404)
    return version


def _page(survey: Survey, form: TranslationSheetForm, **extra: object) -> str:
    version = _version(survey)
    return render_template(
        "admin/translations.html",
        survey=survey,
        version=version,
        form=form,
        missing=missing_english(version),
        total=len(sheet.sheet_rows(version)),
        reasons=sheet_reasons(),
        **extra,
    )


@bp.get("/surveys/<slug>/translations")
def translations(slug: str) -> str:
    survey = get_owned_survey_or_404(slug)
    return _page(survey, TranslationSheetForm())


@bp.get("/surveys/<slug>/translations.xlsx")
def translation_sheet(slug: str) -> Response:
    survey = get_owned_survey_or_404(slug)
    version = _version(survey)
    response = Response(sheet.export_sheet(version), mimetype=XLSX)
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{survey.slug}-v{version.number}-texts.xlsx"'
    )
    return response


@bp.post("/surveys/<slug>/translations")
def import_translations(slug: str) -> str | Response | tuple[str, int]:
    survey = get_owned_survey_or_404(slug)
    form = TranslationSheetForm()
    if not form.validate_on_submit():
        return _page(survey, form), 422
    draft = survey.draft_version
    if draft is None:
        return _page(survey, form, error="published"), 422
    try:
        report = sheet.import_sheet(current_user, draft, form.file.data.read())
    except sheet.SheetError as error:
        db.session.rollback()
        return _page(survey, form, error=error.code), 422
    db.session.commit()
    flash(
        _(
            "%(updated)s English texts taken from the sheet, %(same)s unchanged.",
            updated=report.updated,
            same=report.unchanged,
        ),
        "info",
    )
    if report.refused:
        return _page(survey, TranslationSheetForm(), report=report)
    return redirect(url_for("admin.translations", slug=slug))
