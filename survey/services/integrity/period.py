"""The period the quality flags and integrity indicators are computed over."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy.sql.elements import ColumnElement

from survey.models import Response, Survey

LIKERT = "likert5"
CHECK_DIMENSION = "check"
OVERALL_DIMENSION = "overall"


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    @property
    def since(self) -> datetime:
        return datetime.combine(self.start, time())

    @property
    def until(self) -> datetime:
        return datetime.combine(self.end + timedelta(days=1), time())


def in_period(survey: Survey, period: Period) -> list[ColumnElement[bool]]:
    return [
        Response.survey_id == survey.id,
        Response.submitted_at >= period.since,
        Response.submitted_at < period.until,
    ]
