"""A survey's life beyond editing: copied, its draft discarded, deleted unused.

Only what no citizen has seen can go: a draft version, or a whole survey that
was never published and holds no response, wave, review or tally.
"""

from __future__ import annotations

from sqlalchemy import select

from survey.extensions import db
from survey.models import (
    AnswerTally,
    FactorTally,
    Response,
    ResponseTally,
    Survey,
    Unit,
    UnitReview,
    User,
    Wave,
)
from survey.services.audit import record_event
from survey.services.design.definitions import create_survey
from survey.services.design.designer import slug_taken
from survey.services.design.errors import DesignerError
from survey.services.design.exchange import version_spec


def duplicate_survey(
    user: User, source: Survey, slug: str, title_vi: str, title_en: str, owner: Unit
) -> Survey:
    """A new draft survey with the questions of ``source``'s newest version.

    Units, window, settings and answers stay with the source: the copy is
    assigned afresh.
    """
    if slug_taken(slug):
        raise DesignerError("slug_taken")
    version = source.draft_version or source.published_version
    if version is None:
        raise DesignerError("nothing_to_copy")
    spec = version_spec(version).retitled(title_vi, title_en)
    survey = create_survey(slug, spec, owner, [])
    survey.min_n = source.min_n
    db.session.flush()
    record_event(
        user,
        "duplicate_survey",
        "survey",
        survey.slug,
        source=source.slug,
        version=version.number,
    )
    return survey


def _holds_data(survey: Survey) -> bool:
    for model in (Response, Wave, UnitReview, ResponseTally, FactorTally, AnswerTally):
        found = db.session.scalar(
            select(model.survey_id).where(model.survey_id == survey.id).limit(1)
        )
        if found is not None:
            return True
    return False


def can_delete(survey: Survey) -> bool:
    return survey.published_version is None and not _holds_data(survey)


def discard_draft(user: User, survey: Survey) -> None:
    """Drop the draft version; the published one stays as citizens answer it."""
    draft = survey.draft_version
    if draft is None:
        raise DesignerError("no_draft")
    if survey.published_version is None:
        raise DesignerError("only_version")
    number = draft.number
    for question in draft.questions:  # conditions first: they point inside
        question.condition_question = None
    db.session.flush()
    survey.versions.remove(draft)
    db.session.flush()
    record_event(user, "discard_draft", "survey", survey.slug, version=number)


def delete_unused_survey(user: User, survey: Survey) -> None:
    """Delete a survey that was never published and holds nothing."""
    if not can_delete(survey):
        raise DesignerError("survey_in_use")
    slug = survey.slug
    for version in survey.versions:
        for question in version.questions:
            question.condition_question = None
    db.session.flush()
    survey.units.clear()
    db.session.delete(survey)
    db.session.flush()
    record_event(user, "delete_survey", "survey", slug)
