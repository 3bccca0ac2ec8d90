"""Copy a survey, discard its draft, delete one that was never used."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms import StringField
from wtforms.validators import Length

from survey.admin.forms import ActionForm, CreateSurveyForm, StaffForm
from survey.admin.messages import message_for
from survey.admin.views import bp
from survey.auth.rights import get_owned_survey_or_404
from survey.extensions import db
from survey.services.design import lifecycle
from survey.services.design.errors import DesignerError


class DuplicateForm(StaffForm):
    slug = CreateSurveyForm.slug
    title_vi = StringField(_l("Title (Vietnamese)"), validators=[Length(max=300)])
    title_en = StringField(_l("Title (English)"), validators=[Length(max=300)])


@bp.route("/surveys/<slug>/duplicate", methods=["GET", "POST"])
def duplicate_survey(slug: str) -> str | Response | tuple[str, int]:
    source = get_owned_survey_or_404(slug)
    form = DuplicateForm()
    if form.validate_on_submit():
        try:
            copy = lifecycle.duplicate_survey(
                current_user,
                source,
                form.slug.data,
                form.title_vi.data.strip(),
                form.title_en.data.strip(),
                current_user.unit,
            )
        except DesignerError as error:
            form.slug.errors = [message_for(error)]
        else:
            db.session.commit()
            flash(_("Copy created: a draft you can now edit and assign."), "info")
            return redirect(url_for("admin.show_survey", slug=copy.slug))
    status = 422 if form.errors else 200
    return render_template("admin/duplicate.html", survey=source, form=form), status


@bp.get("/surveys/<slug>/discard/confirm")
def confirm_discard(slug: str) -> str:
    survey = get_owned_survey_or_404(slug)
    draft = survey.draft_version
    if draft is None or survey.published_version is None:
        abort(404)
    return render_template(
        "admin/confirm.html",
        survey=survey,
        form=ActionForm(),
        heading=_("Discard draft version %(n)s?", n=draft.number),
        consequences=[
            _("Every change made in this draft is lost."),
            _(
                "Citizens keep answering version %(n)s, as now.",
                n=survey.published_version.number,
            ),
        ],
        warnings=[],
        action=url_for("admin.discard_draft", slug=slug),
        button=_("Discard the draft"),
        danger=True,
    )


@bp.post("/surveys/<slug>/discard")
def discard_draft(slug: str) -> Response:
    survey = get_owned_survey_or_404(slug)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        lifecycle.discard_draft(current_user, survey)
    except DesignerError as error:
        flash(message_for(error), "error")
    else:
        db.session.commit()
        flash(_("Draft discarded."), "info")
    return redirect(url_for("admin.show_survey", slug=slug))


@bp.get("/surveys/<slug>/delete/confirm")
def confirm_delete_survey(slug: str) -> str:
    survey = get_owned_survey_or_404(slug)
    if not lifecycle.can_delete(survey):
        return render_template(
            "admin/confirm.html",
            survey=survey,
            heading=_("This survey cannot be deleted"),
            consequences=[message_for(DesignerError("survey_in_use"))],
            warnings=[],
        )
    return render_template(
        "admin/confirm.html",
        survey=survey,
        form=ActionForm(),
        heading=_("Delete the survey %(title)s?", title=survey.title_vi),
        consequences=[
            _("It was never published and holds no answer: nothing else is lost."),
            _("Its address /s/%(slug)s becomes free again.", slug=survey.slug),
        ],
        warnings=[],
        action=url_for("admin.delete_survey", slug=slug),
        button=_("Delete the survey"),
        danger=True,
    )


@bp.post("/surveys/<slug>/delete")
def delete_survey(slug: str) -> Response:
    survey = get_owned_survey_or_404(slug)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        lifecycle.delete_unused_survey(current_user, survey)
    except DesignerError as error:
        flash(message_for(error), "error")
        return redirect(url_for("admin.show_survey", slug=slug))
    db.session.commit()
    flash(_("Survey deleted."), "info")
    return redirect(url_for("admin.index"))
