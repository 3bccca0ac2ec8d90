"""Service cases, API clients and a person's contact data: administrators only."""

from __future__ import annotations

import json

from flask import flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from survey.admin import me
from survey.admin.forms import (
    ActionForm,
    ApiClientForm,
    CaseImportForm,
    ContactDataForm,
)
from survey.admin.messages import message_for
from survey.admin.views import bp
from survey.auth.rights import require_admin, require_city_admin
from survey.extensions import db
from survey.models import ApiClient
from survey.services.audit import record_event
from survey.services.fieldwork import cases as case_service
from survey.services.fieldwork import waves as wave_service

MAX_REPORTED = 200


def case_file_message(error: case_service.CaseFileError) -> str:
    message: str  # flask_babel has no types: _() reads as Any
    if error.kind == "encoding":
        message = _("The file is not UTF-8 text: save it as 'CSV UTF-8' and try again.")
    elif error.kind == "columns":
        message = _("The file lacks the column(s) %(detail)s.", detail=error.detail)
    else:
        message = _(
            "The file is not a readable CSV file (line %(line)s).", line=error.line
        )
    return message


@bp.get("/cases")
def list_cases() -> str:
    require_admin()
    table = case_service.case_counts(current_user.unit)
    return render_template("admin/cases.html", table=table)


@bp.route("/cases/import", methods=["GET", "POST"])
def import_cases() -> str | tuple[str, int]:
    require_admin()
    form = CaseImportForm()
    report = None
    if form.validate_on_submit():
        try:
            rows = case_service.read_case_csv(form.file.data.read())
        except case_service.CaseFileError as error:
            form.file.errors.append(case_file_message(error))
        else:
            report = case_service.import_cases(
                rows, all_or_nothing=form.all_or_nothing.data, scope=current_user.unit
            )
            if report.aborted:
                db.session.rollback()
            else:
                record_event(
                    me(),
                    "import",
                    "service_cases",
                    via="web",
                    file=(form.file.data.filename or "")[:200],
                    added=report.added,
                    duplicates=report.duplicates,
                    rejected=len(report.rejected),
                )
                db.session.commit()
    status = 422 if form.errors or (report and report.rejected) else 200
    return render_template(
        "admin/import_cases.html",
        form=form,
        report=report,
        shown=report.rejected[:MAX_REPORTED] if report else [],
    ), status


# --- API clients: the one-stop system's tokens ---------------------------------


@bp.route("/api-clients", methods=["GET", "POST"])
def list_api_clients() -> Response:
    require_city_admin()
    form = ApiClientForm()
    token = None
    if form.validate_on_submit():
        try:
            _client, token = case_service.register_api_client(me(), form.name.data)
        except case_service.ApiClientError as error:
            form.name.errors.append(message_for(error))
        else:
            db.session.commit()
            form = ApiClientForm(formdata=None)
    status = 422 if form.errors else 200
    page = make_response(
        render_template(
            "admin/api_clients.html",
            form=form,
            clients=case_service.api_clients(),
            token=token,
            action_form=ActionForm(),
        ),
        status,
    )
    page.headers["Cache-Control"] = "no-store"  # the new token is shown once
    return page


@bp.post("/api-clients/<int:client_id>/revoke")
def revoke_api_client(client_id: int) -> Response:
    require_city_admin()
    client = db.get_or_404(ApiClient, client_id)
    if ActionForm().validate_on_submit() and case_service.revoke_api_client(client):
        record_event(me(), "revoke", "api_client", client.id, name=client.name)
        db.session.commit()
        flash(_("The token of %(name)s is revoked.", name=client.name), "info")
    return redirect(url_for("admin.list_api_clients"))


# --- a person's request (Law No. 91/2025/QH15) ----------------------------------


@bp.route("/contact-data", methods=["GET", "POST"])
def contact_data() -> Response:
    require_admin()
    form = ContactDataForm()
    action = request.form.get("action", "export")
    records = None
    if form.validate_on_submit() and action in ("export", "download", "erase"):
        phone = form.phone.data
        if action == "erase":
            if not form.confirm_erase.data:
                form.confirm_erase.errors.append(
                    _("Tick the box to confirm the erasure.")
                )
            else:
                erased = wave_service.erase_person(phone, me(), scope=current_user.unit)
                db.session.commit()
                flash(
                    _("The number was erased from %(n)s case contact(s).", n=erased),
                    "info",
                )
                return redirect(url_for("admin.contact_data"))
        else:
            records = wave_service.person_contact_data(
                phone, me(), scope=current_user.unit
            )
            db.session.commit()
            if action == "download":
                body = json.dumps(records, ensure_ascii=False, indent=2)
                return Response(
                    body,
                    mimetype="application/json",
                    headers={
                        "Content-Disposition": "attachment; filename=contact-data.json",
                        "Cache-Control": "no-store",
                    },
                )
    status = 422 if form.errors else 200
    page = make_response(
        render_template("admin/contact_data.html", form=form, records=records), status
    )
    page.headers["Cache-Control"] = "no-store"  # personal data on the page
    return page
