"""The answer form's page-by-page flow, shared by the public and invited links.

A view loads the survey version and the unit, then hands over to
``run_answer_form`` with the channels its tickets may carry and what to do
with a complete, checked response.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import replace
from urllib.parse import urlsplit, urlunsplit

from flask import render_template, request
from werkzeug.wrappers import Response as HttpResponse

from survey import current_lang
from survey.domain.answers import CleanAnswer, QuestionRule, check_answers
from survey.models import Question, Survey, SurveyVersion, Unit
from survey.public.devices import request_device_key
from survey.public.forms import (
    AnswerForm,
    Ticket,
    issue_ticket,
    raw_answers,
    read_ticket,
)
from survey.public.page_cache import first_page
from survey.public.pages import (
    FormPage,
    Step,
    error_messages,
    group_pages,
    is_last_page,
    navigate,
    questions_to_show,
)
from survey.public.scripting import page_scripts
from survey.services.answering.errors import DamagedForm
from survey.services.answering.responses import Submission, rules_for
from survey.services.answering.surveys import (
    form_questions,
    version_minutes,
    version_of_ticket_or_400,
)

# Called with the version answered, its questions, the checked answers and the
# submission; returns the redirect to the thank-you page.
OnSubmit = Callable[
    [SurveyVersion, Sequence[Question], dict[int, CleanAnswer], Submission],
    HttpResponse,
]


def run_answer_form(
    survey: Survey,
    version: SurveyVersion,
    unit: Unit,
    channel: str,
    allowed_channels: Collection[str],
    on_submit: OnSubmit,
    template: str = "public/answer.html",
    context: Mapping[str, object] | None = None,
    cacheable: bool = False,
) -> str | HttpResponse | tuple[str, int]:
    """GET shows page one with a fresh ticket; POST moves, checks or submits.

    The ticket names the version the citizen was shown: a post is checked and
    stored against that version even if a newer one was published meanwhile.
    ``template`` and ``context`` let a staff page (the phone interview) wrap
    the same form in its own layout. ``cacheable``: the first page is the
    same for every citizen but for the tokens (``page_cache``).
    """
    if request.method == "GET" and cacheable:
        ticket_text = issue_ticket(channel, version.id)
        return _first_page(survey, version, unit, ticket_text, template)
    form = AnswerForm()
    ticket = None
    if request.method == "GET":
        form.ticket.data = issue_ticket(channel, version.id)
    else:
        ticket = read_ticket(form.ticket.data or "")
        if ticket is None or ticket.channel not in allowed_channels:
            raise DamagedForm()
        assert ticket is not None
        if ticket.version_id != version.id:
            version = version_of_ticket_or_400(survey, ticket.version_id)
    questions = form_questions(version)
    pages = group_pages(questions)
    rules = rules_for(questions)
    raw: dict[int, list[str]] = {}
    others: dict[int, str] = {}
    step = None
    if ticket is not None:
        raw, others = raw_answers(request.form, questions)
        step = navigate(pages, rules, raw, others, form.page.data, form.action)
        if step.done:
            submission = replace(
                _submission(form, ticket), screened_out=step.screened_out
            )
            done = on_submit(version, questions, step.answers, submission)
            return _marked_ended(done) if step.screened_out else done
    shown = (pages, rules, step, raw, others)
    return _show(survey, version, unit, form, template, context or {}, *shown)


def _first_page(
    survey: Survey, version: SurveyVersion, unit: Unit, ticket: str, template: str
) -> str | HttpResponse:
    """Page one, rendered once per worker and version (``page_cache``)."""

    def render() -> str:
        form = AnswerForm()
        form.ticket.data = ticket
        questions = form_questions(version)
        pages, rules = group_pages(questions), rules_for(questions)
        return _show(
            survey, version, unit, form, template, {}, pages, rules, None, {}, {}
        )[0]

    key = (template, version.id, unit.id)
    return first_page(key, ticket, render)


def _show(
    survey: Survey,
    version: SurveyVersion,
    unit: Unit,
    form: AnswerForm,
    template: str,
    context: Mapping[str, object],
    pages: list[FormPage],
    rules: Sequence[QuestionRule],
    step: Step | None,
    values: dict[int, list[str]],
    others: dict[int, str],
) -> tuple[str, int]:
    """The form's page: the first one (``step`` None) or where a post led."""
    page = step.page if step else 0
    errors = step.errors if step else {}
    visible = (
        step.visible if step else check_answers(rules, {}, pages=frozenset()).visible
    )
    return render_template(
        template,
        **context,
        survey=survey,
        version=version,
        unit=unit,
        form=form,
        pages=pages,
        page=page,
        values=values,
        others=others,
        errors=error_messages(errors, rules),
        shown=questions_to_show(pages, rules, page, step.visible if step else None),
        last=is_last_page(pages, rules, page, visible),
        scripts=page_scripts(pages, rules, page),
        minutes=version_minutes(version),
    ), (422 if errors else 200)


def _marked_ended(response: HttpResponse) -> HttpResponse:
    """The thank-you redirect with ``end=1``: it thanks and says why it ended."""
    parts = urlsplit(response.location or "")
    if parts.path.endswith("/thanks"):  # not a staff page's redirect
        query = f"{parts.query}&end=1" if parts.query else "end=1"
        response.location = urlunsplit(parts._replace(query=query))
    return response


def _submission(form: AnswerForm, ticket: Ticket) -> Submission:
    return Submission(
        token=ticket.token,
        started_at=ticket.started_at,
        channel=ticket.channel,
        language=current_lang(),
        device_hash=request_device_key(),
        honeypot_filled=bool((form.website.data or "").strip()),
    )
