"""Administrators and designers: surveys, units, distribution, users."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import to_user_timezone, to_utc
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from survey.admin.forms import (
    DIMENSION_LABELS,
    TYPE_LABELS,
    ActionForm,
    AssignForm,
    CreateSurveyForm,
    PageForm,
    QuestionForm,
    SettingsForm,
    TextsForm,
    WindowForm,
    option_lines,
)
from survey.auth.rights import (
    get_owned_survey_or_404,
    require_roles,
    surveys_in_scope,
)
from survey.extensions import db
from survey.models import Page, Question, Survey, SurveyVersion
from survey.models.surveys import SurveyError
from survey.services.design import designer
from survey.services.design import lifecycle as survey_lifecycle
from survey.services.design.listing import STATUS_LABELS, matches, survey_rows

bp = Blueprint("admin", __name__)
bp.before_request(require_roles("admin", "designer"))


def designer_message(error: SurveyError) -> str:
    """The sentence for a refusal of the designer service or of a model."""
    messages = {
        "slug_taken": _("This address is taken by another survey: choose another."),
        "draft_exists": _("This survey already has a draft: edit that one."),
        "nothing_published": _("Nothing is published yet: edit the draft."),
        "no_draft": _("There is no draft to publish."),
        "window_order": _("The survey must close after it opens."),
        "page_not_empty": _("Move or delete the page's questions first."),
        "last_page": _("A survey keeps at least one page."),
        "unknown_type": _("Unknown question type."),
        "code_taken": _("Another question of this survey already has this code."),
        "options_needed": _("A choice question needs at least one option."),
        "unknown_page": _("Choose one of the survey's pages."),
        "condition_unknown": _("Choose an earlier question for the condition."),
        "condition_order": _(
            "A question can only depend on a question asked before it."
        ),
        "condition_codes": _(
            "The condition's option codes must be options of the earlier question."
        ),
        "condition_source": _(
            "Another question depends on this one: change that condition first."
        ),
        "cannot_move": _("The question cannot move further."),
        "nothing_to_copy": _("This survey has no version to copy."),
        "only_version": _(
            "This draft is the survey's only version: delete the survey instead."
        ),
        "survey_in_use": _(
            "This survey was published or holds answers: close it instead."
        ),
    }
    code = str(error)
    if code in messages:
        return messages[code]
    if "without questions" in code:
        return _("Add at least one question before publishing.")
    if "publish a version" in code:
        return _("Publish a version before opening the survey.")
    if "published version cannot change" in code:
        return _("This version is published: start a new draft to change it.")
    return _("This change is not possible.")


def _draft_or_redirect(survey: Survey) -> SurveyVersion:
    draft = survey.draft_version
    if draft is None:
        flash(_("This version is published: start a new draft to change it."), "error")
        abort(redirect(url_for("admin.show_survey", slug=survey.slug)))
    return draft  # type: ignore[return-value]


def _draft_page_or_404(survey: Survey, page_id: int) -> Page:
    draft = _draft_or_redirect(survey)
    page = next((p for p in draft.pages if p.id == page_id), None)
    if page is None:
        abort(404)
    return page


def _draft_question_or_404(survey: Survey, question_id: int) -> Question:
    draft = _draft_or_redirect(survey)
    question = next((q for q in draft.questions if q.id == question_id), None)
    if question is None:
        abort(404)
    return question


def _local(moment: datetime | None) -> datetime | None:
    """A stored naive-UTC moment as Vietnam's wall-clock time, for the form."""
    return to_user_timezone(moment).replace(tzinfo=None) if moment else None


def _me():  # type: ignore[no-untyped-def]
    return current_user._get_current_object()


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
                _me(),
                form.slug.data,
                form.template.data,
                form.title_vi.data.strip(),
                form.title_en.data.strip(),
                current_user.unit,
            )
        except designer.DesignerError as error:
            form.slug.errors = [designer_message(error)]
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
            draft = designer.start_new_draft(_me(), survey)
        except SurveyError as error:
            flash(designer_message(error), "error")
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
            _me(),
            draft,
            {f.name: f.data.strip() for f in form if f.name != "csrf_token"},
        )
        db.session.commit()
        flash(_("Texts saved."), "info")
        return redirect(url_for("admin.show_survey", slug=slug))
    return render_template("admin/edit_texts.html", survey=survey, form=form)


@bp.post("/surveys/<slug>/pages")
def add_page(slug: str) -> str | Response:
    survey = get_owned_survey_or_404(slug)
    draft = _draft_or_redirect(survey)
    form = PageForm()
    if form.validate_on_submit():
        designer.add_page(
            _me(), draft, form.title_vi.data.strip(), form.title_en.data.strip()
        )
        db.session.commit()
        flash(_("Page added."), "info")
        return redirect(url_for("admin.show_survey", slug=slug))
    return render_template(
        "admin/edit_page.html", survey=survey, form=form, page=None
    ), 422


@bp.route("/surveys/<slug>/pages/<int:page_id>", methods=["GET", "POST"])
def edit_page(slug: str, page_id: int) -> str | Response:
    survey = get_owned_survey_or_404(slug)
    page = _draft_page_or_404(survey, page_id)
    form = PageForm(obj=page)
    if form.validate_on_submit():
        designer.rename_page(
            _me(), page, form.title_vi.data.strip(), form.title_en.data.strip()
        )
        db.session.commit()
        flash(_("Page saved."), "info")
        return redirect(url_for("admin.show_survey", slug=slug))
    return render_template("admin/edit_page.html", survey=survey, form=form, page=page)


@bp.post("/surveys/<slug>/pages/<int:page_id>/delete")
def delete_page(slug: str, page_id: int) -> Response:
    survey = get_owned_survey_or_404(slug)
    page = _draft_page_or_404(survey, page_id)
    if ActionForm().validate_on_submit():
        try:
            designer.delete_page(_me(), page)
        except SurveyError as error:
            flash(designer_message(error), "error")
        else:
            db.session.commit()
            flash(_("Page deleted."), "info")
    return redirect(url_for("admin.show_survey", slug=slug))


def _question_form(draft: SurveyVersion, question: Question | None) -> QuestionForm:
    form = QuestionForm(obj=question)
    form.page.choices = [
        SelectChoice(p.id, f"{p.position + 1}. {p.title_vi or _('Page')}")
        for p in draft.pages
    ]
    earlier = [
        q
        for q in draft.questions
        if q.options and (question is None or q.position < question.position)
    ]
    form.condition_question.choices = [SelectChoice(0, _("Always shown"))] + [
        SelectChoice(q.id, f"{q.code}: {q.text_vi[:60]}") for q in earlier
    ]
    form.condition_options.choices = [
        (f"{q.id}:{o.code}", o.label_vi) for q in earlier for o in q.options
    ]
    form.condition_groups = [  # type: ignore[attr-defined]
        (q, [f"{q.id}:{o.code}" for o in q.options]) for q in earlier
    ]
    if question is not None and request.method == "GET":
        form.page.data = question.page_id
        form.options.data = option_lines(question.options)
        form.dimension.data = question.dimension or ""
        form.condition_question.data = question.condition_question_id or 0
        form.condition_options.data = [
            f"{question.condition_question_id}:{code}"
            for code in question.condition_option_codes or []
        ]
    elif question is None and request.method == "GET":
        wanted = request.args.get("page", type=int)
        form.page.data = wanted if wanted else draft.pages[-1].id
    return form


def _question_data(form: QuestionForm) -> designer.QuestionData:
    return designer.QuestionData(
        code=form.code.data.strip(),
        type=form.type.data,
        text_vi=form.text_vi.data.strip(),
        text_en=form.text_en.data.strip(),
        help_vi=form.help_vi.data.strip(),
        help_en=form.help_en.data.strip(),
        required=form.required.data,
        dimension=form.dimension.data or None,
        options=form.parsed_options,
        page_id=form.page.data,
        condition_question_id=form.condition_question.data or None,
        condition_option_codes=form.condition_codes(),
        min_value=form.min_value.data,
        max_value=form.max_value.data,
        max_choices=form.max_choices.data,
        max_length=form.max_length.data,
    )


@bp.route("/surveys/<slug>/questions/new", methods=["GET", "POST"])
def add_question(slug: str) -> str | Response | tuple[str, int]:
    survey = get_owned_survey_or_404(slug)
    draft = _draft_or_redirect(survey)
    form = _question_form(draft, None)
    if form.validate_on_submit():
        try:
            designer.add_question(_me(), draft, _question_data(form))
        except SurveyError as error:
            db.session.rollback()
            form.form_errors.append(designer_message(error))
        else:
            db.session.commit()
            flash(_("Question added."), "info")
            return redirect(url_for("admin.show_survey", slug=slug))
    status = 422 if request.method == "POST" else 200
    return render_template(
        "admin/edit_question.html", survey=survey, form=form, question=None
    ), status


@bp.route("/surveys/<slug>/questions/<int:question_id>", methods=["GET", "POST"])
def edit_question(slug: str, question_id: int) -> str | Response | tuple[str, int]:
    survey = get_owned_survey_or_404(slug)
    question = _draft_question_or_404(survey, question_id)
    form = _question_form(question.version, question)
    if form.validate_on_submit():
        try:
            designer.update_question(_me(), question, _question_data(form))
        except SurveyError as error:
            db.session.rollback()
            form.form_errors.append(designer_message(error))
        else:
            db.session.commit()
            flash(_("Question saved."), "info")
            return redirect(url_for("admin.show_survey", slug=slug))
    status = 422 if request.method == "POST" else 200
    return render_template(
        "admin/edit_question.html", survey=survey, form=form, question=question
    ), status


@bp.post("/surveys/<slug>/questions/<int:question_id>/move")
def move_question(slug: str, question_id: int) -> Response:
    survey = get_owned_survey_or_404(slug)
    question = _draft_question_or_404(survey, question_id)
    direction = request.form.get("direction")
    if ActionForm().validate_on_submit() and direction in ("up", "down"):
        try:
            designer.move_question(_me(), question, direction)
        except SurveyError as error:
            db.session.rollback()
            flash(designer_message(error), "error")
        else:
            db.session.commit()
    return redirect(url_for("admin.show_survey", slug=slug) + f"#q{question_id}")


@bp.post("/surveys/<slug>/questions/<int:question_id>/delete")
def delete_question(slug: str, question_id: int) -> Response:
    survey = get_owned_survey_or_404(slug)
    question = _draft_question_or_404(survey, question_id)
    if ActionForm().validate_on_submit():
        try:
            designer.delete_question(_me(), question)
        except SurveyError as error:
            db.session.rollback()
            flash(designer_message(error), "error")
        else:
            db.session.commit()
            flash(_("Question deleted."), "info")
    return redirect(url_for("admin.show_survey", slug=slug))


@bp.post("/surveys/<slug>/publish")
def publish_survey(slug: str) -> Response:
    survey = get_owned_survey_or_404(slug)
    if ActionForm().validate_on_submit():
        try:
            version = designer.publish_draft(_me(), survey)
        except SurveyError as error:
            db.session.rollback()
            flash(designer_message(error), "error")
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
            designer.set_state(_me(), survey, action)
        except SurveyError as error:
            db.session.rollback()
            flash(designer_message(error), "error")
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
        designer.set_state(_me(), survey, "window", opens, closes)
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
        designer.set_settings(_me(), survey, form.publish_results.data, form.min_n.data)
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
