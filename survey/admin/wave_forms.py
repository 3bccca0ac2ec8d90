"""Forms of the invited channel: cases, waves, personal data, reviews."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
)

from survey.admin.form_base import (
    FiniteDecimalField,
    MultiCheckboxField,
    StaffForm,
    _upload,
)


class CaseImportForm(StaffForm):
    file = _upload(
        _l("CSV file of service cases (UTF-8)"),
        FileAllowed(["csv", "txt"], _l("Choose a .csv file.")),
    )
    all_or_nothing = BooleanField(
        _l("All or nothing: import no row when any row is rejected")
    )


SAMPLE_MODES = {
    "per_unit": _l("A sample size per unit"),
    "moe": _l("A target margin of error"),
}


class WaveForm(StaffForm):
    name = StringField(_l("Name of the wave"), validators=[Length(max=200)])
    version = SelectField(_l("Survey version"), coerce=int)
    period_start = DateField(
        _l("First result date"),
        validators=[InputRequired(_l("Please give the first result date."))],
    )
    period_end = DateField(
        _l("Last result date"),
        validators=[InputRequired(_l("Please give the last result date."))],
    )
    units = MultiCheckboxField(_l("Units"), coerce=int)
    sample_mode = RadioField(
        _l("How to size the sample"),
        choices=[SelectChoice(k, v) for k, v in SAMPLE_MODES.items()],
        default="per_unit",
    )
    per_unit = IntegerField(
        _l("Sample size per unit"),
        validators=[
            Optional(),
            NumberRange(1, 100_000, message=_l("Between 1 and 100,000.")),
        ],
    )
    moe = FiniteDecimalField(
        _l("Target margin of error (percentage points)"),
        places=1,
        validators=[
            Optional(),
            NumberRange(0.5, 50, message=_l("Between 0.5 and 50 points.")),
        ],
    )
    stratify = BooleanField(_l("Stratify by procedure group and outcome"), default=True)
    oversample = FiniteDecimalField(
        _l("Oversampling of rejected and late cases (1 = none)"),
        places=1,
        default=Decimal(2),
        validators=[
            InputRequired(_l("Please give a factor between 1 and 10.")),
            NumberRange(1, 10, message=_l("Please give a factor between 1 and 10.")),
        ],
    )
    # No seed field: the system draws it (survey/admin/waves.py), so nobody
    # picks the cases a wave invites.

    def validate_units(self, field: MultiCheckboxField) -> None:
        if not field.data:
            raise ValidationError(_l("Choose at least one unit."))

    def validate_period_end(self, field: DateField) -> None:
        start = self.period_start.data
        if field.data and start and field.data < start:
            raise ValidationError(_l("The period must end on or after its start."))

    def validate_per_unit(self, field: IntegerField) -> None:
        if self.sample_mode.data == "per_unit" and field.data is None:
            raise ValidationError(_l("Please give the sample size per unit."))

    def validate_moe(self, field: FiniteDecimalField) -> None:
        if self.sample_mode.data == "moe" and field.data is None:
            raise ValidationError(_l("Please give the target margin of error."))


class ExportContactsForm(StaffForm):
    base_url = StringField(
        _l("Public address of the site, for the links"),
        validators=[
            DataRequired(_l("Please give the site's public address.")),
            Length(max=200, message=_l("At most 200 characters.")),
            Regexp(
                r"^https?://[^\s<>\"']+$",
                message=_l("Give an address that starts with https://."),
            ),
        ],
    )


class ContactDataForm(StaffForm):
    phone = StringField(
        _l("Phone number"),
        validators=[
            DataRequired(_l("Please give the phone number.")),
            Length(max=30, message=_l("At most 30 characters.")),
        ],
    )
    confirm_erase = BooleanField(
        _l("I have checked the person's identity and want to erase the number")
    )

    def validate_phone(self, field: StringField) -> None:
        from survey.domain.cases import CaseRowError, normalise_phone

        try:
            field.data = normalise_phone(field.data)
        except CaseRowError:
            raise ValidationError(
                _l("Give a 10-digit Vietnamese number, such as 0901234567.")
            ) from None


DECISIONS = {
    "cleared": _l("Clear: the data are sound"),
    "confirmed": _l("Confirm: the data were manipulated"),
}


class ReviewDecisionForm(StaffForm):
    decision = RadioField(
        _l("Decision"),
        choices=[SelectChoice(k, v) for k, v in DECISIONS.items()],
        validators=[InputRequired(_l("Please choose a decision."))],
    )
    reason = TextAreaField(
        _l("Reason (written into the audit log)"),
        validators=[
            DataRequired(_l("Please write the reason for the decision.")),
            Length(
                10,
                2000,
                message=_l("Write between 10 and 2,000 characters."),
            ),
        ],
    )


class RecomputeQualityForm(StaffForm):
    days = IntegerField(
        _l("Period: this many days up to today"),
        default=365,
        validators=[
            InputRequired(_l("Please give a number of days.")),
            NumberRange(1, 3660, message=_l("Between 1 and 3,660 days.")),
        ],
    )
