from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length

from survey.auth.passwords import PASSWORD_MAX, PASSWORD_MIN


class LoginForm(FlaskForm):  # type: ignore[misc]  # Flask-WTF has no types
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(
        _l("Password"), validators=[DataRequired(), Length(max=200)]
    )


def new_password_length() -> Length:
    """The password rule as a form validator (survey/auth/passwords.py)."""
    assert (PASSWORD_MIN, PASSWORD_MAX) == (12, 200), "change the message too"
    return Length(
        PASSWORD_MIN, PASSWORD_MAX, message=_l("Between 12 and 200 characters.")
    )


class ChangePasswordForm(FlaskForm):  # type: ignore[misc]
    current = PasswordField(
        _l("Current password"),
        validators=[
            InputRequired(_l("Please give your current password.")),
            Length(max=200),
        ],
    )
    new = PasswordField(
        _l("New password"),
        validators=[
            InputRequired(_l("Please give a password.")),
            new_password_length(),
        ],
    )
    repeat = PasswordField(
        _l("New password again"),
        validators=[
            InputRequired(_l("Please give a password.")),
            EqualTo("new", message=_l("The two new passwords differ.")),
        ],
    )
