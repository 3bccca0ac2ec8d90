"""Forms of the field-work pages: a back-check's result, a data request."""

from __future__ import annotations

from collections.abc import Mapping

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length

from survey.admin.forms import StaffForm

NOTE = [Length(max=500, message=_l("At most 500 characters."))]
AGREEMENT_LABELS = {
    "yes": _l("Yes: the same answers"),
    "partly": _l("Partly: some answers differ"),
    "no": _l("No: different answers, or no interview took place"),
}
KIND_LABELS = {"export": _l("Export of their data"), "erasure": _l("Erasure")}
STATE_LABELS = {"open": _l("open"), "done": _l("done"), "refused": _l("refused")}


def _choices(labels: Mapping[str, object]) -> list[SelectChoice]:
    return [SelectChoice(key, label) for key, label in labels.items()]


class BackCheckForm(StaffForm):
    agreement = RadioField(
        _l("Did the person give the same answers to the key items?"),
        choices=_choices(AGREEMENT_LABELS),
        validators=[InputRequired(_l("Choose one answer."))],
    )
    note = TextAreaField(_l("Note (no personal data)"), validators=NOTE)


class DataRequestForm(StaffForm):
    kind = SelectField(_l("Request"), choices=_choices(KIND_LABELS))
    contact = StringField(
        _l("How to reach the person"),
        validators=[
            DataRequired(_l("Please say how to reach the person.")),
            Length(max=120, message=_l("At most 120 characters.")),
        ],
    )
    received_on = DateField(
        _l("Received on"),
        validators=[DataRequired(_l("Please give a date (YYYY-MM-DD)."))],
    )
    note = TextAreaField(_l("Note"), validators=NOTE)


class RequestStateForm(StaffForm):
    state = SelectField(_l("State"), choices=_choices(STATE_LABELS))
    note = TextAreaField(_l("Note"), validators=NOTE)
