"""Ask once before what cannot be undone: publishing, deleting, closing.

Each page says what will happen and posts to the action's own route, so
the confirmation works without JavaScript; the actions stay POST-only.
"""

from __future__ import annotations

from flask import abort, render_template, url_for
from flask_babel import gettext as _

from survey.admin.forms import TYPE_LABELS, ActionForm
from survey.admin.views import bp
from survey.auth.rights import get_owned_survey_or_404
from survey.domain import version_diff as vd
from survey.models import Question, SurveyVersion
from survey.services.design.completeness import missing_english


def _snapshot(question: Question) -> vd.QuestionSnapshot:
    return vd.QuestionSnapshot(
        code=question.code,
        type=question.type,
        text_vi=question.text_vi,
        text_en=question.text_en,
        help_vi=question.help_vi,
        help_en=question.help_en,
        dimension=question.dimension,
        required=question.required,
        page=question.page.position,
        min_value=question.min_value,
        max_value=question.max_value,
        options=tuple((o.code, o.label_vi) for o in question.options),
    )


def version_changes(
    previous: SurveyVersion | None, draft: SurveyVersion
) -> list[vd.Change]:
    """What the draft changes against the version citizens answer now."""
    if previous is None:
        return []
    return vd.diff_versions(
        [_snapshot(q) for q in previous.questions],
        [_snapshot(q) for q in draft.questions],
    )


def change_labels() -> dict[str, str]:
    return {
        vd.ADDED: _("new question"),
        vd.REMOVED: _("question removed"),
        vd.WORDING: _("Vietnamese wording changed"),
        vd.WORDING_EN: _("English wording changed"),
        vd.HELP: _("help text changed"),
        vd.TYPE: _("answer type changed"),
        vd.OPTIONS: _("options changed"),
        vd.RANGE: _("allowed range changed"),
        vd.REQUIRED: _("required or optional changed"),
        vd.MOVED: _("moved to another page"),
    }


@bp.get("/surveys/<slug>/publish/confirm")
def confirm_publish(slug: str) -> str:
    survey = get_owned_survey_or_404(slug)
    draft = survey.draft_version
    if draft is None:
        abort(404)
    return render_template(
        "admin/confirm.html",
        survey=survey,
        form=ActionForm(),
        heading=_("Publish version %(n)s?", n=draft.number),
        consequences=[
            _(
                "Its %(n)s questions are frozen: a later change needs a new draft "
                "version.",
                n=len(draft.questions),
            ),
            _("Citizens answer this version as soon as the survey is open.")
            if survey.status != "open"
            else _("The survey is open: citizens answer this version from now on."),
        ],
        warnings=missing_english(draft),
        previous=survey.published_version,
        changes=version_changes(survey.published_version, draft),
        change_labels=change_labels(),
        value_labels={
            "required": _("required"),
            "optional": _("optional"),
            **{code: str(label) for code, label in TYPE_LABELS.items()},
        },
        action=url_for("admin.publish_survey", slug=slug),
        button=_("Publish version %(n)s", n=draft.number),
    )


@bp.get("/surveys/<slug>/questions/<int:question_id>/delete/confirm")
def confirm_delete_question(slug: str, question_id: int) -> str:
    survey = get_owned_survey_or_404(slug)
    draft = survey.draft_version
    question = next(
        (q for q in (draft.questions if draft else []) if q.id == question_id), None
    )
    if draft is None or question is None:
        abort(404)
    shown_after = [
        q.code for q in draft.questions if q.condition_question_id == question.id
    ]
    consequences = [
        _("The question %(code)s and its options leave the draft.", code=question.code)
    ]
    if shown_after:
        consequences.append(
            _(
                "These questions are shown after an answer to it and lose that "
                "condition: %(codes)s.",
                codes=", ".join(shown_after),
            )
        )
    return render_template(
        "admin/confirm.html",
        survey=survey,
        form=ActionForm(),
        heading=_("Delete the question %(code)s?", code=question.code),
        quote=question.text_vi,
        consequences=consequences,
        warnings=[],
        action=url_for("admin.delete_question", slug=slug, question_id=question.id),
        button=_("Delete the question"),
        danger=True,
    )


@bp.get("/surveys/<slug>/close/confirm")
def confirm_close(slug: str) -> str:
    survey = get_owned_survey_or_404(slug)
    if survey.status != "open":
        abort(404)
    return render_template(
        "admin/confirm.html",
        survey=survey,
        form=ActionForm(),
        heading=_("Close the survey?"),
        consequences=[
            _("Citizens can no longer answer; the answers given are kept."),
            _("You can open it again later."),
        ],
        warnings=[],
        action=url_for("admin.change_state", slug=slug),
        field=("action", "close"),
        button=_("Close the survey"),
        danger=True,
    )
