"""A wave's messages: the plan (channels, reminders, texts), starting the
sending, and the funnel with the response rate."""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms import IntegerField, SelectChoice, StringField, TextAreaField
from wtforms.validators import Length, NumberRange, Optional

from survey.admin.forms import (
    ActionForm,
    ExportContactsForm,
    MultiCheckboxField,
    StaffForm,
)
from survey.admin.messages import message_for
from survey.admin.views import bp
from survey.auth.rights import get_wave_in_scope_or_404
from survey.channels import configured
from survey.extensions import db
from survey.models import Wave
from survey.models.outbox import CHANNELS
from survey.services.fieldwork import outbox, outbox_reports
from survey.services.fieldwork.outbox_plans import (
    DEFAULT_TEXTS,
    PlanError,
    plan_for,
    update_plan,
)

TEXT = [Length(max=2000, message=_l("At most 2,000 characters."))]
CHANNEL_LABELS = {
    "email": _l("E-mail (businesses)"),
    "sms": _l("SMS (brand name)"),
    "zns": _l("Zalo notification (ZNS)"),
}


class OutreachForm(StaffForm):
    channels = MultiCheckboxField(
        _l("Channels, tried in this order"),
        choices=[SelectChoice(c, CHANNEL_LABELS[c]) for c in CHANNELS],
    )
    max_reminders = IntegerField(
        _l("Reminders to those who have not answered"),
        validators=[NumberRange(0, 5, message=_l("Between 0 and 5."))],
    )
    reminder_days = IntegerField(
        _l("Days between messages"),
        validators=[NumberRange(1, 30, message=_l("Between 1 and 30."))],
    )
    base_url = ExportContactsForm.base_url  # the same field, checked the same way
    subject_vi = StringField(_l("E-mail subject (Vietnamese)"), validators=TEXT)
    subject_en = StringField(_l("E-mail subject (English)"), validators=TEXT)
    first_vi = TextAreaField(_l("First message (Vietnamese)"), validators=TEXT)
    first_en = TextAreaField(_l("First message (English)"), validators=TEXT)
    reminder_vi = TextAreaField(_l("Reminder (Vietnamese)"), validators=TEXT)
    reminder_en = TextAreaField(_l("Reminder (English)"), validators=TEXT)
    zns_template_id = StringField(
        _l("Zalo template id"), validators=[Optional(), Length(max=40)]
    )


PLAN_FIELDS = (
    "max_reminders",
    "reminder_days",
    "base_url",
    "subject_vi",
    "subject_en",
    "first_vi",
    "first_en",
    "reminder_vi",
    "reminder_en",
    "zns_template_id",
)


def outreach_context(wave: Wave) -> dict[str, Any]:
    """What the wave page shows about its messages (reads only)."""
    from survey.models.outbox import OutreachPlan

    plan = db.session.query(OutreachPlan).filter_by(wave_id=wave.id).one_or_none()
    if plan is not None:
        form = OutreachForm(formdata=None, obj=plan)
        form.channels.data = plan.channel_list()
    else:
        form = OutreachForm(
            formdata=None,
            data={
                **DEFAULT_TEXTS,
                "channels": ["sms"],
                "max_reminders": 2,
                "reminder_days": 3,
                "base_url": request.url_root.rstrip("/"),
            },
        )
    return {
        "outreach_form": form,
        "plan": plan,
        "funnel": outbox_reports.wave_funnel(wave),
        "message_states": outbox_reports.message_states(wave),
        "channels_ready": {c: configured(c) for c in CHANNELS},
    }


@bp.post("/waves/<int:wave_id>/outreach")
def save_outreach(wave_id: int) -> Response:
    wave = get_wave_in_scope_or_404(wave_id)
    form = OutreachForm()
    back = redirect(url_for("admin.show_wave", wave_id=wave_id) + "#messages")
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for message in errors:
                flash(message, "error")
        return back
    plan = plan_for(wave)
    fields = {name: getattr(form, name).data for name in PLAN_FIELDS}
    fields["base_url"] = fields["base_url"].strip().rstrip("/")
    try:
        update_plan(plan, channels=form.channels.data or [], **fields)
    except PlanError as error:
        db.session.rollback()
        flash(message_for(error), "error")
        return back
    from survey.services.audit import record_event

    record_event(current_user, "update", "outreach_plan", wave.id)
    db.session.commit()
    flash(_("The plan for the messages is saved."), "info")
    return back


@bp.post("/waves/<int:wave_id>/send")
def start_sending(wave_id: int) -> Response:
    wave = get_wave_in_scope_or_404(wave_id)
    back = redirect(url_for("admin.show_wave", wave_id=wave_id) + "#messages")
    if not ActionForm().validate_on_submit():
        return back
    try:
        queued = outbox.start_sending(wave, current_user._get_current_object())
    except PlanError as error:
        db.session.rollback()
        flash(message_for(error), "error")
        return back
    db.session.commit()
    from survey import jobs

    try:
        jobs.send_outbox()  # the consumer sends them, within the quiet hours
    except Exception:  # the queue unreachable: the minute job sends them
        current_app.logger.warning("outbox: could not queue the sending job")
    flash(_("%(n)s first messages queued.", n=queued), "info")
    return back
