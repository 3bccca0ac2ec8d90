"""Forms of the admin pages: every field checked, every message a sentence."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired, FileSize
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    DecimalField,
    EmailField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
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
from wtforms.widgets import CheckboxInput, ListWidget

from survey.auth.forms import new_password_length
from survey.domain.banks import TEMPLATE_TITLES
from survey.domain.questions import (
    CHOICE_TYPES,
    DIMENSIONS,
    LIKERT_OPTION_CODES,
    QUESTION_TYPES,
    OptionSpec,
)
from survey.models.units import UNIT_KINDS
from survey.models.users import ROLES

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
# Deliberately plain: no extra dependency, and no <, > or spaces.
EMAIL_PATTERN = r"^[^@\s<>\"']+@[^@\s<>\"']+\.[^@\s<>\"']+$"
CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"
MAX_UPLOAD_BYTES = 512 * 1024
# Dates typed by staff must fall in these years (as the results' date filters):
# Vietnam's offset pushes year 1 or 9999 out of Python's range, and no survey
# opens then.
EARLIEST_MOMENT = datetime(2000, 1, 1)
LATEST_MOMENT = datetime(2100, 12, 31, 23, 59)


def in_calendar(moment: datetime) -> bool:
    """Whether a typed moment is between the years 2000 and 2100."""
    return EARLIEST_MOMENT <= moment <= LATEST_MOMENT


TYPE_LABELS = {
    "likert5": _l("Five-point scale"),
    "single": _l("Single choice"),
    "multiple": _l("Multiple choice"),
    "nps": _l("Recommend (0-10)"),
    "rating5": _l("Rating (1-5)"),
    "short_text": _l("Short text"),
    "long_text": _l("Long text"),
    "number": _l("Number"),
    "date": _l("Date"),
}
FACTORS = {
    "1": _l("access"),
    "2": _l("procedure"),
    "3": _l("official"),
    "4": _l("result"),
    "5": _l("feedback"),
}
DIMENSION_LABELS = {
    "overall": _l("Overall satisfaction (M1)"),
    "trust": _l("Trust (M8)"),
    **{f"S{n}": _l("Satisfaction: %(factor)s (S%(n)s)", factor=f, n=n)
       for n, f in FACTORS.items()},
    **{f"P{n}": _l("Perception: %(factor)s (P%(n)s)", factor=f, n=n)
       for n, f in FACTORS.items()},
    "check": _l("Attention check (in no index)"),
    "respondent_group": _l("Respondent group (citizen or business)"),
    "effectiveness": _l("Effectiveness"),
    "ease": _l("Ease"),
    "efficiency": _l("Efficiency"),
    "equity": _l("Equity"),
    "employee": _l("Staff"),
}  # fmt: skip
UNIT_KIND_LABELS = {
    "city": _l("City"),
    "ward": _l("Ward"),
    "commune": _l("Commune"),
    "special_zone": _l("Special zone"),
    "department": _l("Department"),
    "branch": _l("Branch"),
    "centre": _l("Centre"),
}
ROLE_LABELS = {
    "admin": _l("Administrator"),
    "designer": _l("Designer"),
    "leader": _l("Leader"),
}


def _as_text(value: object) -> object:
    """A text field's value, "" when a crafted post left the field out."""
    return value if isinstance(value, str) else ""


class StaffForm(FlaskForm):
    """An admin form whose text fields always hold a string.

    Without it a post that omits a field leaves ``None`` (or, with ``obj=``,
    the model's value, such as a list of options) where views call ``strip()``.
    """

    class Meta(FlaskForm.Meta):
        def bind_field(self, form, unbound_field, options):  # type: ignore[no-untyped-def]
            if issubclass(unbound_field.field_class, StringField):
                filters = [*unbound_field.kwargs.get("filters", ()), _as_text]
                options = {**options, "filters": filters}
            return super().bind_field(form, unbound_field, options)


def _title_required() -> list[object]:
    return [DataRequired(_l("Please enter a title.")), Length(max=300)]


class CreateSurveyForm(StaffForm):
    slug = StringField(
        _l("Address (slug)"),
        validators=[
            DataRequired(_l("Please choose the survey's address.")),
            Length(max=80, message=_l("At most 80 characters.")),
            Regexp(
                SLUG_PATTERN,
                message=_l(
                    "Use lowercase letters without accents, digits and hyphens only."
                ),
            ),
        ],
    )
    template = SelectField(_l("Start from"), validate_choice=True)
    title_vi = StringField(_l("Title (Vietnamese)"), validators=[Length(max=300)])
    title_en = StringField(_l("Title (English)"), validators=[Length(max=300)])

    def __init__(self, *args: object, lang: str = "vi", **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.template.choices = [SelectChoice("", _l("A blank survey"))] + [
            SelectChoice(key, titles.get(lang, titles["vi"]))
            for key, titles in TEMPLATE_TITLES.items()
        ]

    def validate_title_vi(self, field: StringField) -> None:
        if not self.template.data and not (field.data or "").strip():
            raise ValidationError(_l("A blank survey needs a Vietnamese title."))


class TextsForm(StaffForm):
    title_vi = StringField(_l("Title (Vietnamese)"), validators=_title_required())
    title_en = StringField(_l("Title (English)"), validators=[Length(max=300)])
    intro_vi = TextAreaField(
        _l("Introduction (Vietnamese)"), validators=[Length(max=5000)]
    )
    intro_en = TextAreaField(
        _l("Introduction (English)"), validators=[Length(max=5000)]
    )
    thanks_vi = TextAreaField(
        _l("Thank-you text (Vietnamese)"), validators=[Length(max=5000)]
    )
    thanks_en = TextAreaField(
        _l("Thank-you text (English)"), validators=[Length(max=5000)]
    )


class PageForm(StaffForm):
    title_vi = StringField(_l("Page title (Vietnamese)"), validators=[Length(max=300)])
    title_en = StringField(_l("Page title (English)"), validators=[Length(max=300)])


def parse_option_lines(text: str) -> tuple[tuple[OptionSpec, ...], list[str]]:
    """``code|label vi|label en[|other]`` per line: the options and the errors."""
    options: list[OptionSpec] = []
    errors: list[str] = []
    seen: set[str] = set()
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [part.strip() for part in line.split("|")]
        if len(parts) < 2 or not parts[0] or not parts[1]:
            errors.append(
                str(_l("Line %(n)s: write code|label vi|label en.", n=number))
            )
            continue
        code = parts[0]
        if not re.match(CODE_PATTERN, code) or len(code) > 40:
            errors.append(
                str(
                    _l(
                        "Line %(n)s: a code uses letters, digits, '.', '-' or '_' "
                        "(at most 40).",
                        n=number,
                    )
                )
            )
            continue
        if code in seen:
            errors.append(
                str(
                    _l(
                        "Line %(n)s: the code %(code)s is used twice.",
                        n=number,
                        code=code,
                    )
                )
            )
            continue
        if len(parts[1]) > 500 or (len(parts) > 2 and len(parts[2]) > 500):
            errors.append(str(_l("Line %(n)s: a label is too long.", n=number)))
            continue
        seen.add(code)
        other = len(parts) > 3 and parts[3].lower() in ("other", "khac", "khác")
        options.append(
            OptionSpec(code, parts[1], parts[2] if len(parts) > 2 else "", other)
        )
    if len(options) > 100:
        errors.append(str(_l("At most 100 options.")))
    return tuple(options), errors


def option_lines(options: object) -> str:
    """The textarea's text for existing options."""
    lines = []
    for o in options:  # type: ignore[attr-defined]
        line = f"{o.code}|{o.label_vi}|{o.label_en}"
        lines.append(line + ("|other" if o.is_other else ""))
    return "\n".join(lines)


class QuestionForm(StaffForm):
    code = StringField(
        _l("Code"),
        validators=[
            DataRequired(_l("Please give the question a code.")),
            Length(max=40, message=_l("At most 40 characters.")),
            Regexp(
                CODE_PATTERN,
                message=_l("Use letters, digits, '.', '-' or '_' only."),
            ),
        ],
    )
    type = SelectField(
        _l("Type"), choices=[SelectChoice(t, TYPE_LABELS[t]) for t in QUESTION_TYPES]
    )
    page = SelectField(_l("Page"), coerce=int, validate_choice=True)
    text_vi = TextAreaField(
        _l("Question (Vietnamese)"),
        validators=[
            DataRequired(_l("Please write the question.")),
            Length(max=2000, message=_l("At most 2,000 characters.")),
        ],
    )
    text_en = TextAreaField(
        _l("Question (English)"),
        validators=[Length(max=2000, message=_l("At most 2,000 characters."))],
    )
    help_vi = TextAreaField(
        _l("Help text (Vietnamese)"),
        validators=[Length(max=2000, message=_l("At most 2,000 characters."))],
    )
    help_en = TextAreaField(
        _l("Help text (English)"),
        validators=[Length(max=2000, message=_l("At most 2,000 characters."))],
    )
    required = BooleanField(_l("An answer is required"), default=True)
    dimension = SelectField(
        _l("Dimension"),
        choices=[SelectChoice("", _l("None"))]
        + [SelectChoice(d, DIMENSION_LABELS.get(d, d)) for d in DIMENSIONS],
    )
    options = TextAreaField(
        _l(
            "Options, one per line: code|label vi|label en (add |other for a free text)"
        ),
        validators=[Length(max=20000, message=_l("At most 20,000 characters."))],
    )
    condition_question = SelectField(
        _l("Show only if the earlier question"), coerce=int, validate_choice=True
    )
    # Values "<question id>:<option code>": the options of every earlier choice
    # question, ticked rather than typed; only the chosen question's count.
    condition_options = SelectMultipleField(
        _l("has one of these answers"),
        validate_choice=False,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    min_value = IntegerField(
        _l("Smallest number allowed"),
        validators=[Optional(), NumberRange(-1_000_000_000, 1_000_000_000)],
    )
    max_value = IntegerField(
        _l("Largest number allowed"),
        validators=[Optional(), NumberRange(-1_000_000_000, 1_000_000_000)],
    )
    max_choices = IntegerField(
        _l("Most options a respondent may tick"),
        validators=[Optional(), NumberRange(1, 100)],
    )
    max_length = IntegerField(
        _l("Longest answer (characters)"),
        validators=[Optional(), NumberRange(1, 10000)],
    )

    parsed_options: tuple[OptionSpec, ...] = ()

    def validate_options(self, field: TextAreaField) -> None:
        self.parsed_options, errors = parse_option_lines(field.data or "")
        if errors:
            raise ValidationError(" ".join(errors))
        if self.type.data in CHOICE_TYPES - {"likert5"} and not self.parsed_options:
            raise ValidationError(_l("A choice question needs at least one option."))
        codes = {o.code for o in self.parsed_options}
        if self.type.data == "likert5" and not codes <= LIKERT_OPTION_CODES:
            raise ValidationError(
                _l("A five-point question's codes are 1 to 5, and 9 for “don't know”.")
            )

    def condition_codes(self) -> tuple[str, ...]:
        """The ticked option codes of the chosen earlier question."""
        source = str(self.condition_question.data or "")
        picked = (value.split(":", 1) for value in self.condition_options.data or [])
        return tuple(code for qid, code in picked if qid == source)

    def validate_condition_options(self, field: SelectMultipleField) -> None:
        if not self.condition_question.data:
            return
        if not self.condition_codes():
            raise ValidationError(
                _l(
                    "Tick the answers of the chosen question that make this "
                    "question appear."
                )
            )

    def validate_max_value(self, field: IntegerField) -> None:
        low = self.min_value.data
        if field.data is not None and low is not None and field.data < low:
            raise ValidationError(_l("The largest number is below the smallest."))


class SettingsForm(StaffForm):
    publish_results = BooleanField(_l("Publish the results openly at /open/<survey>"))
    min_n = IntegerField(
        _l("Fewest answers behind any figure shown (never below 10)"),
        validators=[DataRequired(), NumberRange(10, 1000)],
    )


class WindowForm(StaffForm):
    opens_at = DateTimeLocalField(
        _l("Opens at"), format="%Y-%m-%dT%H:%M", validators=[Optional()]
    )
    closes_at = DateTimeLocalField(
        _l("Closes at"), format="%Y-%m-%dT%H:%M", validators=[Optional()]
    )

    def validate_opens_at(self, field: DateTimeLocalField) -> None:
        if field.data and not in_calendar(field.data):
            raise ValidationError(_l("Choose a date between the years 2000 and 2100."))

    def validate_closes_at(self, field: DateTimeLocalField) -> None:
        if field.data and not in_calendar(field.data):
            raise ValidationError(_l("Choose a date between the years 2000 and 2100."))
        if field.data and self.opens_at.data and field.data <= self.opens_at.data:
            raise ValidationError(_l("The survey must close after it opens."))


class ActionForm(StaffForm):
    """A bare POST button: only the CSRF token."""


UNIT_CODE = [
    DataRequired(_l("Please give a unit code.")),
    Length(max=40, message=_l("At most 40 characters.")),
    Regexp(CODE_PATTERN, message=_l("Use letters, digits, '.', '-' or '_' only.")),
]


class UnitForm(StaffForm):
    code = StringField(_l("Code"), validators=UNIT_CODE)
    parent_code = StringField(_l("Parent unit code"), validators=[Length(max=40)])
    name_vi = StringField(
        _l("Name (Vietnamese)"),
        validators=[DataRequired(_l("Please give a name.")), Length(max=200)],
    )
    name_en = StringField(_l("Name (English)"), validators=[Length(max=200)])
    kind = SelectField(
        _l("Kind"),
        choices=[SelectChoice(k, UNIT_KIND_LABELS.get(k, k)) for k in UNIT_KINDS],
    )


class EditUnitForm(UnitForm):
    """A unit's names and kind; its code is fixed and it moves by MoveUnitForm."""

    code = None  # type: ignore[assignment]  # WTForms: None removes the field
    parent_code = None  # type: ignore[assignment]


class MoveUnitForm(StaffForm):
    parent_code = StringField(
        _l("New parent unit code"),
        validators=[
            DataRequired(_l("Please give the new parent's code.")),
            Length(max=40),
        ],
    )


def _upload(label: object, *checks: object) -> FileField:
    return FileField(
        label,
        validators=[
            FileRequired(_l("Please choose a file.")),
            *checks,
            FileSize(
                MAX_UPLOAD_BYTES, message=_l("The file is too large (at most 512 KB).")
            ),
        ],
    )


class UnitImportForm(StaffForm):
    file = _upload(_l("CSV file (code, parent_code, name_vi, name_en, kind)"))


class AssignForm(StaffForm):
    unit_code = StringField(
        _l("Unit code"),
        validators=[DataRequired(_l("Please give a unit code.")), Length(max=40)],
    )
    subtree = BooleanField(_l("With every unit below it"))


class SurveyImportForm(StaffForm):
    slug = CreateSurveyForm.slug
    file = _upload(
        _l("Survey definition: this platform's JSON, or an XLSForm (.xlsx, .xls)"),
        FileAllowed(
            ["json", "xlsx", "xls"],
            _l("Choose a .json, an .xlsx or an .xls file."),
        ),
    )


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


# --- trust: cases, waves, personal data, reviews ------------------------------


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes; the template lays them out in a fieldset."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class FiniteDecimalField(DecimalField):
    """A decimal that is a number: "NaN" or "sNaN" would break every comparison."""

    def process_formdata(self, valuelist: list[object]) -> None:
        super().process_formdata(valuelist)
        if isinstance(self.data, Decimal) and not self.data.is_finite():
            self.data = None
            raise ValueError(self.gettext("Not a valid decimal value."))


class CaseImportForm(StaffForm):
    file = _upload(
        _l("CSV file of service cases (UTF-8)"),
        FileAllowed(["csv", "txt"], _l("Choose a .csv file.")),
    )
    all_or_nothing = BooleanField(
        _l("All or nothing: import no row when any row is rejected")
    )


class ApiClientForm(StaffForm):
    name = StringField(
        _l("Name of the system"),
        validators=[
            DataRequired(_l("Please give the system a name.")),
            Length(max=100, message=_l("At most 100 characters.")),
        ],
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
