"""Invitation waves and phone interviews: administrators of the units' scope.

There is no interviewer role: an administrator whose scope holds the
invitation's unit enters a phone interview, and is recorded as its
interviewer.
"""

from __future__ import annotations

import csv
import io
import secrets
from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal

from flask import (
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from survey import current_lang
from survey.admin import me
from survey.admin.forms import ActionForm, ExportContactsForm, WaveForm
from survey.admin.messages import message_for
from survey.admin.outreach import outreach_context
from survey.admin.views import bp
from survey.auth.rights import (
    acts_independently,
    get_invitation_in_scope_or_404,
    get_survey_in_scope_or_404,
    get_wave_in_scope_or_404,
    require_admin,
    require_independent,
    surveys_in_scope,
)
from survey.domain.answers import CleanAnswer
from survey.domain.statistics import sample_size
from survey.extensions import db
from survey.models import Invitation, Question, Survey, SurveyVersion, Unit
from survey.models._time import utcnow
from survey.models.surveys import CLOSED
from survey.models.waves import ANSWERED, WAVE_DRAFT, WAVE_DRAWN, WaveError
from survey.public.flow import run_answer_form
from survey.results.overview_export import neutralise
from survey.services.answering.responses import Submission, record_response
from survey.services.audit import record_event
from survey.services.fieldwork import waves as wave_service
from survey.web import public_root

INVITATIONS_PER_PAGE = 100
MAX_PAGE = 100_000
ASSUMED_SHARE = 0.85  # METHODOLOGY.md section 3: sample sizes at p = 0.85


def implied_sample_size(moe_points: Decimal | None) -> int | None:
    """Responses per unit for a margin of error given in percentage points."""
    if moe_points is None:
        return None
    points = float(moe_points)  # finite: FiniteDecimalField refuses NaN
    if not 0.5 <= points <= 50:
        return None
    return sample_size(points / 100, p=ASSUMED_SHARE)


@bp.get("/waves")
def list_waves() -> str:
    require_admin()
    waves = wave_service.waves_in_scope(current_user.unit)
    surveys = [s for s in surveys_in_scope() if s.published_version is not None]
    return render_template(
        "admin/waves.html",
        waves=waves,
        counts=wave_service.wave_counts_by_wave(waves),
        surveys=surveys,
    )


def _units_for_wave(survey: Survey) -> list[Unit]:
    return [u for u in survey.units if u.active and current_user.can_see(u)]


def _wave_form(
    survey: Survey, published: SurveyVersion, units: Sequence[Unit]
) -> WaveForm:
    form = WaveForm()
    lang = current_lang()
    versions = [v for v in survey.versions if v.is_published]
    form.version.choices = [
        (v.id, f"v{v.number} · {v.title(lang)}") for v in reversed(versions)
    ]
    form.units.choices = [(u.id, f"{u.code} · {u.name(lang)}") for u in units]
    if not form.is_submitted():
        from datetime import timedelta

        today = utcnow().date()
        form.version.data = published.id
        form.units.data = [u.id for u in units]
        form.period_start.data = today - timedelta(days=29)
        form.period_end.data = today
    return form


@bp.route("/surveys/<slug>/waves/new", methods=["GET", "POST"])
def create_wave(slug: str) -> str | Response | tuple[str, int]:
    require_admin()
    require_independent()  # separation of duties (survey/auth/rights.py)
    survey = get_survey_in_scope_or_404(slug)
    published = survey.published_version
    if published is None:
        flash(_("Publish a version of the survey before planning a wave."), "error")
        return redirect(url_for("admin.list_waves"))
    units = _units_for_wave(survey)
    form = _wave_form(survey, published, units)
    implied = implied_sample_size(form.moe.data)
    computing = request.form.get("action") == "compute"
    if not computing and form.validate_on_submit():
        per_unit = (
            form.per_unit.data if form.sample_mode.data == "per_unit" else implied
        )
        # Always the system's random source, never a posted value: a chosen
        # seed would choose who is invited (separation of duties).
        seed = secrets.randbelow(2**31)
        assert form.oversample.data is not None  # InputRequired
        chosen = [u for u in units if u.id in set(form.units.data)]
        version = db.session.get(SurveyVersion, form.version.data)
        try:
            wave = wave_service.create_wave(
                survey,
                chosen,
                form.period_start.data,
                form.period_end.data,
                per_unit or 0,
                seed=seed,
                version=version,
                stratify=form.stratify.data,
                oversample_factor=float(form.oversample.data),
                name=form.name.data.strip(),
            )
        except wave_service.WaveInputError as error:
            db.session.rollback()
            form.form_errors.append(message_for(error))
        else:
            record_event(
                me(),
                "create",
                "wave",
                wave.id,
                survey=slug,
                seed=seed,
                sample_per_unit=wave.sample_per_unit,
                units=[u.code for u in chosen],
            )
            db.session.commit()
            flash(_("Wave created with seed %(seed)s.", seed=seed), "info")
            return redirect(url_for("admin.show_wave", wave_id=wave.id))
    status = 422 if form.errors or form.form_errors else 200
    return render_template(
        "admin/create_wave.html",
        survey=survey,
        form=form,
        implied=implied,
        assumed_share=ASSUMED_SHARE,
    ), status


@bp.get("/waves/<int:wave_id>")
def show_wave(wave_id: int) -> str:
    wave = get_wave_in_scope_or_404(wave_id)
    page = min(max(request.args.get("page", 1, type=int) or 1, 1), MAX_PAGE)
    # The list says which invitation was answered: for the city-wide
    # administrators who call the rest, not for the units'. Theirs, beside
    # the contacts file, would join a phone number to an answer.
    invitations: list[Invitation] = []
    total = 0
    if acts_independently():
        invitations, total = wave_service.wave_invitations(
            wave, offset=(page - 1) * INVITATIONS_PER_PAGE, limit=INVITATIONS_PER_PAGE
        )
    pages = max(1, -(-total // INVITATIONS_PER_PAGE))
    return render_template(
        "admin/wave.html",
        wave=wave,
        progress=wave_service.wave_progress(wave),
        counts=wave_service.wave_counts(wave),
        invitations=invitations,
        invitations_hidden=not acts_independently(),
        total=total,
        page=page,
        pages=pages,
        now=utcnow(),
        action_form=ActionForm(),
        export_form=ExportContactsForm(formdata=None, base_url=public_root()),
        **outreach_context(wave),
    )


@bp.post("/waves/<int:wave_id>/draw")
def draw_wave(wave_id: int) -> Response:
    wave = get_wave_in_scope_or_404(wave_id)
    require_independent()
    if ActionForm().validate_on_submit():
        try:
            report = wave_service.draw_wave(wave, me())
        except WaveError:
            db.session.rollback()
            flash(_("This wave was drawn already."), "error")
        else:
            db.session.commit()
            flash(
                _(
                    "%(n)s invitations issued in %(units)s units (seed %(seed)s).",
                    n=sum(report.invited.values()),
                    units=len(report.invited),
                    seed=wave.seed,
                ),
                "info",
            )
            for code, missing in sorted(report.short.items()):
                flash(
                    _(
                        "%(code)s: %(n)s place(s) left empty (too few cases).",
                        code=code,
                        n=missing,
                    ),
                    "error",
                )
    return redirect(url_for("admin.show_wave", wave_id=wave_id))


@bp.post("/waves/<int:wave_id>/contacts")
def export_wave_contacts(wave_id: int) -> Response:
    """phone,link for the SMS or chat gateway: personal data, audited."""
    wave = get_wave_in_scope_or_404(wave_id)
    form = ExportContactsForm()
    if wave.status != WAVE_DRAWN:
        flash(_("Only a drawn wave that is not closed has contacts."), "error")
        return redirect(url_for("admin.show_wave", wave_id=wave_id))
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for message in errors:
                flash(message, "error")
        return redirect(url_for("admin.show_wave", wave_id=wave_id))
    rows = list(wave_service.export_contacts(wave, form.base_url.data, me()))
    db.session.commit()
    text = io.StringIO()
    text.write("\ufeff")  # a BOM, so that Excel reads UTF-8
    writer = csv.writer(text)
    writer.writerow(["phone", "link"])
    for phone, link in rows:
        writer.writerow([neutralise(phone), neutralise(link)])
    response = make_response(text.getvalue())
    response.mimetype = "text/csv"
    response.headers["Content-Disposition"] = (
        f"attachment; filename=wave-{wave.id}-contacts.csv"
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/waves/<int:wave_id>/close")
def close_wave(wave_id: int) -> Response:
    wave = get_wave_in_scope_or_404(wave_id)
    if ActionForm().validate_on_submit():
        try:
            erased = wave_service.close_wave(wave, me())
        except WaveError:
            db.session.rollback()
            flash(_("Only a drawn wave can be closed."), "error")
        else:
            db.session.commit()
            flash(
                _("Wave closed; %(n)s phone number(s) erased.", n=erased),
                "info",
            )
    return redirect(url_for("admin.show_wave", wave_id=wave_id))


# --- the phone interview -------------------------------------------------------


def _interview_refusal(invitation: Invitation) -> str | None:
    """Why this invitation cannot be interviewed now, or None."""
    wave = invitation.wave
    refusal: str | None = None  # flask_babel has no types: _() reads as Any
    if invitation.status == ANSWERED or invitation.response is not None:
        refusal = _("This invitation has already been answered.")
    elif wave.status == WAVE_DRAFT:
        refusal = _("This wave is not drawn yet.")
    elif wave.status != WAVE_DRAWN:
        refusal = _("This wave is closed.")
    elif utcnow() >= invitation.expires_at:
        refusal = _("This invitation has expired.")
    elif wave.survey.status == CLOSED:
        refusal = _("The survey is closed.")
    elif current_user.unit.is_within(invitation.unit):
        # An interviewer never rates their own unit (nor one above it).
        refusal = _("Staff of the unit being rated cannot interview its cases.")
    return refusal


@bp.route("/invitations/<int:invitation_id>/interview", methods=["GET", "POST"])
def interview(invitation_id: int) -> str | Response | tuple[str, int]:
    invitation = get_invitation_in_scope_or_404(invitation_id)
    require_independent()  # interviewers never rate their own unit
    back = url_for("admin.show_wave", wave_id=invitation.wave_id)
    refusal = _interview_refusal(invitation)
    if refusal:
        flash(refusal, "error")
        return redirect(back)
    if request.method == "POST" and "ticket" not in request.form:
        flash(_("The interview form expired. Please start again."), "error")
        return redirect(url_for("admin.interview", invitation_id=invitation_id))
    if request.method == "GET":
        # The page shows the number to call: every access is audited.
        record_event(
            me(), "open", "phone_interview", invitation.id, unit=invitation.unit.code
        )
        db.session.commit()
    version = invitation.wave.version

    def store(
        answered: SurveyVersion,
        questions: Sequence[Question],
        answers: dict[int, CleanAnswer],
        submission: Submission,
    ) -> Response:
        entered = replace(
            submission,
            channel="phone",
            invitation_id=invitation.id,
            interviewer_id=current_user.id,
            device_hash=None,  # one interviewer's computer is not a device to watch
        )
        if record_response(answered, invitation.unit, questions, answers, entered):
            invitation.mark_answered(utcnow())
            record_event(
                me(),
                "enter",
                "phone_interview",
                invitation.id,
                unit=invitation.unit.code,
            )
            db.session.commit()
            flash(_("The interview is saved."), "info")
        else:
            db.session.rollback()
            flash(_("This invitation has already been answered."), "error")
        return redirect(back)

    page = run_answer_form(
        version.survey,
        version,
        invitation.unit,
        channel="phone",
        allowed_channels=("phone",),
        on_submit=store,
        template="admin/interview.html",
        context={"invitation": invitation, "case": invitation.case},
    )
    if isinstance(page, Response):
        return page
    body, status = page if isinstance(page, tuple) else (page, 200)
    response = make_response(body, status)
    response.headers["Cache-Control"] = "no-store"  # the phone number is on it
    return response
