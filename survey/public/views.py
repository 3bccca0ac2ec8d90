"""Citizens: find a survey, answer it page by page, be thanked."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import (
    Blueprint,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from werkzeug.wrappers import Response as HttpResponse

from survey import current_lang
from survey.errors import abort_with
from survey.extensions import db, limiter
from survey.models.responses import CHANNELS
from survey.public.forms import (
    AnswerForm,
    Ticket,
    issue_ticket,
    raw_answers,
    read_ticket,
)
from survey.public.pages import (
    error_messages,
    group_pages,
    navigate,
    questions_to_show,
)
from survey.services.responses import (
    Submission,
    device_hash,
    record_response,
    rules_for,
)
from survey.services.surveys import (
    ensure_answerable,
    get_public_survey_or_404,
    load_version_questions,
    open_surveys,
    search_units,
    survey_unit_or_404,
    version_of_ticket_or_400,
)

bp = Blueprint("public", __name__)
OPT_IN_CHANNELS = ("qr", "link", "kiosk")


def _submit_limit() -> str:
    return current_app.config["SURVEY_SUBMIT_LIMIT"]


@bp.get("/")
def home() -> str:
    return render_template("public/home.html", surveys=open_surveys())


@bp.get("/s/<slug>")
def choose_unit(slug: str) -> str:
    survey = get_public_survey_or_404(slug)
    ensure_answerable(survey)
    query = request.args.get("q", "")[:100]
    units = search_units(survey, query)
    return render_template("public/units.html", survey=survey, units=units, query=query)


@bp.route("/s/<slug>/<unit_code>", methods=["GET", "POST"])
@limiter.limit(_submit_limit, methods=["POST"])
def answer_survey(slug: str, unit_code: str) -> str | HttpResponse:
    survey = get_public_survey_or_404(slug)
    version = ensure_answerable(survey)
    unit = survey_unit_or_404(survey, unit_code)
    form = AnswerForm()
    if request.method == "GET":
        channel = request.args.get("c", "qr")
        channel = channel if channel in OPT_IN_CHANNELS else "qr"
        form.ticket.data = issue_ticket(channel, version.id)
        ticket, raw, others, step = None, {}, {}, None
    else:
        ticket = read_ticket(form.ticket.data or "")
        if ticket is None or ticket.channel not in CHANNELS:
            abort_with(
                400, _("The form was damaged on the way. Please reload the page.")
            )
        version = version_of_ticket_or_400(survey, ticket.version_id)
    questions = load_version_questions(version)
    pages = group_pages(questions)
    if ticket is not None:
        raw, others = raw_answers(request.form, questions)
        step = navigate(
            pages, rules_for(questions), raw, others, form.page.data, form.action
        )
        if step.done:
            record_response(
                version, unit, questions, step.answers, _submission(form, ticket)
            )
            db.session.commit()
            return redirect(url_for("public.thanks", slug=slug, unit_code=unit_code))
    page = step.page if step else 0
    errors = step.errors if step else {}
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
        shown=questions_to_show(pages, page, step.visible if step else None),
    ), (422 if errors else 200)


def _submission(form: AnswerForm, ticket: Ticket) -> Submission:
    return Submission(
        token=ticket.token,
        started_at=ticket.started_at,
        channel=ticket.channel,
        language=current_lang(),
        device_hash=_device_hash(),
        honeypot_filled=bool((form.website.data or "").strip()),
    )


@bp.get("/s/<slug>/<unit_code>/thanks")
def thanks(slug: str, unit_code: str) -> str:
    survey = get_public_survey_or_404(slug)
    unit = survey_unit_or_404(survey, unit_code)
    return render_template(
        "public/thanks.html", survey=survey, version=survey.published_version, unit=unit
    )


def _device_hash() -> str:
    client = f"{request.remote_addr}|{request.headers.get('User-Agent', '')[:300]}"
    day = datetime.now(UTC).date().isoformat()
    return device_hash(current_app.config["SECRET_KEY"], client, day)
