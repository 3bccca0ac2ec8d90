"""Forms of the unit pages: a unit, its move, a CSV of units, a survey's units."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    SelectChoice,
    SelectField,
    StringField,
)
from wtforms.validators import (
    DataRequired,
    Length,
    Regexp,
)

from survey.admin.form_base import (
    CODE_PATTERN,
    UNIT_KIND_LABELS,
    StaffForm,
    _upload,
)
from survey.models.units import UNIT_KINDS

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

    code = None  # WTForms: None removes the field
    parent_code = None


class MoveUnitForm(StaffForm):
    parent_code = StringField(
        _l("New parent unit code"),
        validators=[
            DataRequired(_l("Please give the new parent's code.")),
            Length(max=40),
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
