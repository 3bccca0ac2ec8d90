"""Large raw exports as jobs: started from the results page, made by the
worker, followed on a page whose progress bar moves, downloaded when done.
Administrators only; the start is audited as the direct download is."""

from __future__ import annotations

from flask import (
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from survey.admin.forms import ActionForm
from survey.admin.views import bp
from survey.auth.rights import require_admin, survey_in_scope
from survey.extensions import db
from survey.models import Survey, Unit
from survey.models.export_jobs import ExportJob
from survey.services.audit import record_event
from survey.services.reporting import export_jobs
from survey.services.reporting.result_filter import ResultFilter

FORMATS = ("csv", "xlsx", "sav")


@bp.post("/exports/new")
def start_export() -> Response:
    require_admin()
    form = ActionForm()
    survey = (
        db.session.query(Survey).filter_by(slug=request.form.get("slug", "")).first()
    )
    code = request.form.get("code", "")
    unit = db.session.query(Unit).filter_by(code=code).first() if code else None
    unit = unit or current_user.unit
    fmt = request.form.get("fmt", "")
    if not form.validate_on_submit() or survey is None or fmt not in FORMATS:
        flash(_("This export cannot be started as asked."), "error")
        return redirect(url_for("admin.index"))
    if not survey_in_scope(survey) or not current_user.can_see(unit):
        abort(403)
    flt = ResultFilter.from_args(request.form)
    job = export_jobs.start(current_user, survey, unit, flt, fmt)
    record_event(
        current_user,
        "export_raw",
        "survey",
        survey.id,
        unit=unit.code,
        filters=flt.to_args(),
        format=fmt,
        job=job.id,
    )
    db.session.commit()
    from survey import jobs

    try:
        jobs.run_export(job.id)
    except Exception:  # the queue unreachable: the page says it waits
        current_app.logger.warning("exports: could not queue export %s", job.id)
    return redirect(url_for("admin.show_export", job_id=job.id))


def _own_job_or_404(job_id: int) -> ExportJob:
    require_admin()
    job = db.session.get(ExportJob, job_id)
    if job is None:
        abort(404)
    if job.user_id != current_user.id:
        abort(403)  # personal data: only for the one who asked
    return job


def _status(job: ExportJob) -> dict[str, object]:
    done = export_jobs.progress(job)
    return {
        "state": job.state,
        "done": done,
        "total": job.total,
        "download": url_for("admin.download_export", job_id=job.id)
        if job.state == "done"
        else None,
    }


@bp.get("/exports/<int:job_id>")
def show_export(job_id: int) -> str:
    job = _own_job_or_404(job_id)
    return render_template(
        "admin/export_job.html",
        job=job,
        status=_status(job),
        survey=db.session.get(Survey, job.survey_id),
        unit=db.session.get(Unit, job.unit_id),
    )


@bp.get("/exports/<int:job_id>/status")
def export_status(job_id: int) -> Response:
    response = jsonify(_status(_own_job_or_404(job_id)))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/exports/<int:job_id>/download")
def download_export(job_id: int) -> Response | str:
    job = _own_job_or_404(job_id)
    path = export_jobs.file_path(job)
    if job.state != "done" or not path.exists():
        return show_export(job_id)  # not ready: the page that waits for it
    response = send_file(path, as_attachment=True, download_name=job.file_name)
    response.headers["Cache-Control"] = "no-store"
    return response
