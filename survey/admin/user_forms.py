"""Forms of the people pages: staff users and API clients."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    Optional,
    Regexp,
)

from survey.admin.form_base import (
    EMAIL_PATTERN,
    ROLE_LABELS,
    StaffForm,
)
from survey.auth.forms import new_password_length
from survey.models.users import ROLES


class UserForm(StaffForm):
    email = EmailField(
        _l("E-mail"),
        validators=[
            DataRequired(_l("Please give an e-mail address.")),
            Length(max=254),
            Regexp(EMAIL_PATTERN, message=_l("This is not an e-mail address.")),
        ],
    )
    name = StringField(_l("Name"), validators=[Length(max=200)])
    role = SelectField(
        _l("Role"), choices=[SelectChoice(r, ROLE_LABELS[r]) for r in ROLES]
    )
    unit_code = StringField(
        _l("Unit (scope)"),
        validators=[DataRequired(_l("Please give a unit code.")), Length(max=40)],
    )
    password = PasswordField(
        _l("Password"),
        validators=[
            InputRequired(_l("Please give a password.")),
            new_password_length(),
        ],
    )


class EditUserForm(StaffForm):
    name = StringField(_l("Name"), validators=[Length(max=200)])
    role = SelectField(
        _l("Role"), choices=[SelectChoice(r, ROLE_LABELS[r]) for r in ROLES]
    )
    unit_code = StringField(
        _l("Unit (scope)"),
        validators=[DataRequired(_l("Please give a unit code.")), Length(max=40)],
    )
    active = BooleanField(_l("Active (may log in)"))
    password = PasswordField(
        _l("New password (leave empty to keep it)"),
        validators=[
            Optional(),
            new_password_length(),
        ],
    )


class ApiClientForm(StaffForm):
    name = StringField(
        _l("Name of the system"),
        validators=[
            DataRequired(_l("Please give the system a name.")),
            Length(max=100, message=_l("At most 100 characters.")),
        ],
    )
