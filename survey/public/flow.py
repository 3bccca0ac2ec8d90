"""The answer form's page-by-page flow, shared by the public and invited links.

A view loads the survey version and the unit, then hands over to
``run_answer_form`` with the channels its tickets may carry and what to do
with a complete, checked response.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from datetime import UTC, datetime

from flask import current_app, render_template, request
from werkzeug.wrappers import Response as HttpResponse

from survey import current_lang
from survey.domain.answers import CleanAnswer, check_answers
from survey.errors import abort_with
from survey.models import Question, Survey, SurveyVersion, Unit
from survey.public.forms import AnswerForm, issue_ticket, raw_answers, read_ticket
from survey.public.pages import (
    error_messages,
    group_pages,
    next_page,
    previous_page,
    questions_to_show,
)
from survey.services.responses import Submission, device_hash, rules_for

# Called with the checked answers and the submission; returns the redirect.
OnSubmit = Callable[[dict[int, CleanAnswer], Submission], HttpResponse]


def run_answer_form(
    survey: Survey,
    version: SurveyVersion,
    unit: Unit,
    questions: Sequence[Question],
    channel: str,
    allowed_channels: Collection[str],
    on_submit: OnSubmit,
) -> str | HttpResponse | tuple[str, int]:
    """GET shows page one with a fresh ticket; POST moves, checks or submits."""
    pages = group_pages(questions)
    rules = rules_for(questions)
    form = AnswerForm()
    if request.method == "GET":
        form.ticket.data = issue_ticket(channel)
        return render_template(
            "public/answer.html",
            survey=survey,
            version=version,
            unit=unit,
            form=form,
            pages=pages,
            page=0,
            values={},
            others={},
            errors={},
            shown=questions_to_show(pages, 0, None),
        )
    ticket = read_ticket(form.ticket.data or "")
    if ticket is None or ticket.channel not in allowed_channels:
        abort_with(400, "The form was damaged on the way. Please reload the page.")
    assert ticket is not None
    raw, others = raw_answers(request.form, list(questions))
    page = min(
        max(int(form.page.data or 0) if (form.page.data or "").isdigit() else 0, 0),
        len(pages) - 1,
    )
    action = request.form.get("action", "submit")
    if action == "back":
        checked = check_answers(rules, raw, others, pages=frozenset())
        page = previous_page(pages, page, checked.visible)
        errors = {}
    else:
        current = frozenset({page}) if action == "next" else None
        checked = check_answers(rules, raw, others, pages=current)
        errors = checked.errors
        if not errors and action == "next":
            page = next_page(pages, page, checked.visible)
        elif not errors:
            submission = Submission(
                token=ticket.token,
                started_at=ticket.started_at,
                channel=ticket.channel,
                language=current_lang(),
                device_hash=_device_hash(),
                honeypot_filled=bool((form.website.data or "").strip()),
            )
            return on_submit(checked.answers, submission)
        else:
            page = min(
                p.index for p in pages if any(q.id in errors for q in p.questions)
            )
    return render_template(
        "public/answer.html",
        survey=survey,
        version=version,
        unit=unit,
        form=form,
        pages=pages,
        page=page,
        values=raw,
        others=others,
        errors=error_messages(errors),
        shown=questions_to_show(pages, page, checked.visible),
    ), (422 if errors else 200)


def _device_hash() -> str:
    client = f"{request.remote_addr}|{request.headers.get('User-Agent', '')[:300]}"
    day = datetime.now(UTC).date().isoformat()
    return device_hash(current_app.config["SECRET_KEY"], client, day)
