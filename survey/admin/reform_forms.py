"""Forms of the reforms page."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length

from survey.admin.forms import StaffForm, _upload


class ReformCsvForm(StaffForm):
    name = StringField(
        _l("Name of the reform"),
        validators=[
            DataRequired(_l("Please give the reform a name.")),
            Length(max=200),
        ],
    )
    file = _upload(_l("CSV file (former_code, new_code, share, effective_date)"))


class Reform2025Form(StaffForm):
    province = SelectField(_l("Province or city"), validate_choice=True)
