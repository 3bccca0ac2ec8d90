"""The draft's pages and questions: add, edit, move and delete them."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from survey.admin import me
from survey.admin.forms import ActionForm, PageForm, QuestionForm, option_lines
from survey.admin.messages import message_for
from survey.admin.views import _draft_or_redirect, bp
from survey.auth.rights import get_owned_survey_or_404
from survey.extensions import db
from survey.models import Page, Question, Survey, SurveyVersion
from survey.models.surveys import SurveyError
from survey.services.design import designer


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


@bp.post("/surveys/<slug>/pages")
def add_page(slug: str) -> str | Response | tuple[str, int]:
    survey = get_owned_survey_or_404(slug)
    draft = _draft_or_redirect(survey)
    form = PageForm()
    if form.validate_on_submit():
        designer.add_page(
            me(), draft, form.title_vi.data.strip(), form.title_en.data.strip()
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
            me(), page, form.title_vi.data.strip(), form.title_en.data.strip()
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
            designer.delete_page(me(), page)
        except SurveyError as error:
            flash(message_for(error), "error")
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
    _condition_choices(form, draft, question)
    if request.method == "GET":
        if question is not None:
            _fill_from(form, question)
        else:
            wanted = request.args.get("page", type=int)
            form.page.data = wanted if wanted else draft.pages[-1].id
    return form


def _condition_choices(
    form: QuestionForm, draft: SurveyVersion, question: Question | None
) -> None:
    """The questions with options placed before this one, to show it on."""
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
    form.condition_groups = [
        (q, [f"{q.id}:{o.code}" for o in q.options]) for q in earlier
    ]


def _fill_from(form: QuestionForm, question: Question) -> None:
    """The fields the form cannot read from the question by name."""
    form.page.data = question.page_id
    form.options.data = option_lines(question.options)
    form.dimension.data = question.dimension or ""
    form.condition_question.data = question.condition_question_id or 0
    form.condition_options.data = [
        f"{question.condition_question_id}:{code}"
        for code in question.condition_option_codes or []
    ]


def _question_data(form: QuestionForm) -> designer.QuestionDraft:
    return designer.QuestionDraft(
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
            designer.add_question(me(), draft, _question_data(form))
        except SurveyError as error:
            db.session.rollback()
            form.form_errors.append(message_for(error))
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
            designer.update_question(me(), question, _question_data(form))
        except SurveyError as error:
            db.session.rollback()
            form.form_errors.append(message_for(error))
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
            designer.move_question(me(), question, direction)
        except SurveyError as error:
            db.session.rollback()
            flash(message_for(error), "error")
        else:
            db.session.commit()
    return redirect(url_for("admin.show_survey", slug=slug) + f"#q{question_id}")


@bp.post("/surveys/<slug>/questions/<int:question_id>/delete")
def delete_question(slug: str, question_id: int) -> Response:
    survey = get_owned_survey_or_404(slug)
    question = _draft_question_or_404(survey, question_id)
    if ActionForm().validate_on_submit():
        try:
            designer.delete_question(me(), question)
        except SurveyError as error:
            db.session.rollback()
            flash(message_for(error), "error")
        else:
            db.session.commit()
            flash(_("Question deleted."), "info")
    return redirect(url_for("admin.show_survey", slug=slug))
