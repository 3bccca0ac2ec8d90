"""Administrators and designers: surveys, units, distribution, users."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import to_user_timezone, to_utc
from flask_login import current_user
from werkzeug.wrappers import Response

from survey.admin import me
from survey.admin.forms import (
    DIMENSION_LABELS,
    TYPE_LABELS,
    ActionForm,
    AssignForm,
    CreateSurveyForm,
    PageForm,
    SettingsForm,
    TextsForm,
    WindowForm,
)
from survey.admin.messages import message_for
from survey.auth.rights import (
    get_owned_survey_or_404,
    require_roles,
    surveys_in_scope,
)
from survey.extensions import db
from survey.models import Survey, SurveyVersion
from survey.models.surveys import SurveyError
from survey.services.design import designer
from survey.services.design import lifecycle as survey_lifecycle
from survey.services.design.errors import DesignerError
from survey.services.design.listing import STATUS_LABELS, matches, survey_rows

bp = Blueprint("admin", __name__)
bp.before_request(require_roles("admin", "designer"))


def _draft_or_redirect(survey: Survey) -> SurveyVersion:
    draft = survey.draft_version
    if draft is None:
        flash(_("This version is published: start a new draft to change it."), "error")
        abort(redirect(url_for("admin.show_survey", slug=survey.slug)))
    return draft


def _local(moment: datetime | None) -> datetime | None:
    """A stored naive-UTC moment as Vietnam's wall-clock time, for the form."""
    return to_user_timezone(moment).replace(tzinfo=None) if moment else None


@bp.get("/")
def index() -> str:
    query = request.args.get("q", "").strip()[:100]
    surveys = [s for s in surveys_in_scope() if matches(s, query)]
    rows = survey_rows(surveys, current_user.unit)
    return render_template(
        "admin/index.html", rows=rows, status_labels=STATUS_LABELS, query=query
    )


@bp.route("/surveys/new", methods=["GET", "POST"])
def create_survey() -> str | Response:
    from survey import current_lang

    form = CreateSurveyForm(lang=current_lang())
    if form.validate_on_submit():
        try:
            survey = designer.create_designed_survey(
                me(),
                form.slug.data,
                form.template.data,
                form.title_vi.data.strip(),
                form.title_en.data.strip(),
                current_user.unit,
            )
        except DesignerError as error:
            form.slug.errors = [message_for(error)]
        else:
            db.session.commit()
            flash(_("Survey created: a draft you can now edit."), "info")
            return redirect(url_for("admin.show_survey", slug=survey.slug))
    return render_template("admin/create_survey.html", form=form)


@bp.get("/surveys/<slug>")
def show_survey(slug: str) -> str:
    survey = get_owned_survey_or_404(slug)
    version = survey.draft_version or survey.published_version
    window = WindowForm(
        formdata=None,
        opens_at=_local(survey.opens_at),
        closes_at=_local(survey.closes_at),
    )
    return render_template(
        "admin/survey.html",
        survey=survey,
        version=version,
        action_form=ActionForm(),
        page_form=PageForm(formdata=None),
        window_form=window,
        settings_form=SettingsForm(
            formdata=None, publish_results=survey.publish_results, min_n=survey.min_n
        ),
        assign_form=AssignForm(formdata=None),
        status_labels=STATUS_LABELS,
        type_labels=TYPE_LABELS,
        dimension_labels=DIMENSION_LABELS,
        deletable=survey_lifecycle.can_delete(survey),
    )


@bp.post("/surveys/<slug>/draft")
def new_draft(slug: str) -> Response:
    survey = get_owned_survey_or_404(slug)
    if ActionForm().validate_on_submit():
        try:
            draft = designer.start_new_draft(me(), survey)
        except SurveyError as error:
            flash(message_for(error), "error")
        else:
            db.session.commit()
            flash(_("Draft version %(n)s created.", n=draft.number), "info")
    return redirect(url_for("admin.show_survey", slug=slug))


@bp.route("/surveys/<slug>/texts", methods=["GET", "POST"])
def edit_texts(slug: str) -> str | Response:
    survey = get_owned_survey_or_404(slug)
    draft = _draft_or_redirect(survey)
    form = TextsForm(obj=draft)
    if form.validate_on_submit():
        designer.update_texts(
            me(),
            draft,
            {f.name: f.data.strip() for f in form if f.name != "csrf_token"},
        )
        db.session.commit()
        flash(_("Texts saved."), "info")
        return redirect(url_for("admin.show_survey", slug=slug))
    return render_template("admin/edit_texts.html", survey=survey, form=form)


@bp.post("/surveys/<slug>/publish")
def publish_survey(slug: str) -> Response:
    survey = get_owned_survey_or_404(slug)
    if ActionForm().validate_on_submit():
        try:
            version = designer.publish_draft(me(), survey)
        except SurveyError as error:
            db.session.rollback()
            flash(message_for(error), "error")
        else:
            db.session.commit()
            flash(_("Version %(n)s is published.", n=version.number), "info")
    return redirect(url_for("admin.show_survey", slug=slug))


@bp.post("/surveys/<slug>/state")
def change_state(slug: str) -> Response:
    survey = get_owned_survey_or_404(slug)
    action = request.form.get("action")
    if ActionForm().validate_on_submit() and action in ("open", "close"):
        try:
            designer.set_state(me(), survey, action)
        except SurveyError as error:
            db.session.rollback()
            flash(message_for(error), "error")
        else:
            db.session.commit()
            flash(STATUS_LABELS[survey.status], "info")
    return redirect(url_for("admin.show_survey", slug=slug))


@bp.post("/surveys/<slug>/window")
def set_window(slug: str) -> Response:
    survey = get_owned_survey_or_404(slug)
    form = WindowForm()
    if form.validate_on_submit():
        opens = to_utc(form.opens_at.data) if form.opens_at.data else None
        closes = to_utc(form.closes_at.data) if form.closes_at.data else None
        designer.set_state(me(), survey, "window", opens, closes)
        db.session.commit()
        flash(_("Answering window saved."), "info")
    else:
        for errors in form.errors.values():
            for message in errors:
                flash(message, "error")
    return redirect(url_for("admin.show_survey", slug=slug))


@bp.post("/surveys/<slug>/settings")
def save_settings(slug: str) -> Response:
    survey = get_owned_survey_or_404(slug)
    form = SettingsForm()
    if form.validate_on_submit():
        designer.set_settings(me(), survey, form.publish_results.data, form.min_n.data)
        db.session.commit()
        flash(_("Settings saved."), "info")
    else:
        for errors in form.errors.values():
            for message in errors:
                flash(message, "error")
    return redirect(url_for("admin.show_survey", slug=slug))


from survey.admin import (  # noqa: E402, F401  (routes registered on bp)
    cases,
    confirm,
    distribution,
    drafts,
    exchange,
    export_jobs,
    fieldwork,
    library,
    lifecycle,
    people,
    reforms,
    request_desk,
    reviews,
    translations,
    units,
    waves,
)
