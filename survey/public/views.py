"""Citizens: find a survey, answer it page by page, be thanked."""

from __future__ import annotations

from collections.abc import Sequence

from flask import (
    Blueprint,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.wrappers import Response as HttpResponse

from survey.domain.answers import CleanAnswer
from survey.domain.question_types import question_type
from survey.errors import keeps_answers_in_outage
from survey.extensions import db, limiter
from survey.models import Question, SurveyVersion
from survey.public.devices import OPT_IN_CHANNELS, opt_in_channel
from survey.public.flow import run_answer_form
from survey.public.pages import number_hint
from survey.services.answering.responses import Submission, record_response
from survey.services.answering.surveys import (
    ensure_answerable,
    get_public_survey_or_404,
    open_surveys,
    search_units,
    survey_minutes,
    survey_unit_or_404,
)

bp = Blueprint("public", __name__)
bp.add_app_template_global(number_hint, "number_hint")
bp.add_app_template_global(survey_minutes, "survey_minutes")
# _macros/questions.html draws each question with its type's macro.
bp.add_app_template_global(question_type, "question_type")


def _submit_limit() -> str:
    limit: str = current_app.config["SURVEY_SUBMIT_LIMIT"]
    return limit


def _ticket_limit() -> str:
    """Form openings (each one issues a ticket) per client."""
    return str(current_app.config.get("SURVEY_TICKET_LIMIT", "120 per hour"))


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
@keeps_answers_in_outage
@limiter.limit(_submit_limit, methods=["POST"])
@limiter.limit(_ticket_limit, methods=["GET"])
def answer_survey(slug: str, unit_code: str) -> str | HttpResponse | tuple[str, int]:
    survey = get_public_survey_or_404(slug)
    version = ensure_answerable(survey)
    unit = survey_unit_or_404(survey, unit_code)

    def store(
        answered: SurveyVersion,
        questions: Sequence[Question],
        answers: dict[int, CleanAnswer],
        submission: Submission,
    ) -> HttpResponse:
        record_response(answered, unit, questions, answers, submission)
        db.session.commit()
        return redirect(url_for("public.thanks", slug=slug, unit_code=unit_code))

    return run_answer_form(
        survey,
        version,
        unit,
        channel=opt_in_channel(request.args.get("c", "qr"), unit),
        allowed_channels=OPT_IN_CHANNELS,
        on_submit=store,
        cacheable=True,
    )


@bp.get("/s/<slug>/<unit_code>/thanks")
def thanks(slug: str, unit_code: str) -> str:
    survey = get_public_survey_or_404(slug)
    unit = survey_unit_or_404(survey, unit_code)
    return render_template(
        "public/thanks.html", survey=survey, version=survey.published_version, unit=unit
    )
