"""Warming a new gunicorn worker before it takes its first request."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from survey.extensions import db
from survey.models import Survey
from survey.models.surveys import OPEN

MAX_SURVEYS = 5  # a bound on a worker's start-up, however many are open


def warm_up(app: Flask) -> None:
    """Work out the city overview of the open surveys once, and discard it.

    A fresh worker otherwise compiles the overview's SQL statements
    (SQLAlchemy keeps them per process) and plans them on a new database
    connection during the first leader's request: about 150 ms more than
    warm at a million responses on PostgreSQL. A failure is logged, never
    raised: a worker must start even while the database is away.
    """
    from survey.services.reporting import reports
    from survey.services.reporting.result_filter import ResultFilter

    if "sqlalchemy" not in app.extensions:  # another app under this config
        return
    try:
        with app.app_context():
            surveys = db.session.scalars(
                select(Survey).where(Survey.status == OPEN).limit(MAX_SURVEYS)
            )
            for survey in surveys:
                if survey.published_version is not None:
                    reports.overview(survey, survey.owner_unit, ResultFilter())
            db.session.rollback()
    except Exception:  # noqa: BLE001 - start anyway; the first page will be slower
        app.logger.warning("warm-up skipped", exc_info=True)
