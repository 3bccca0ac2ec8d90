"""Why a citizen cannot answer here and now: the answering service's refusals.

Each carries a code; ``survey/public/refusals.py`` gives its HTTP status and
the sentence the citizen reads.
"""

from __future__ import annotations

from survey.domain.errors import DomainError


class AnsweringError(DomainError):
    """A survey, service point or form a citizen cannot answer."""


class SurveyNotFound(AnsweringError):
    code = "survey_not_found"


class SurveyClosed(AnsweringError):
    code = "survey_closed"


class SurveyNotOpen(AnsweringError):
    code = "survey_not_open"


class UnknownServicePoint(AnsweringError):
    code = "unknown_service_point"


class ServicePointNotInSurvey(AnsweringError):
    code = "service_point_not_in_survey"


class DamagedForm(AnsweringError):
    code = "damaged_form"
