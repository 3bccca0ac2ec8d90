"""The data model, one module per aggregate."""

from survey.models.audit import AuditEvent
from survey.models.cases import ApiClient, CaseContact, ServiceCase
from survey.models.export_jobs import ExportJob
from survey.models.fieldwork import BackCheck, DataRequest
from survey.models.outbox import ChannelToken, OptOut, OutboxMessage, OutreachPlan
from survey.models.reforms import Reform, ReformLink
from survey.models.responses import (
    Answer,
    Response,
    ResponseCells,
    ResponseFlag,
)
from survey.models.reviews import UnitReview
from survey.models.surveys import Option, Page, Question, Survey, SurveyVersion
from survey.models.tallies import AnswerTally, FactorTally, ResponseTally, TallyState
from survey.models.units import Unit
from survey.models.users import User
from survey.models.waves import Invitation, Wave

__all__ = [
    "Answer",
    "AnswerTally",
    "ApiClient",
    "AuditEvent",
    "BackCheck",
    "DataRequest",
    "ExportJob",
    "FactorTally",
    "CaseContact",
    "ChannelToken",
    "Invitation",
    "Option",
    "OptOut",
    "OutboxMessage",
    "OutreachPlan",
    "Page",
    "Question",
    "Reform",
    "ReformLink",
    "Response",
    "ResponseCells",
    "ResponseFlag",
    "ResponseTally",
    "ServiceCase",
    "Survey",
    "SurveyVersion",
    "TallyState",
    "Unit",
    "UnitReview",
    "User",
    "Wave",
]
