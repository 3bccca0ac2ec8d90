"""Loading surveys for citizens: the open version for a unit, or a clear refusal."""

from __future__ import annotations

import unicodedata

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from survey.errors import abort_with
from survey.extensions import db
from survey.models import Question, Survey, SurveyVersion, Unit
from survey.models.surveys import OPEN, survey_units


def open_surveys() -> list[Survey]:
    surveys = db.session.scalars(
        select(Survey).where(Survey.status == OPEN).order_by(Survey.title_vi)
    )
    return [s for s in surveys if s.availability() == OPEN]


def get_public_survey_or_404(slug: str) -> Survey:
    survey = db.session.scalar(select(Survey).where(Survey.slug == slug))
    if survey is None or survey.published_version is None:
        abort_with(404, _("There is no survey at this address."))
    return survey  # type: ignore[return-value]


def ensure_answerable(survey: Survey) -> SurveyVersion:
    """The version citizens answer now, or 410 (closed) / 403 (not yet open)."""
    state = survey.availability()
    if state == "closed":
        abort_with(410, _("This survey is closed. Thank you for your interest."))
    if state == "not_yet":
        abort_with(403, _("This survey is not open yet. Please come back later."))
    return survey.published_version  # type: ignore[return-value]


def survey_unit_or_404(survey: Survey, unit_code: str) -> Unit:
    unit = db.session.scalar(select(Unit).where(Unit.code == unit_code))
    if unit is None or not unit.active:
        abort_with(404, _("There is no service point with this code."))
    assigned = db.session.scalar(
        select(survey_units.c.unit_id).where(
            survey_units.c.survey_id == survey.id, survey_units.c.unit_id == unit.id
        )
    )
    if assigned is None:
        abort_with(403, _("This service point is not part of this survey."))
    return unit  # type: ignore[return-value]


def load_version_questions(version: SurveyVersion) -> list[Question]:
    """Every question of the version with its options and pages, in three queries."""
    return list(
        db.session.scalars(
            select(Question)
            .where(Question.version_id == version.id)
            .options(selectinload(Question.options), selectinload(Question.page))
            .order_by(Question.position)
        )
    )


def _fold(value: str) -> str:
    """Lower case without diacritics, so "phuong ben thanh" finds "Phường Bến Thành"."""
    value = value.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", value)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def search_units(survey: Survey, query: str) -> list[Unit]:
    units = [u for u in survey.units if u.active]
    words = _fold(query).split()
    if not words:
        return units
    return [
        u
        for u in units
        if all(w in _fold(f"{u.name_vi} {u.name_en} {u.code}") for w in words)
    ]
