"""Reforms of the unit tree: import a mapping or Vietnam's 2025 reform, undo one.

City-level administrators only: a reform rewrites which units exist when.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from survey.admin.reform_forms import Reform2025Form, ReformCsvForm
from survey.admin.views import bp
from survey.auth.rights import require_city_admin
from survey.extensions import db
from survey.models import Reform
from survey.services.city import reform_data, reforms
from survey.services.city.reforms import ReformReport


def _forms() -> tuple[ReformCsvForm, Reform2025Form]:
    package = Reform2025Form()
    try:
        names = reform_data.province_names()
        keys = [key for key in reform_data.provinces() if key in names]
    except reform_data.ReformDataError:
        names, keys = {}, []
    package.province.choices = sorted(
        ((key, names[key]) for key in keys), key=lambda choice: choice[1]
    )
    return ReformCsvForm(), package


def _page(report: ReformReport | None = None, status: int = 200) -> tuple[str, int]:
    csv_form, package_form = _forms()
    return (
        render_template(
            "admin/reforms.html",
            reforms=reforms.reforms(),
            csv_form=csv_form,
            package_form=package_form,
            report=report,
            today=reforms.local_today(),
        ),
        status,
    )


@bp.get("/reforms")
def list_reforms() -> tuple[str, int]:
    require_city_admin()
    return _page()


@bp.post("/reforms/import")
def import_reform() -> tuple[str, int]:
    require_city_admin()
    form = ReformCsvForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for message in errors:
                flash(message, "error")
        return _page(status=422)
    report = reforms.import_reform_csv(
        current_user, form.file.data.read(), form.name.data.strip(), current_user.unit
    )
    if report.reform is None:
        db.session.rollback()
        return _page(report, 422)
    db.session.commit()
    return _page(report)


@bp.post("/reforms/import-2025")
def import_reform_2025() -> tuple[str, int] | Response:
    require_city_admin()
    _csv, form = _forms()
    if not form.validate_on_submit():
        flash(_("Please choose a province from the list."), "error")
        return _page(status=422)
    report = reform_data.import_vn2025(
        current_user, form.province.data, current_user.unit
    )
    if report.reform is None:
        db.session.rollback()
        return _page(report, 422)
    db.session.commit()
    return _page(report)


@bp.post("/reforms/<int:reform_id>/undo")
def undo_reform(reform_id: int) -> Response:
    require_city_admin()  # CSRFProtect has checked the token already
    reform = db.session.get(Reform, reform_id)
    if reform is None:
        abort(404)
    try:
        reforms.undo_reform(current_user, reform)
    except reforms.ReformError:
        flash(_("A reform in effect cannot be undone."), "error")
        return redirect(url_for("admin.list_reforms"))
    db.session.commit()
    flash(_("The reform was removed."), "info")
    return redirect(url_for("admin.list_reforms"))
