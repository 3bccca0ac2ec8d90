"""The admin's words for every refusal of a service, looked up by its code.

One home: a service raises a ``DomainError`` with a code (survey/domain/errors.py),
and the admin's views ask ``message_for(error)`` for the sentence, in the
reader's language. A new code gets its sentence here (tests/admin check that
every code has one).
"""

from __future__ import annotations

from flask_babel import gettext as _

from survey.domain.errors import DomainError
from survey.models.surveys import SurveyError
from survey.models.units import UnitError
from survey.services.design.translation_sheet import SheetError
from survey.services.fieldwork.cases import ApiClientError
from survey.services.fieldwork.outbox_plans import PlanError
from survey.services.fieldwork.waves import WaveInputError
from survey.services.users import UserError


def _survey_messages() -> dict[str, str]:
    """The designer's and the survey model's refusals (DesignerError, SurveyError)."""
    return {
        "slug_taken": _("This address is taken by another survey: choose another."),
        "draft_exists": _("This survey already has a draft: edit that one."),
        "nothing_published": _("Nothing is published yet: edit the draft."),
        "no_draft": _("There is no draft to publish."),
        "window_order": _("The survey must close after it opens."),
        "page_not_empty": _("Move or delete the page's questions first."),
        "last_page": _("A survey keeps at least one page."),
        "unknown_type": _("Unknown question type."),
        "code_taken": _("Another question of this survey already has this code."),
        "options_needed": _("A choice question needs at least one option."),
        "unknown_page": _("Choose one of the survey's pages."),
        "condition_unknown": _("Choose an earlier question for the condition."),
        "condition_order": _(
            "A question can only depend on a question asked before it."
        ),
        "condition_codes": _(
            "The condition's option codes must be options of the earlier question."
        ),
        "condition_source": _(
            "Another question depends on this one: change that condition first."
        ),
        "cannot_move": _("The question cannot move further."),
        "nothing_to_copy": _("This survey has no version to copy."),
        "only_version": _(
            "This draft is the survey's only version: delete the survey instead."
        ),
        "survey_in_use": _(
            "This survey was published or holds answers: close it instead."
        ),
        "unknown_action": _("This change is not possible."),
        "no_questions": _("Add at least one question before publishing."),
        "open_unpublished": _("Publish a version before opening the survey."),
        "published_frozen": _(
            "This version is published: start a new draft to change it."
        ),
    }


def _unit_messages() -> dict[str, str]:
    return {
        "code_taken": _("This code is taken by another unit: choose another."),
        "unknown_kind": _("Choose one of the kinds offered."),
        "scope_root": _("You cannot move or deactivate the unit of your own scope."),
        "cycle": _("A unit cannot move under itself or one of its own units."),
    }


def _user_messages() -> dict[str, str]:
    return {
        "email_taken": _("A user with this e-mail exists already."),
        "self": _("You cannot disable yourself or change your own role."),
        "own_password": _(
            "Change your own password on the password page, with your current one."
        ),
        "unknown_role": _("Choose one of the roles offered."),
    }


def _wave_messages() -> dict[str, str]:
    fallback = _("This wave cannot be created as asked.")
    return {
        "no_published_version": _("The wave needs a published version of the survey."),
        "period_order": _("The period must end on or after its start."),
        "no_units": _("Choose at least one unit."),
        "sample_size": fallback,
        "oversampling": fallback,
    }


def _plan_messages() -> dict[str, str]:
    fallback = _("This plan cannot be used as given.")
    return {
        "no_channel": _("Choose at least one channel."),
        "link_missing": _("Every text needs $link and $optout."),
        "unknown_placeholder": _(
            "A text uses a placeholder other than $unit, $link and $optout."
        ),
        "no_public_address": _("Save the site's public address in the plan first."),
        "wave_not_drawn": _("Only a drawn wave that is not closed sends messages."),
        "reminder_count": fallback,
        "reminder_gap": fallback,
    }


def _api_client_messages() -> dict[str, str]:
    return {
        "name_taken": _("An API client with this name exists already."),
        "name_length": _("At most 100 characters."),
    }


def sheet_reasons() -> dict[str, str]:
    """The translation sheet's refusals (SheetError) and its rows' reasons."""
    return {
        "unknown_key": _("no such text in this draft"),
        "vietnamese_changed": _(
            "the Vietnamese text changed since the sheet was made: translate it again"
        ),
        "too_long": _("the English text is too long"),
        "not_a_workbook": _("This file is not an .xlsx workbook."),
        "wrong_columns": _(
            "The first row must be the sheet's own header: key, vietnamese, english."
        ),
        "too_many_rows": _("The sheet has too many rows."),
        "published": _("This version is published: start a new draft to change it."),
    }


def _tables() -> dict[type[DomainError], dict[str, str]]:
    return {
        SurveyError: _survey_messages(),  # and its subclass DesignerError
        UnitError: _unit_messages(),
        UserError: _user_messages(),
        WaveInputError: _wave_messages(),
        PlanError: _plan_messages(),
        SheetError: sheet_reasons(),
        ApiClientError: _api_client_messages(),
    }


def messages_for(kind: type[DomainError]) -> dict[str, str]:
    """Every sentence of one kind of error, by code (the nearest table)."""
    tables = _tables()
    for cls in kind.__mro__:
        if cls in tables:
            return tables[cls]
    return {}


def message_for(error: DomainError) -> str:
    """The sentence the admin reads for a refusal, by the error's code."""
    fallback: str = _("This change is not possible.")
    return messages_for(type(error)).get(error.code, fallback)
