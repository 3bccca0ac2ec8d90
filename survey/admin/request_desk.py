"""The request desk: a person's export or erasure request, recorded with its
due date (two working days) and answered. City-wide administrators only, every
act audited without the contact."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from survey.admin import me
from survey.admin.fieldwork_forms import (
    KIND_LABELS,
    STATE_LABELS,
    DataRequestForm,
    RequestStateForm,
)
from survey.admin.views import bp
from survey.auth.rights import require_independent
from survey.domain.working_days import REQUEST_WORKING_DAYS
from survey.extensions import db
from survey.models._time import utcnow
from survey.models.fieldwork import DataRequest
from survey.services.audit import record_event
from survey.services.fieldwork import data_requests as desk


def _page(form: DataRequestForm, status: int = 200) -> tuple[str, int]:
    today = utcnow().date()
    requests = desk.requests_by_due_date()
    return render_template(
        "admin/requests.html",
        form=form,
        requests=requests,
        overdue={r.id for r in requests if desk.is_overdue(r, today)},
        state_forms={
            r.id: RequestStateForm(formdata=None, obj=r, prefix=f"r{r.id}")
            for r in requests
        },
        kind_labels=KIND_LABELS,
        state_labels=STATE_LABELS,
        working_days=REQUEST_WORKING_DAYS,
        format_date=format_date,
    ), status


@bp.get("/requests")
def list_requests() -> tuple[str, int]:
    require_independent()
    form = DataRequestForm(formdata=None)
    form.received_on.data = utcnow().date()
    return _page(form)


@bp.post("/requests/new")
def create_request() -> Response | tuple[str, int]:
    require_independent()
    form = DataRequestForm()
    if not form.validate_on_submit():
        return _page(form, 422)
    request = desk.record_request(
        form.kind.data, form.contact.data, form.received_on.data, me(), form.note.data
    )
    record_event(
        me(),
        "create",
        "data_request",
        request.id,
        kind=request.kind,
        due_on=request.due_on.isoformat(),
    )
    db.session.commit()
    flash(
        _("Request recorded: due on %(date)s.", date=format_date(request.due_on)),
        "info",
    )
    return redirect(url_for("admin.list_requests"))


@bp.post("/requests/<int:request_id>")
def update_request(request_id: int) -> Response:
    require_independent()
    request = db.session.get(DataRequest, request_id)
    if request is None:
        abort(404)
    form = RequestStateForm(prefix=f"r{request.id}")
    if form.validate_on_submit():
        desk.update_request(request, form.state.data, form.note.data)
        record_event(me(), "update", "data_request", request.id, state=request.state)
        db.session.commit()
        flash(_("The request is updated."), "info")
    else:
        for errors in form.errors.values():
            for message in errors:
                flash(message, "error")
    return redirect(url_for("admin.list_requests"))
