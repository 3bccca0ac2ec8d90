"""Turning a survey spec (a bank, an import) into rows of a draft version."""

from __future__ import annotations

from collections.abc import Sequence

from survey.domain.conditions import to_data
from survey.domain.questions import OptionSpec, SurveySpec, question_fields
from survey.extensions import db
from survey.models import Option, Page, Question, Survey, SurveyVersion, Unit


def option_rows(options: Sequence[OptionSpec]) -> list[Option]:
    """New option rows for ``options``, positioned in their order."""
    return [
        Option(
            position=i,
            code=o.code,
            label_vi=o.label_vi,
            label_en=o.label_en,
            is_other=o.is_other,
        )
        for i, o in enumerate(options)
    ]


def add_version_from_spec(survey: Survey, spec: SurveySpec) -> SurveyVersion:
    """A new draft version of ``survey`` holding the spec's pages and questions."""
    number = max((v.number for v in survey.versions), default=0) + 1
    version = SurveyVersion(
        survey=survey,
        number=number,
        title_vi=spec.title_vi,
        title_en=spec.title_en,
        intro_vi=spec.intro_vi,
        intro_en=spec.intro_en,
        thanks_vi=spec.thanks_vi,
        thanks_en=spec.thanks_en,
    )
    db.session.add(version)
    by_code: dict[str, Question] = {}
    position = 0
    for page_number, page_spec in enumerate(spec.pages):
        page = Page(
            version=version,
            position=page_number,
            title_vi=page_spec.title_vi,
            title_en=page_spec.title_en,
            show_if=to_data(page_spec.show_if) if page_spec.show_if else None,
        )
        db.session.add(page)
        for q in page_spec.questions:
            question = Question(
                version=version,
                page=page,
                position=position,
                **question_fields(q),
                whole_number=q.whole_number,
                show_if=to_data(q.show_if) if q.show_if else None,
                end_if=to_data(q.end_if) if q.end_if else None,
                options=option_rows(q.options),
            )
            if q.condition is not None:
                question.condition_question = by_code[q.condition.question_code]
                question.condition_option_codes = list(q.condition.option_codes)
            db.session.add(question)
            by_code[q.code] = question
            position += 1
    db.session.flush()
    return version


def create_survey(
    slug: str, spec: SurveySpec, owner: Unit, units: list[Unit]
) -> Survey:
    """A new survey with its first draft version built from ``spec``."""
    survey = Survey(
        slug=slug,
        title_vi=spec.title_vi,
        title_en=spec.title_en,
        owner_unit=owner,
        units=units,
    )
    db.session.add(survey)
    add_version_from_spec(survey, spec)
    return survey
