"""The unit tree: view, add, edit, move, deactivate, import from CSV."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from survey.admin.forms import (
    UNIT_KIND_LABELS,
    ActionForm,
    EditUnitForm,
    MoveUnitForm,
    UnitForm,
    UnitImportForm,
)
from survey.admin.messages import message_for
from survey.admin.views import bp
from survey.auth.rights import get_unit_in_scope_or_404, unit_in_scope
from survey.extensions import db
from survey.models.units import UnitError
from survey.services.city import units as unit_service


@bp.get("/units")
def list_units() -> str:
    tree = unit_service.unit_tree(current_user.unit)
    return render_template(
        "admin/units.html", tree=tree, form=ActionForm(), kind_labels=UNIT_KIND_LABELS
    )


@bp.route("/units/new", methods=["GET", "POST"])
def add_unit() -> str | Response | tuple[str, int]:
    form = UnitForm()
    if form.validate_on_submit():
        parent = unit_in_scope(form.parent_code.data.strip())
        if parent is None:
            form.parent_code.errors.append(
                _("Give the code of a unit in your scope as the parent.")
            )
        else:
            try:
                unit = unit_service.add_unit(
                    current_user,
                    form.code.data.strip(),
                    parent,
                    form.name_vi.data.strip(),
                    form.name_en.data.strip(),
                    form.kind.data,
                )
            except UnitError as error:
                form.code.errors.append(message_for(error))
            else:
                db.session.commit()
                flash(_("Unit %(code)s added.", code=unit.code), "info")
                return redirect(url_for("admin.list_units"))
    elif not form.is_submitted():
        form.parent_code.data = current_user.unit.code
    status = 422 if form.errors else 200
    return render_template("admin/edit_unit.html", form=form, unit=None), status


@bp.route("/units/<code>", methods=["GET", "POST"])
def edit_unit(code: str) -> str | Response | tuple[str, int]:
    unit = get_unit_in_scope_or_404(code)
    form = EditUnitForm(obj=unit)
    if form.validate_on_submit():
        unit_service.update_unit(
            current_user,
            unit,
            form.name_vi.data.strip(),
            form.name_en.data.strip(),
            form.kind.data,
        )
        db.session.commit()
        flash(_("Unit saved."), "info")
        return redirect(url_for("admin.list_units"))
    status = 422 if form.errors else 200
    return render_template(
        "admin/edit_unit.html",
        form=form,
        unit=unit,
        move_form=MoveUnitForm(formdata=None),
        action_form=ActionForm(),
    ), status


@bp.post("/units/<code>/move")
def move_unit(code: str) -> Response:
    unit = get_unit_in_scope_or_404(code)
    form = MoveUnitForm()
    if form.validate_on_submit():
        parent = unit_in_scope(form.parent_code.data.strip())
        if parent is None:
            flash(_("Give the code of a unit in your scope as the parent."), "error")
        else:
            try:
                unit_service.move_unit(current_user, unit, parent)
            except UnitError as error:
                db.session.rollback()
                flash(message_for(error), "error")
            else:
                db.session.commit()
                flash(_("Unit moved."), "info")
                return redirect(url_for("admin.list_units"))
    else:
        flash(_("Please give the new parent's code."), "error")
    return redirect(url_for("admin.edit_unit", code=code))


@bp.post("/units/<code>/active")
def set_unit_active(code: str) -> Response:
    unit = get_unit_in_scope_or_404(code)
    if ActionForm().validate_on_submit():
        try:
            unit_service.set_unit_active(current_user, unit, not unit.active)
        except UnitError as error:
            flash(message_for(error), "error")
        else:
            db.session.commit()
            flash(_("Unit saved."), "info")
    return redirect(url_for("admin.list_units"))


@bp.route("/units/import", methods=["GET", "POST"])
def import_units() -> str | tuple[str, int]:
    form = UnitImportForm()
    report = None
    if form.validate_on_submit():
        data = form.file.data.read()
        report = unit_service.import_units_csv(current_user, data, current_user.unit)
        db.session.commit()
    status = 422 if form.errors else 200
    return render_template("admin/import_units.html", form=form, report=report), status
