"""Every refusal code a service can raise has the admin's sentence, by code."""

from __future__ import annotations

import pytest

from survey.admin.messages import message_for, messages_for
from survey.domain.errors import DomainError
from survey.models.surveys import SurveyError
from survey.models.units import UnitError
from survey.services.design.designer import DesignerError
from survey.services.design.translation_sheet import SheetError
from survey.services.fieldwork.cases import ApiClientError
from survey.services.fieldwork.outbox_plans import PlanError
from survey.services.fieldwork.waves import WaveInputError
from survey.services.users import UserError

KINDS = [
    SurveyError,
    DesignerError,
    UnitError,
    UserError,
    WaveInputError,
    PlanError,
    SheetError,
    ApiClientError,
]


@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: kind.__name__)
def test_every_code_has_a_sentence(app, kind: type[DomainError]) -> None:
    assert kind.codes, kind
    with app.test_request_context("/"):
        missing = kind.codes - set(messages_for(kind))
    assert not missing, missing


def test_an_unknown_code_is_refused_at_once() -> None:
    with pytest.raises(ValueError, match="has no code"):
        UnitError("no such code")


def test_the_sentence_follows_the_code_not_the_text(app) -> None:
    with app.test_request_context("/?lang=en"):
        error = WaveInputError("period_order", "any words at all")
        assert message_for(error) == "The period must end on or after its start."
        assert message_for(DesignerError("slug_taken")).startswith("This address")
        # The same code in two kinds of error reads differently.
        assert message_for(UnitError("code_taken")) != message_for(
            DesignerError("code_taken")
        )
