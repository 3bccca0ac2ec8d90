"""The page a citizen sees when the answering service refuses: by code."""

from __future__ import annotations

from flask_babel import gettext as _

from survey.services.answering.errors import AnsweringError


def _refusals() -> dict[str, tuple[int, str]]:
    return {
        "survey_not_found": (404, _("There is no survey at this address.")),
        "survey_closed": (
            410,
            _("This survey is closed. Thank you for your interest."),
        ),
        "survey_not_open": (
            403,
            _("This survey is not open yet. Please come back later."),
        ),
        "unknown_service_point": (
            404,
            _("There is no service point with this code."),
        ),
        "service_point_not_in_survey": (
            403,
            _("This service point is not part of this survey."),
        ),
        "damaged_form": (
            400,
            _("The form was damaged on the way. Please reload the page."),
        ),
    }


def status_and_message(error: AnsweringError) -> tuple[int, str]:
    """The HTTP status and the citizen's sentence for a refusal."""
    return _refusals()[error.code]
