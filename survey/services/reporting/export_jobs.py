"""Large raw exports made by the job worker, not in the request.

The worker writes the file under ``instance/exports`` chunk by chunk and
keeps the number of responses done in the job store (not the database, whose
read of the export is still open), so that the page's progress bar moves. A
job killed mid-way is retried from the start: the file is written anew, under
a temporary name, and only then renamed, so a half file is never offered.
"""

from __future__ import annotations

import os
from pathlib import Path

from flask import current_app

from survey.extensions import db
from survey.models import Survey, Unit, User
from survey.models._time import utcnow
from survey.models.export_jobs import ExportJob
from survey.services.reporting import raw_export
from survey.services.reporting.result_filter import ResultFilter

PROGRESS_KEY = "export-progress-{}"


def export_dir() -> Path:
    """``EXPORT_DIR`` if set (shared by the hosts of the web and the worker),
    else ``instance/exports``."""
    configured = current_app.config.get("EXPORT_DIR")
    path = (
        Path(configured) if configured else Path(current_app.instance_path) / "exports"
    )
    path.mkdir(parents=True, exist_ok=True)
    return path


def file_path(job: ExportJob) -> Path:
    return export_dir() / f"export-{job.id}.{job.fmt}"


def start(user: User, survey: Survey, unit: Unit, flt: ResultFilter, fmt: str):  # type: ignore[no-untyped-def]
    job = ExportJob(
        user_id=user.id,
        survey_id=survey.id,
        unit_id=unit.id,
        filters=flt.to_args(),
        fmt=fmt,
        total=raw_export.count_rows(survey, unit, flt),
    )
    db.session.add(job)
    db.session.flush()
    return job


def progress(job: ExportJob) -> int:
    """Responses written so far (from the job store while it runs)."""
    if job.state != "running":
        return job.done
    from survey import jobs

    value = jobs.huey.get(PROGRESS_KEY.format(job.id), peek=True)
    return int(value or 0)


def begin(job_id: int) -> ExportJob | None:
    """The job marked running, or None when there is nothing to do (flushes;
    the caller commits before writing, so the page shows it running)."""
    job = db.session.get(ExportJob, job_id)
    if job is None or job.state == "done":
        return None
    job.state, job.done = "running", 0
    db.session.flush()
    return job


def write_file(job: ExportJob) -> int:
    """Write the job's file under a temporary name, then rename it; how many
    responses it holds. Writes nothing to the database."""
    from survey import jobs
    from survey.results.raw_download import raw_file

    survey = db.session.get(Survey, job.survey_id)
    unit = db.session.get(Unit, job.unit_id)
    flt = ResultFilter.from_args(job.filters)
    key = PROGRESS_KEY.format(job.id)
    done = 0

    def moved(batch: int) -> None:  # called with each batch's size
        nonlocal done
        done += batch
        jobs.huey.put(key, done)

    target = file_path(job)
    partial = target.with_suffix(target.suffix + ".part")
    with partial.open("wb") as handle:
        for chunk in raw_file(survey, unit, flt, job.fmt, progress=moved):
            handle.write(chunk.encode("utf-8") if isinstance(chunk, str) else chunk)
    os.replace(partial, target)
    jobs.huey.delete(key)
    return done


def mark_failed(job_id: int) -> None:
    """The job failed (after a rollback); flushes."""
    job = db.session.get(ExportJob, job_id)
    assert job is not None
    job.state = "failed"
    db.session.flush()


def finish(job_id: int, done: int) -> None:
    """The job done, with its file's name; flushes."""
    job = db.session.get(ExportJob, job_id)
    assert job is not None
    survey = db.session.get(Survey, job.survey_id)
    unit = db.session.get(Unit, job.unit_id)
    assert survey is not None and unit is not None
    job.state, job.done = "done", done
    job.file_name = f"{survey.slug}-{unit.code}-responses.{job.fmt}"
    job.finished_at = utcnow()
    db.session.flush()
