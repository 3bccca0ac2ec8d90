"""Survey definitions from XLSForm spreadsheets (the ODK and KoboToolbox format).

Read with openpyxl, not pyxform: pyxform's dict keeps no row numbers, which
the report of what was left out needs, and it refuses a whole form over one
row (a ``calculate`` without calculation, say) that we can skip and report.
The tests check their spreadsheets with pyxform, so they are real XLSForms.

Two outcomes: a file that is broken as an XLSForm (not a workbook, no
``survey`` sheet, an unknown list, a name used twice, unbalanced groups) is
refused with every reason; a valid form whose rows or columns this platform
cannot express is imported without them, and each is reported.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field, replace
from typing import Any

from flask_babel import gettext as _

from survey.domain.questions import (
    DATE,
    LONG_TEXT,
    MULTIPLE,
    NUMBER,
    SHORT_TEXT,
    SINGLE,
    ConditionSpec,
    OptionSpec,
    PageSpec,
    QuestionSpec,
    SurveySpec,
)
from survey.models import Survey, Unit, User
from survey.services.audit import record_event
from survey.services.definitions import create_survey
from survey.services.exchange import CODE_RE, ExchangeError, check_spec

MAX_BYTES = 512 * 1024
MAX_ROWS = 3000  # per sheet, blank rows included: bounds a decompression bomb
MAX_COLUMNS = 200
ZIP_MAGIC = b"PK\x03\x04"

SELECT_RE = re.compile(
    r"^(select_one|select one|select_multiple|select multiple|select all that apply)"
    r"\s+(\S+)(\s+or_other)?$"
)
SIMPLE_TYPES = {
    "integer": NUMBER,
    "int": NUMBER,
    "decimal": NUMBER,
    "text": SHORT_TEXT,
    "string": SHORT_TEXT,
    "date": DATE,
}
METADATA_TYPES = frozenset(
    {
        "start",
        "end",
        "today",
        "deviceid",
        "subscriberid",
        "simserial",
        "phonenumber",
        "username",
        "email",
        "audit",
        "start-geopoint",
        "imei",
        "background-audio",
    }
)
TRUE_WORDS = frozenset({"yes", "true", "true()", "1"})
FALSE_WORDS = frozenset({"", "no", "false", "false()", "0"})
# Columns that only change how a question looks or what an error says.
QUIET_COLUMNS = frozenset(
    {
        "appearance",
        "constraint_message",
        "constraint message",
        "jr:constraintmsg",
        "required_message",
        "required message",
        "jr:requiredmsg",
        "guidance_hint",
        "label",
        "hint",
        "name",
        "type",
        "required",
        "relevant",
        "constraint",
    }
)
ATOM_RE = re.compile(
    r"""^\(*\s*(?:
        \$\{(?P<q1>[A-Za-z_][\w.-]*)\}\s*=\s*(?P<v1>'[^']*'|"[^"]*"|-?\d+)
      | selected\(\s*\$\{(?P<q2>[A-Za-z_][\w.-]*)\}\s*,
        \s*(?P<v2>'[^']*'|"[^"]*"|-?\d+)\s*\)
    )\s*\)*$""",
    re.VERBOSE,
)
BOUND_RE = re.compile(r"^\.\s*(>=|<=|>|<)\s*(-?\d+)$")


@dataclass(frozen=True)
class Skipped:
    """A row, or a feature of the file (row 0), that was not imported."""

    sheet: str
    row: int
    reason: str


@dataclass(frozen=True)
class XLSFormReading:
    spec: SurveySpec
    skipped: tuple[Skipped, ...]


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _language(name: str) -> str | None:
    """'vi' or 'en' for a column's language ("Vietnamese (vi)", "en"), else None."""
    lowered = name.strip().lower()
    match = re.search(r"\(([a-z]{2,3})(?:[-_][a-z]+)?\)\s*$", lowered)
    code = match.group(1) if match else lowered
    if code in ("vi", "vie") or lowered.startswith(("vietnam", "tiếng việt")):
        return "vi"
    if code in ("en", "eng") or lowered.startswith("english"):
        return "en"
    return None


@dataclass
class _Sheet:
    """One sheet's header (base name, language) and its non-blank rows."""

    name: str
    columns: list[tuple[str, str | None]]
    rows: list[tuple[int, list[str]]]

    def has(self, base: str) -> bool:
        return any(b == base for b, _lang in self.columns)


class _Reader:
    def __init__(self, title: str) -> None:
        self.title = title
        self.reasons: list[str] = []  # refusals
        self.skipped: list[Skipped] = []
        self.default_lang = "vi"
        self.copied_english = 0

    # --- the workbook -------------------------------------------------------

    def sheets(self, raw: bytes) -> dict[str, _Sheet]:
        import zipfile

        from openpyxl import load_workbook

        if not raw.startswith(ZIP_MAGIC):
            raise ExchangeError([_("The file is not an Excel workbook (.xlsx).")])
        try:
            book = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError):
            raise ExchangeError(
                [_("The file is not an Excel workbook (.xlsx).")]
            ) from None
        except Exception:  # openpyxl raises many kinds on a damaged workbook
            raise ExchangeError(
                [_("The workbook is damaged and cannot be read.")]
            ) from None
        try:
            found = {name.strip().lower(): name for name in book.sheetnames}
            sheets = {
                key: self.sheet(book[found[key]], key)
                for key in ("survey", "choices", "settings")
                if key in found
            }
        finally:
            book.close()
        return sheets

    def sheet(self, worksheet: Any, name: str) -> _Sheet:
        columns: list[tuple[str, str | None]] = []
        rows: list[tuple[int, list[str]]] = []
        for number, values in enumerate(
            worksheet.iter_rows(max_col=MAX_COLUMNS, values_only=True), start=1
        ):
            if number > MAX_ROWS:
                raise ExchangeError(
                    [
                        _(
                            "The %(sheet)s sheet has more than %(n)s rows.",
                            sheet=name,
                            n=MAX_ROWS,
                        )
                    ]
                )
            cells = [_cell(v) for v in values]
            if not columns:
                if any(cells):
                    columns = [self.column(c) for c in cells]
                continue
            if any(cells):
                rows.append((number, cells + [""] * (len(columns) - len(cells))))
        return _Sheet(name, columns, rows)

    @staticmethod
    def column(header: str) -> tuple[str, str | None]:
        base, _sep, lang = header.partition("::")
        base = base.strip().lower().replace("list name", "list_name")
        return base, (lang.strip() or None)

    def texts(self, sheet: _Sheet, cells: list[str], base: str) -> dict[str, str]:
        """The ``base`` column's text per language: {'vi': ..., 'en': ...}."""
        texts: dict[str, str] = {}
        for (column, lang), value in zip(sheet.columns, cells, strict=False):
            if column != base or not value:
                continue
            key = _language(lang) if lang else self.default_lang
            if key and key not in texts:
                texts[key] = value
        if texts.get("en") and not texts.get("vi"):
            texts["vi"] = texts["en"]
            self.copied_english += 1
        return texts

    def skip(self, sheet: str, row: int, reason: str) -> None:
        if len(self.skipped) < 500:
            self.skipped.append(Skipped(sheet, row, reason))

    def refuse(self, sheet: str, row: int, reason: str) -> None:
        if len(self.reasons) < 50:
            where = _("%(sheet)s sheet, row %(row)s", sheet=sheet, row=row)
            self.reasons.append(f"{where}: {reason}" if row else reason)

    # --- settings and languages ---------------------------------------------

    def settings(self, sheets: dict[str, _Sheet]) -> None:
        settings = sheets.get("settings")
        if settings is None or not settings.rows:
            return
        values = dict(
            zip((b for b, _l in settings.columns), settings.rows[0][1], strict=False)
        )
        default = values.get("default_language", "")
        if default:
            self.default_lang = _language(default) or "vi"
        if values.get("form_title"):
            self.title = values["form_title"][:300]

    def report_languages(self, sheets: dict[str, _Sheet]) -> None:
        others = sorted(
            {
                lang
                for sheet in sheets.values()
                for _base, lang in sheet.columns
                if lang and _language(lang) is None
            }
        )
        for lang in others:
            self.skip(
                "",
                0,
                _(
                    "Texts in %(lang)s were not imported: only Vietnamese and "
                    "English are kept.",
                    lang=lang,
                ),
            )

    # --- choices -------------------------------------------------------------

    def choices(self, sheets: dict[str, _Sheet]) -> dict[str, list[OptionSpec]]:
        sheet = sheets.get("choices")
        lists: dict[str, list[OptionSpec]] = {}
        if sheet is None:
            return lists
        if not (sheet.has("list_name") and sheet.has("name")):
            self.refuse(
                "choices", 1, _("The choices sheet needs list_name and name columns.")
            )
            return lists
        index = {b: i for i, (b, _l) in reversed(list(enumerate(sheet.columns)))}
        for column in sorted(
            {b for b, _l in sheet.columns} - {"list_name", "name", "label"}
        ):
            if any(cells[index[column]] for _n, cells in sheet.rows):
                self.skip(
                    "choices",
                    0,
                    _(
                        "The column %(col)s of the choices sheet was not imported.",
                        col=column,
                    ),
                )
        for number, cells in sheet.rows:
            list_name, code = cells[index["list_name"]], cells[index["name"]]
            if not list_name:
                continue
            options = lists.setdefault(list_name, [])
            if not CODE_RE.match(code):
                self.skip(
                    "choices",
                    number,
                    _(
                        "The choice name %(name)s is not usable as a code (letters, "
                        "digits, '.', '-', '_'; at most 40).",
                        name=code[:50],
                    ),
                )
                continue
            if any(o.code == code for o in options):
                self.refuse(
                    "choices",
                    number,
                    _(
                        "The choice %(name)s is twice in the list %(list)s.",
                        name=code,
                        list=list_name,
                    ),
                )
                continue
            texts = self.texts(sheet, cells, "label")
            options.append(
                OptionSpec(code, texts.get("vi") or code, texts.get("en", ""))
            )
        return lists

    # --- the survey sheet ----------------------------------------------------

    def survey(self, sheets: dict[str, _Sheet]) -> SurveySpec | None:
        sheet = sheets.get("survey")
        if sheet is None:
            self.reasons.append(
                _("The workbook has no sheet named survey: it is not an XLSForm.")
            )
            return None
        if not (sheet.has("type") and sheet.has("name") and sheet.has("label")):
            self.refuse(
                "survey", 1, _("The survey sheet needs type, name and label columns.")
            )
            return None
        lists = self.choices(sheets)
        index = {b: i for i, (b, _l) in reversed(list(enumerate(sheet.columns)))}
        loud = sorted({b for b, _l in sheet.columns} - QUIET_COLUMNS)
        pages: list[tuple[dict[str, str], list[QuestionSpec]]] = []
        current: list[QuestionSpec] | None = None
        # Open groups: each one's condition, and whether it was left out.
        groups: list[tuple[ConditionSpec | None, bool]] = []
        repeat_depth = 0
        seen_names: set[str] = set()
        imported: dict[str, QuestionSpec] = {}

        def cell(cells: list[str], name: str) -> str:
            return cells[index[name]] if name in index else ""

        for number, cells in sheet.rows:
            kind = " ".join(cell(cells, "type").split())
            lowered = kind.lower()
            name = cell(cells, "name")
            if repeat_depth:
                if lowered in ("begin repeat", "begin_repeat"):
                    repeat_depth += 1
                elif lowered in ("end repeat", "end_repeat"):
                    repeat_depth -= 1
                continue
            if not kind:
                if name or any(cells):
                    self.skip("survey", number, _("The row has no type."))
                continue
            if name:
                if name in seen_names:
                    self.refuse(
                        "survey",
                        number,
                        _("The name %(name)s is used twice.", name=name),
                    )
                seen_names.add(name)
            if lowered in ("begin group", "begin_group"):
                groups.append(
                    self.group_condition(cell(cells, "relevant"), number, imported)
                )
                if len(groups) == 1:
                    current = []
                    pages.append((self.texts(sheet, cells, "label"), current))
                else:
                    self.skip(
                        "survey",
                        number,
                        _(
                            "A group inside a group: its questions were added to the "
                            "outer group's page."
                        ),
                    )
                continue
            if lowered in ("end group", "end_group"):
                if not groups:
                    self.refuse(
                        "survey", number, _("An end group without a begin group.")
                    )
                    continue
                groups.pop()
                if not groups:
                    current = None
                continue
            if lowered in ("begin repeat", "begin_repeat"):
                repeat_depth = 1
                self.skip(
                    "survey",
                    number,
                    _(
                        "Repeated groups are not supported: the repeat %(name)s and "
                        "its questions were not imported.",
                        name=name,
                    ),
                )
                continue
            question = self.question(
                sheet, number, cells, kind, name, lists, imported, cell
            )
            if question is None:
                continue
            for column in loud:
                if column in ("list_name",) or not cell(cells, column):
                    continue
                self.skip(
                    "survey",
                    number,
                    _(
                        "The column %(col)s was not imported for %(name)s.",
                        col=column,
                        name=name,
                    ),
                )
            question = self.with_groups(question, groups, number)
            imported[question.code] = question
            if current is None:
                current = []
                pages.append(({}, current))
            current.append(question)
        if groups:
            self.refuse("survey", 0, _("A begin group has no end group."))
        if repeat_depth:
            self.refuse("survey", 0, _("A begin repeat has no end repeat."))
        page_specs = tuple(
            PageSpec(titles.get("vi", ""), titles.get("en", ""), tuple(questions))
            for titles, questions in pages
            if questions
        )
        if not page_specs and not self.reasons:
            self.reasons.append(_("No question of this form could be imported."))
        return SurveySpec(
            title_vi=self.title, title_en="", intro_vi="", intro_en="", pages=page_specs
        )

    def question(
        self,
        sheet: _Sheet,
        number: int,
        cells: list[str],
        kind: str,
        name: str,
        lists: dict[str, list[OptionSpec]],
        imported: dict[str, QuestionSpec],
        cell: Any,
    ) -> QuestionSpec | None:
        lowered = kind.lower()
        if lowered == "note":
            self.skip(
                "survey",
                number,
                _(
                    "%(name)s is a note: it shows text and asks nothing, so it was "
                    "not imported.",
                    name=name,
                ),
            )
            return None
        if lowered in METADATA_TYPES:
            self.skip(
                "survey",
                number,
                _(
                    "%(name)s (%(type)s) is device metadata: not imported.",
                    name=name,
                    type=lowered,
                ),
            )
            return None
        select = SELECT_RE.match(kind)
        simple = SIMPLE_TYPES.get(lowered)
        if select is None and simple is None:
            self.skip(
                "survey",
                number,
                _(
                    "The type %(type)s is not supported: %(name)s was not imported.",
                    type=kind[:40],
                    name=name,
                ),
            )
            return None
        if not CODE_RE.match(name):
            self.skip(
                "survey",
                number,
                _(
                    "The name %(name)s is not usable as a question code (letters, "
                    "digits, '.', '-', '_'; at most 40; not starting with _).",
                    name=name[:50],
                ),
            )
            return None
        texts = self.texts(sheet, cells, "label")
        if not texts.get("vi"):
            self.skip(
                "survey", number, _("%(name)s has no label: not imported.", name=name)
            )
            return None
        helps = self.texts(sheet, cells, "hint")
        options: tuple[OptionSpec, ...] = ()
        if select is not None:
            list_name = select.group(2)
            if list_name not in lists:
                self.refuse(
                    "survey",
                    number,
                    _("The list %(list)s is not on the choices sheet.", list=list_name),
                )
                return None
            options = tuple(lists[list_name])
            if not options:
                self.skip(
                    "survey",
                    number,
                    _(
                        "The list %(list)s has no usable choice: %(name)s was not "
                        "imported.",
                        list=list_name,
                        name=name,
                    ),
                )
                return None
            if select.group(3) and not any(o.code == "other" for o in options):
                options += (OptionSpec("other", "Khác", "Other", is_other=True),)
            question_type = (
                SINGLE
                if select.group(1) == "select_one" or select.group(1) == "select one"
                else MULTIPLE
            )
        else:
            question_type = simple or SHORT_TEXT
            if (
                question_type == SHORT_TEXT
                and "multiline" in cell(cells, "appearance").lower()
            ):
                question_type = LONG_TEXT
        required = self.required(cell(cells, "required"), number, name)
        condition = None
        relevant = cell(cells, "relevant")
        if relevant:
            condition = self.condition(relevant, imported)
            if condition is None:
                self.skip(
                    "survey",
                    number,
                    _(
                        "The condition %(expr)s of %(name)s was not imported: the "
                        "question is always shown, and optional.",
                        expr=relevant[:200],
                        name=name,
                    ),
                )
                required = False
        low, high = self.bounds(cell(cells, "constraint"), lowered, number, name)
        return QuestionSpec(
            code=name,
            type=question_type,
            text_vi=texts["vi"],
            text_en=texts.get("en", ""),
            help_vi=helps.get("vi", ""),
            help_en=helps.get("en", ""),
            required=required,
            options=options,
            condition=condition,
            min_value=low,
            max_value=high,
            whole_number=lowered in ("integer", "int"),
        )

    def required(self, value: str, number: int, name: str) -> bool:
        word = value.strip().lower()
        if word in TRUE_WORDS:
            return True
        if word not in FALSE_WORDS:
            self.skip(
                "survey",
                number,
                _(
                    "%(name)s is required only under a condition: imported as "
                    "optional.",
                    name=name,
                ),
            )
        return False

    def condition(
        self, expression: str, imported: dict[str, QuestionSpec]
    ) -> ConditionSpec | None:
        """``${q} = 'x'``, ``selected(${q}, 'x')``, or an ``or`` of those on one q."""
        source: str | None = None
        codes: list[str] = []
        for part in re.split(r"\s+or\s+", expression.strip()):
            match = ATOM_RE.match(part)
            if match is None:
                return None
            question = match.group("q1") or match.group("q2")
            value = (match.group("v1") or match.group("v2")).strip("'\"")
            if source not in (None, question):
                return None
            source = question
            if value not in codes:
                codes.append(value)
        earlier = imported.get(source or "")
        if earlier is None or not set(codes) <= {o.code for o in earlier.options}:
            return None
        return ConditionSpec(earlier.code, tuple(codes))

    def group_condition(
        self, expression: str, number: int, imported: dict[str, QuestionSpec]
    ) -> tuple[ConditionSpec | None, bool]:
        """The group's condition for its questions, and whether they turn optional."""
        if not expression:
            return None, False
        condition = self.condition(expression, imported)
        if condition is None:
            self.skip(
                "survey",
                number,
                _(
                    "The group's condition %(expr)s was not imported: its questions "
                    "are always shown, and optional.",
                    expr=expression[:200],
                ),
            )
            return None, True
        return condition, False

    def with_groups(
        self,
        question: QuestionSpec,
        groups: list[tuple[ConditionSpec | None, bool]],
        number: int,
    ) -> QuestionSpec:
        """The question under its groups' conditions, or optional where they are lost.

        One condition in all (the question's or one group's) is kept as is; more
        cannot be expressed, so the innermost is kept and the question turns
        optional, lest a citizen be made to answer what ODK would have hidden.
        """
        if any(left_out for _condition, left_out in groups):
            question = replace(question, required=False)
        conditions = [c for c, _left_out in groups if c is not None]
        if not conditions:
            return question
        if question.condition is None and len(conditions) == 1:
            return replace(question, condition=conditions[0])
        self.skip(
            "survey",
            number,
            _(
                "%(name)s and its groups have several conditions: only one is "
                "kept, and the question is optional.",
                name=question.code,
            ),
        )
        return replace(
            question, condition=question.condition or conditions[-1], required=False
        )

    def bounds(
        self, constraint: str, kind: str, number: int, name: str
    ) -> tuple[int | None, int | None]:
        """``. >= 1 and . <= 20`` on a number; anything else is reported."""
        if not constraint:
            return None, None
        low: int | None = None
        high: int | None = None
        whole = kind in ("integer", "int")
        for part in re.split(r"\s+and\s+", constraint.strip()):
            match = BOUND_RE.match(part.strip())
            if match is None or kind not in ("integer", "int", "decimal"):
                self.skip(
                    "survey",
                    number,
                    _(
                        "The constraint %(expr)s of %(name)s was not imported.",
                        expr=constraint[:200],
                        name=name,
                    ),
                )
                return None, None
            sign, value = match.group(1), int(match.group(2))
            if sign in (">", "<") and not whole:
                self.skip(
                    "survey",
                    number,
                    _(
                        "The constraint %(expr)s of %(name)s was not imported.",
                        expr=constraint[:200],
                        name=name,
                    ),
                )
                return None, None
            if sign.startswith(">"):
                low = value + (1 if sign == ">" else 0)
            else:
                high = value - (1 if sign == "<" else 0)
        return low, high

    def finish(self) -> None:
        if self.copied_english:
            self.skip(
                "",
                0,
                _(
                    "%(n)s texts had no Vietnamese version: the English text was "
                    "copied into the Vietnamese field.",
                    n=self.copied_english,
                ),
            )


def read_xlsform(raw: bytes, title: str) -> XLSFormReading:
    """The spec of an XLSForm and what was left out, or ExchangeError."""
    if len(raw) > MAX_BYTES:
        raise ExchangeError([_("The file is too large (at most 512 KB).")])
    reader = _Reader(title[:300] or "XLSForm")
    sheets = reader.sheets(raw)
    reader.settings(sheets)
    spec = reader.survey(sheets)
    if reader.reasons or spec is None:
        raise ExchangeError(reader.reasons)
    reader.report_languages(sheets)
    reader.finish()
    spec = check_spec(spec)
    return XLSFormReading(spec, tuple(reader.skipped))


@dataclass
class XLSFormImport:
    survey: Survey
    skipped: list[Skipped] = field(default_factory=list)


def import_xlsform(
    user: User | None, slug: str, raw: bytes, owner: Unit, title: str = ""
) -> XLSFormImport:
    """A new draft survey from an XLSForm; nothing written on refusal."""
    reading = read_xlsform(raw, title or slug)
    survey = create_survey(slug, reading.spec, owner, [])
    record_event(
        user,
        "import_survey",
        "survey",
        slug,
        format="xlsform",
        skipped=[f"{s.sheet}:{s.row}: {s.reason}" for s in reading.skipped[:50]],
    )
    return XLSFormImport(survey, list(reading.skipped))
