"""A survey version as an XLSForm, to take it to KoboToolbox, ODK or Ona.

Pages become field-list groups; the introduction and thanks become notes;
ratings and 0-10 scores become ranges; conditions become ``relevant``
(``selected()`` works for single and multiple choices); limits become
``constraint``. Texts are in two language columns, Vietnamese the default.
The importer reads such a file back to the same questions.
"""

from __future__ import annotations

import io
import re
from typing import Any

from survey.domain.question_types import question_type
from survey.domain.questions import QuestionSpec, SurveySpec
from survey.models import SurveyVersion
from survey.services.design.exchange import version_spec

VI = "Tiếng Việt (vi)"
EN = "English (en)"
SURVEY_HEADER = [
    "type",
    "name",
    f"label::{VI}",
    f"label::{EN}",
    f"hint::{VI}",
    f"hint::{EN}",
    "required",
    "relevant",
    "constraint",
    "appearance",
    "parameters",
    "dimension",  # this platform's index tag: ODK ignores it, the import reads it
]
CHOICES_HEADER = ["list_name", "name", f"label::{VI}", f"label::{EN}"]
OTHER = "other"  # the code ODK's ``or_other`` adds


def _quote(value: str) -> str:
    return "'" + value.replace("'", "") + "'"


def _relevant(q: QuestionSpec) -> str:
    if q.condition is None:
        return ""
    source = q.condition.question_code
    return " or ".join(
        f"selected(${{{source}}}, {_quote(code)})" for code in q.condition.option_codes
    )


def _constraint(q: QuestionSpec) -> str:
    parts = []
    if q.min_value is not None:
        parts.append(f". >= {q.min_value}")
    if q.max_value is not None:
        parts.append(f". <= {q.max_value}")
    if q.max_length is not None:
        parts.append(f"string-length(.) <= {q.max_length}")
    if q.max_choices is not None:
        parts.append(f"count-selected(.) <= {q.max_choices}")
    return " and ".join(parts)


def _list_name(q: QuestionSpec) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", q.code)


def _type(q: QuestionSpec) -> tuple[str, str, str]:
    """(type, appearance, parameters) of a question; a select names its list."""
    kind, appearance, parameters = question_type(q.type).xlsform_type(q.whole_number)
    if kind.startswith("select"):
        other = any(o.is_other and o.code == OTHER for o in q.options)
        kind = f"{kind} {_list_name(q)}{' or_other' if other else ''}"
    return kind, appearance, parameters


def rows(spec: SurveySpec) -> tuple[list[list[str]], list[list[str]]]:
    """The survey and choices sheets' rows (headers included)."""
    survey = [SURVEY_HEADER]
    choices = [CHOICES_HEADER]
    blank = [""] * (len(SURVEY_HEADER) - 4)
    if spec.intro_vi or spec.intro_en:
        survey.append(["note", "intro", spec.intro_vi, spec.intro_en, *blank])
    for number, page in enumerate(spec.pages, 1):
        survey.append(["begin_group", f"page_{number}", page.title_vi,
                       page.title_en, "", "", "", "", "", "field-list", "",
                       ""])  # fmt: skip
        for q in page.questions:
            kind, appearance, parameters = _type(q)
            survey.append([kind, q.code, q.text_vi, q.text_en, q.help_vi, q.help_en,
                           "yes" if q.required else "", _relevant(q), _constraint(q),
                           appearance, parameters, q.dimension or ""])  # fmt: skip
            for option in q.options:
                if option.is_other and option.code == OTHER:
                    continue  # or_other adds it
                choices.append(
                    [_list_name(q), option.code, option.label_vi, option.label_en]
                )
        survey.append(["end_group", "", "", "", *blank])
    if spec.thanks_vi or spec.thanks_en:
        survey.append(["note", "thanks", spec.thanks_vi, spec.thanks_en, *blank])
    return survey, choices


def _append(sheet: Any, values: list[str]) -> None:
    """A row of text cells: a text starting with "=" stays text, not a formula."""
    row = sheet.max_row + 1 if sheet.max_row > 1 or sheet["A1"].value else 1
    for column, value in enumerate(values, 1):
        cell = sheet.cell(row, column, value)
        if isinstance(value, str) and value.startswith("="):
            cell.data_type = "s"


def export_xlsform(version: SurveyVersion, form_id: str) -> bytes:
    """The version as an .xlsx XLSForm."""
    return spec_xlsform(version_spec(version), form_id, version.number)


def spec_xlsform(spec: SurveySpec, form_id: str, number: int = 1) -> bytes:
    """A spec as an .xlsx XLSForm (``number``: the version it is)."""
    from openpyxl import Workbook

    survey_rows, choice_rows = rows(spec)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "survey"
    for row in survey_rows:
        _append(sheet, row)
    choices = book.create_sheet("choices")
    for row in choice_rows:
        _append(choices, row)
    settings = book.create_sheet("settings")
    _append(settings, ["form_title", "form_id", "version", "default_language"])
    _append(settings, [spec.title_vi, form_id, str(number), VI])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
