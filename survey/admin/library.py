"""Add questions of the standard banks to a draft, ticked from a list."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms import SelectField

from survey import current_lang
from survey.admin.forms import TYPE_LABELS, MultiCheckboxField, StaffForm
from survey.admin.views import _draft_or_redirect, bp
from survey.auth.rights import get_owned_survey_or_404
from survey.extensions import db
from survey.services.design import question_library as lib


class LibraryForm(StaffForm):
    codes = MultiCheckboxField(_l("Questions to add"), validate_choice=True)
    page = SelectField(_l("Add them to page"), coerce=int, validate_choice=True)


@bp.route("/surveys/<slug>/library", methods=["GET", "POST"])
def question_library(slug: str) -> str | Response | tuple[str, int]:
    survey = get_owned_survey_or_404(slug)
    draft = _draft_or_redirect(survey)
    items = lib.library()
    form = LibraryForm()
    form.codes.choices = [(i.question.code, i.question.text_vi) for i in items]
    form.page.choices = [
        (p.id, f"{p.position + 1}. {p.title_vi or _('Page')}") for p in draft.pages
    ]
    if request.method == "GET":
        form.page.data = draft.pages[-1].id
    if form.validate_on_submit():
        if not form.codes.data:
            form.codes.errors.append(_("Tick at least one question."))
        else:
            added, skipped = lib.add_from_library(
                current_user, draft, form.codes.data, form.page.data
            )
            db.session.commit()
            if added:
                flash(_("Added: %(codes)s.", codes=", ".join(added)), "info")
            if skipped:
                flash(
                    _(
                        "Already in the draft, not added again: %(codes)s.",
                        codes=", ".join(skipped),
                    ),
                    "error",
                )
            return redirect(url_for("admin.show_survey", slug=slug))
    in_draft = {q.code for q in draft.questions}
    status = 422 if request.method == "POST" else 200
    return render_template(
        "admin/library.html",
        survey=survey,
        form=form,
        items=items,
        in_draft=in_draft,
        type_labels=TYPE_LABELS,
        bank_title=lambda bank: lib.bank_title(bank, current_lang()),
    ), status
