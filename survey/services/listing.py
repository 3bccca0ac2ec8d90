"""Survey lists for the staff pages, counted in SQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from survey.extensions import db
from survey.models import Response, Survey, Unit
from survey.models.surveys import survey_units

STATUS_LABELS = {"draft": _l("Draft"), "open": _l("Open"), "closed": _l("Closed")}


@dataclass(frozen=True)
class SurveyRow:
    survey: Survey
    units: int
    responses: int
    last: datetime | None


def survey_rows(surveys: list[Survey], scope: Unit) -> list[SurveyRow]:
    """Each survey with its unit count and responses within ``scope``."""
    ids = [s.id for s in surveys]
    if not ids:
        return []
    unit_counts = dict(
        db.session.execute(
            select(survey_units.c.survey_id, func.count())
            .where(survey_units.c.survey_id.in_(ids))
            .group_by(survey_units.c.survey_id)
        ).all()
    )
    response_counts = {
        survey_id: (count, last)
        for survey_id, count, last in db.session.execute(
            select(Response.survey_id, func.count(), func.max(Response.submitted_at))
            .join(Unit, Response.unit_id == Unit.id)
            .where(Response.survey_id.in_(ids), Unit.path.startswith(scope.path))
            .group_by(Response.survey_id)
        ).all()
    }
    return [
        SurveyRow(
            survey=s,
            units=unit_counts.get(s.id, 0),
            responses=response_counts.get(s.id, (0, None))[0],
            last=response_counts.get(s.id, (0, None))[1],
        )
        for s in surveys
    ]
