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
from werkzeug.wrappers import Response as HttpResponse

from survey import current_lang
from survey.domain.answers import check_answers
from survey.errors import abort_with
from survey.extensions import db, limiter
from survey.models.responses import CHANNELS
from survey.public.forms import AnswerForm, issue_ticket, raw_answers, read_ticket
from survey.public.pages import (
    error_messages,
    group_pages,
    next_page,
    previous_page,
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
    questions = load_version_questions(version)
    pages = group_pages(questions)
    rules = rules_for(questions)
    form = AnswerForm()
    if request.method == "GET":
        channel = request.args.get("c", "qr")
        form.ticket.data = issue_ticket(channel if channel in OPT_IN_CHANNELS else "qr")
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
    if ticket is None or ticket.channel not in CHANNELS:
        abort_with(400, "The form was damaged on the way. Please reload the page.")
    raw, others = raw_answers(request.form, questions)
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
            record_response(version, unit, questions, checked.answers, submission)
            db.session.commit()
            return redirect(url_for("public.thanks", slug=slug, unit_code=unit_code))
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
