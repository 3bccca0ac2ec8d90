"""The ground of every admin form: the patterns, the labels, StaffForm and
the shared fields."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired, FileSize
from wtforms import (
    DecimalField,
    SelectMultipleField,
    StringField,
)
from wtforms.fields.core import Field, UnboundField
from wtforms.form import BaseForm
from wtforms.widgets import CheckboxInput, ListWidget

from survey.domain.question_types import REGISTRY

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


# Each type's name, from its module's English label (its msgid).
TYPE_LABELS = {code: _l(kind.label) for code, kind in REGISTRY.items()}
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


class StaffForm(FlaskForm):  # type: ignore[misc]  # Flask-WTF has no types
    """An admin form whose text fields always hold a string.

    Without it a post that omits a field leaves ``None`` (or, with ``obj=``,
    the model's value, such as a list of options) where views call ``strip()``.
    """

    class Meta(FlaskForm.Meta):  # type: ignore[misc]  # Flask-WTF has no types
        def bind_field(
            self, form: BaseForm, unbound_field: UnboundField, options: dict[str, Any]
        ) -> Field:
            if issubclass(unbound_field.field_class, StringField):
                filters = [*unbound_field.kwargs.get("filters", ()), _as_text]
                options = {**options, "filters": filters}
            return super().bind_field(form, unbound_field, options)


class ActionForm(StaffForm):
    """A bare POST button: only the CSRF token."""


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


class MultiCheckboxField(SelectMultipleField):  # type: ignore[misc]  # WTForms has no types
    """A list of checkboxes; the template lays them out in a fieldset."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class FiniteDecimalField(DecimalField):  # type: ignore[misc]  # WTForms has no types
    """A decimal that is a number: "NaN" or "sNaN" would break every comparison."""

    data: Decimal | None

    def process_formdata(self, valuelist: list[object]) -> None:
        super().process_formdata(valuelist)
        if isinstance(self.data, Decimal) and not self.data.is_finite():
            self.data = None
            raise ValueError(self.gettext("Not a valid decimal value."))
