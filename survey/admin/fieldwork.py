"""Interviewing a ward cannot bend: each interviewer's share and effect on
the overall item, and the back-check calls. City-wide administrators only
(survey.auth.rights.require_independent), every act audited."""

from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from survey.admin import me
from survey.admin.fieldwork_forms import AGREEMENT_LABELS, BackCheckForm
from survey.admin.forms import ActionForm
from survey.admin.views import bp
from survey.auth.rights import get_wave_in_scope_or_404, require_independent
from survey.domain import interviewer_effect as ie
from survey.extensions import db
from survey.models.fieldwork import BackCheck
from survey.services.audit import record_event
from survey.services.fieldwork import interviews as service


@bp.get("/waves/<int:wave_id>/fieldwork")
def show_fieldwork(wave_id: int) -> str:
    wave = get_wave_in_scope_or_404(wave_id)
    require_independent()
    return render_template(
        "admin/fieldwork.html",
        wave=wave,
        work=service.fieldwork(wave),
        action_form=ActionForm(),
        icc_threshold=ie.ICC_THRESHOLD,
        p_threshold=ie.P_THRESHOLD,
        share=ie.BACKCHECK_SHARE,
        agreement_labels=AGREEMENT_LABELS,
    )


@bp.post("/waves/<int:wave_id>/backchecks")
def draw_backchecks(wave_id: int) -> Response:
    wave = get_wave_in_scope_or_404(wave_id)
    require_independent()
    if ActionForm().validate_on_submit():
        added = service.draw_backchecks(wave)
        record_event(me(), "draw", "back_checks", wave.id, added=added)
        db.session.commit()
        flash(_("%(n)s interviews put in the back-check queue.", n=added), "info")
    return redirect(url_for("admin.show_fieldwork", wave_id=wave_id))


def _check_or_404(check_id: int) -> BackCheck:
    require_independent()
    check = db.session.get(BackCheck, check_id)
    if check is None:
        abort(404)
    get_wave_in_scope_or_404(check.wave_id)
    return check


@bp.route("/backchecks/<int:check_id>", methods=["GET", "POST"])
def backcheck(check_id: int) -> Response | tuple[str, int]:
    check = _check_or_404(check_id)
    back = url_for("admin.show_fieldwork", wave_id=check.wave_id)
    own = check.interviewer_id == current_user.id
    form = BackCheckForm()
    if own:
        flash(_("Someone other than the interviewer makes the second call."), "error")
        return redirect(back)
    if check.agreement is None and form.validate_on_submit():
        try:
            service.record_check(check, me(), form.agreement.data, form.note.data)
        except service.BackCheckError:
            db.session.rollback()
            flash(_("This back-check cannot be recorded."), "error")
        else:
            record_event(
                me(),
                "record",
                "back_check",
                check.id,
                agreement=check.agreement,
                interviewer=check.interviewer.email,
            )
            db.session.commit()
            flash(_("The back-check is recorded."), "info")
        return redirect(back)
    if not form.is_submitted():
        # The page shows the number to call: every access is audited.
        record_event(me(), "open", "back_check", check.id)
        db.session.commit()
    invitation = service.invitation_of(check)
    status = 422 if form.errors else 200
    body = render_template(
        "admin/backcheck.html",
        check=check,
        invitation=invitation,
        case=invitation.case if invitation else None,
        items=service.key_items(check),
        form=form,
        agreement_labels=AGREEMENT_LABELS,
    )
    response = make_response(body, status)
    response.headers["Cache-Control"] = "no-store"  # the phone number is on it
    return response
