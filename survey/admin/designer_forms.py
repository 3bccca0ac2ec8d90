"""Forms of the survey designer: a new survey, its texts, pages, questions,
settings and window, and the import of a definition."""

from __future__ import annotations

import re
from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import (
    DataRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
)
from wtforms.widgets import CheckboxInput, ListWidget

from survey.admin.form_base import (
    CODE_PATTERN,
    DIMENSION_LABELS,
    SLUG_PATTERN,
    TYPE_LABELS,
    StaffForm,
    _upload,
    in_calendar,
)
from survey.domain.banks import TEMPLATE_TITLES
from survey.domain.question_types import QUESTION_TYPES, REGISTRY
from survey.domain.questions import DIMENSIONS, OptionSpec
from survey.models import Option


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


def option_lines(options: Iterable[Option]) -> str:
    """The textarea's text for existing options."""
    lines = []
    for o in options:
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
        kind = REGISTRY.get(self.type.data or "")
        if kind is None or not kind.has_options:
            return
        if not kind.default_options and not self.parsed_options:
            raise ValidationError(_l("A choice question needs at least one option."))
        codes = {o.code for o in self.parsed_options}
        if kind.allowed_codes is not None and not codes <= kind.allowed_codes:
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


class SurveyImportForm(StaffForm):
    slug = CreateSurveyForm.slug
    file = _upload(
        _l("Survey definition: this platform's JSON, or an XLSForm (.xlsx, .xls)"),
        FileAllowed(
            ["json", "xlsx", "xls"],
            _l("Choose a .json, an .xlsx or an .xls file."),
        ),
    )
