"""Survey definitions as JSON: export a version, import it back exactly.

The import checks the whole file before writing a row, so a refused file
leaves nothing behind.
"""

from __future__ import annotations

import json
from typing import Any

from flask_babel import gettext as _

from survey.domain import conditions as cond
from survey.domain.questions import (
    ConditionSpec,
    OptionSpec,
    PageSpec,
    QuestionSpec,
    SurveySpec,
    question_fields,
)
from survey.models import Survey, SurveyVersion, Unit, User
from survey.services.answering.surveys import stored_condition
from survey.services.audit import record_event
from survey.services.design.definition_check import (
    CODE_RE,
    FORMAT,
    FORMAT_VERSION,
    INT_FIELDS,
    MAX_BYTES,
    MAX_OPTIONS,
    MAX_PAGES,
    MAX_QUESTIONS,
    ExchangeError,
    _Checker,
)
from survey.services.design.definitions import create_survey

__all__ = [
    "CODE_RE",
    "FORMAT",
    "FORMAT_VERSION",
    "INT_FIELDS",
    "MAX_BYTES",
    "MAX_OPTIONS",
    "MAX_PAGES",
    "MAX_QUESTIONS",
    "ExchangeError",
    "check_spec",
    "export_definition",
    "import_definition",
    "read_definition",
    "spec_to_dict",
    "version_spec",
]


def version_spec(version: SurveyVersion) -> SurveySpec:
    """The spec of a stored version: what ``add_version_from_spec`` would rebuild."""
    by_id = {q.id: q for q in version.questions}
    pages = []
    for page in version.pages:
        questions = []
        for q in sorted(page.questions, key=lambda q: q.position):
            condition = None
            if q.condition_question_id is not None:
                condition = ConditionSpec(
                    by_id[q.condition_question_id].code,
                    tuple(q.condition_option_codes or ()),
                )
            questions.append(
                QuestionSpec(
                    **question_fields(q),
                    options=tuple(
                        OptionSpec(o.code, o.label_vi, o.label_en, o.is_other)
                        for o in q.options
                    ),
                    condition=condition,
                    show_if=stored_condition(q.show_if),
                    end_if=stored_condition(q.end_if),
                    whole_number=bool(q.whole_number),
                )
            )
        pages.append(
            PageSpec(
                page.title_vi,
                page.title_en,
                tuple(questions),
                stored_condition(page.show_if),
            )
        )
    return SurveySpec(
        title_vi=version.title_vi,
        title_en=version.title_en,
        intro_vi=version.intro_vi,
        intro_en=version.intro_en,
        thanks_vi=version.thanks_vi,
        thanks_en=version.thanks_en,
        pages=tuple(pages),
    )


def _rules(**conditions: cond.Condition | None) -> dict[str, Any]:
    """The conditions that are set, as plain data (absent keys: none)."""
    return {k: cond.to_data(c) for k, c in conditions.items() if c is not None}


def spec_to_dict(spec: SurveySpec) -> dict[str, Any]:
    def question(q: QuestionSpec) -> dict[str, Any]:
        return {
            "code": q.code,
            "type": q.type,
            "text_vi": q.text_vi,
            "text_en": q.text_en,
            "help_vi": q.help_vi,
            "help_en": q.help_en,
            "required": q.required,
            "dimension": q.dimension,
            "options": [
                {
                    "code": o.code,
                    "label_vi": o.label_vi,
                    "label_en": o.label_en,
                    "is_other": o.is_other,
                }
                for o in q.options
            ],
            "condition": (
                {
                    "question": q.condition.question_code,
                    "option_codes": list(q.condition.option_codes),
                }
                if q.condition
                else None
            ),
            **{name: getattr(q, name) for name in INT_FIELDS},
            **_rules(show_if=q.show_if, end_if=q.end_if),
            **({"whole_number": True} if q.whole_number else {}),
        }

    return {
        "title_vi": spec.title_vi,
        "title_en": spec.title_en,
        "intro_vi": spec.intro_vi,
        "intro_en": spec.intro_en,
        "thanks_vi": spec.thanks_vi,
        "thanks_en": spec.thanks_en,
        "pages": [
            {
                "title_vi": p.title_vi,
                "title_en": p.title_en,
                "questions": [question(q) for q in p.questions],
                **_rules(show_if=p.show_if),
            }
            for p in spec.pages
        ],
    }


def export_definition(survey: Survey) -> dict[str, Any]:
    """The newest version of ``survey`` (the draft, if any) as a JSON document."""
    version = survey.versions[-1]
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "slug": survey.slug,
        "version": version.number,
        "definition": spec_to_dict(version_spec(version)),
    }


def read_definition(raw: bytes) -> SurveySpec:
    """The spec in a JSON export, or ExchangeError with every reason found."""
    if len(raw) > MAX_BYTES:
        raise ExchangeError([_("The file is too large (at most 512 KB).")])
    try:
        document = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise ExchangeError([_("The file is not JSON.")]) from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ExchangeError(
            [_("The file is not a survey definition of this platform.")]
        )
    if document.get("format_version") != FORMAT_VERSION:
        raise ExchangeError(
            [_("This version of the definition format is not supported.")]
        )
    checker = _Checker()
    spec = checker.survey(document.get("definition"))
    if checker.reasons:
        raise ExchangeError(checker.reasons)
    return spec


def check_spec(spec: SurveySpec) -> SurveySpec:
    """``spec`` if the JSON import would accept it, else ExchangeError with reasons.

    Other importers (XLSForm) pass their spec through the same checks.
    """
    checker = _Checker()
    checked = checker.survey(spec_to_dict(spec))
    if checker.reasons:
        raise ExchangeError(checker.reasons)
    return checked


def import_definition(user: User, slug: str, raw: bytes, owner: Unit) -> Survey:
    """A new draft survey from an exported definition; nothing written on refusal."""
    spec = read_definition(raw)
    survey = create_survey(slug, spec, owner, [])
    record_event(user, "import_survey", "survey", slug, format="json")
    return survey
