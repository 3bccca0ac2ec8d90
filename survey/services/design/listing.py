"""Survey lists for the staff pages, counted in SQL."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from survey.extensions import db
from survey.models import Response, Survey, Unit
from survey.models.surveys import survey_units
from survey.services.reporting.result_filter import ResultFilter
from survey.services.reporting.unit_counts import responses_by_unit

STATUS_LABELS = {
    "draft": _l("Draft"),
    "published": _l("Published, not open yet"),
    "open": _l("Open"),
    "closed": _l("Closed"),
}  # by Survey.display_status


@dataclass(frozen=True)
class SurveyRow:
    survey: Survey
    units: int
    responses: int
    last: datetime | None


def _last_received(survey: Survey, scope: Unit) -> datetime | None:
    """When the newest response (by arrival, the id's order) in scope was sent.

    Walking the primary key backwards stops at the first match; a MAX over the
    submission times would read every response of the survey.
    """
    return db.session.scalar(
        select(Response.submitted_at)
        .where(
            # "+ 0": no index for these, so SQLite walks the primary key
            Response.survey_id + 0 == survey.id,
            (Response.unit_id + 0).in_(Unit.subtree_ids(scope)),
        )
        .order_by(Response.id.desc())
        .limit(1)
    )


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
    everything = ResultFilter(include_flagged=True)
    response_counts = {
        s.id: sum(responses_by_unit(s, scope, everything).values()) for s in surveys
    }
    return [
        SurveyRow(
            survey=s,
            units=unit_counts.get(s.id, 0),
            responses=response_counts[s.id],
            last=_last_received(s, scope) if response_counts[s.id] else None,
        )
        for s in surveys
    ]


def _folded(text: str) -> str:
    """Lower case without accents, so "phuong" finds "Phường"."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def matches(survey: Survey, query: str) -> bool:
    """Whether a search of the survey list finds ``survey``."""
    if not query:
        return True
    haystack = _folded(f"{survey.slug} {survey.title_vi} {survey.title_en}")
    return all(word in haystack for word in _folded(query).split())
