"""One XLSForm question (a leaf of pyxform's tree) as a question spec.

Each type maps to the nearest type of this platform, or is reported; so is
each column or setting the platform cannot express.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask_babel import gettext as _

from survey.domain.question_types import QuestionType, XlsformShape, from_xlsform
from survey.domain.questions import DIMENSIONS, OptionSpec, QuestionSpec
from survey.services.design.xlsform import logic

if TYPE_CHECKING:
    from survey.services.design.xlsform.mapping import Builder

ALIASES = {
    "string": "text",
    "int": "integer",
    "select_one": "select one",
    "select1": "select one",
    "select_multiple": "select all that apply",
    "select multiple": "select all that apply",
    "gps": "geopoint",
    "phone number": "phonenumber",
    "trigger": "acknowledge",
    "datetime": "datetime",
}
METADATA = frozenset(
    {
        "start", "end", "today", "deviceid", "subscriberid", "simserial",
        "phonenumber", "username", "email", "audit", "start-geopoint", "imei",
        "background-audio", "background-geopoint",
    }
)  # fmt: skip
COMPUTED = frozenset({"calculate", "hidden", "xml-external", "csv-external"})
FILE_SUFFIXES = (".csv", ".xml", ".geojson")
QUIET_KEYS = frozenset(
    {"type", "name", "label", "hint", "bind", "control", "choices", "itemset",
     "list_name", "parameters", "guidance_hint", "tutorial notes"}
)  # fmt: skip
QUIET_BIND = frozenset(
    {"required", "relevant", "constraint", "jr:constraintMsg", "jr:requiredMsg"}
)
ACKNOWLEDGE = OptionSpec("OK", "Đồng ý", "OK")
SELECTS = frozenset(
    {"select one", "select all that apply", "rank", "select one external"}
)


def convert(
    builder: Builder, element: dict[str, Any], kind: str, name: str, row: int
) -> QuestionSpec | None:
    """The spec of one question, or None (reported) if it cannot be asked here."""
    kind = ALIASES.get(kind, kind)
    bind = element.get("bind") or {}
    if not _asked(builder, bind, kind, name, row):
        return None
    found = _type_and_options(builder, element, kind, name, row)
    if found is None:
        return None
    question_type, options, low, high = found
    length = None
    constraint = str(bind.get("constraint", "") or "").strip()
    most = None
    if "max_choices" in question_type.limits:
        most = logic.max_choices(constraint)
    if constraint and most is None:
        bounds = _constraint(constraint, kind, question_type)
        if bounds is None:
            builder.report.skip("survey", row, _(
                "The constraint %(expr)s of %(name)s was not imported.",
                expr=constraint[:200], name=name))  # fmt: skip
        else:
            low, high, length = bounds
    dimension = str(element.get("dimension", "") or "") or None
    if dimension not in DIMENSIONS:
        dimension = None
    _unsupported_columns(builder, element, name, row, dimension)
    code = builder.code(name, row, builder.codes, "survey")
    text = builder.text(element.get("label"), row, name, 2000, _("label"))
    if not text[0]:
        builder.report.skip("survey", row, _(
            "%(name)s has no label: its name is shown as its text.",
            name=name))  # fmt: skip
        text = (name, text[1])
    hint = builder.text(element.get("hint"), row, name, 2000, _("hint"))
    return QuestionSpec(
        code=code,
        type=question_type.code,
        text_vi=text[0],
        text_en=text[1],
        help_vi=hint[0],
        help_en=hint[1],
        required=_required(builder, bind, name, row),
        options=options,
        min_value=low,
        max_value=high,
        max_length=length,
        max_choices=most,
        dimension=dimension,
        whole_number=kind == "integer",
    )


def _asked(
    builder: Builder, bind: dict[str, Any], kind: str, name: str, row: int
) -> bool:
    """False (reported) for device metadata and computed fields."""
    if kind in METADATA or kind.startswith("uri:"):
        builder.report.skip("survey", row, _(
            "%(name)s (%(type)s) is device metadata: not asked, not imported.",
            name=name, type=kind))  # fmt: skip
        return False
    readonly = str(bind.get("readonly", "")).lower() in ("true", "true()", "yes")
    if kind in COMPUTED or (bind.get("calculate") and readonly):
        builder.report.skip("survey", row, _(
            "%(name)s is computed (%(type)s): calculations are not imported.",
            name=name, type=kind))  # fmt: skip
        return False
    return True


Found = tuple[QuestionType, tuple[OptionSpec, ...], int | None, int | None]


def _appearance(element: dict[str, Any]) -> str:
    return str((element.get("control") or {}).get("appearance", ""))


def _type_and_options(
    builder: Builder, element: dict[str, Any], kind: str, name: str, row: int
) -> Found | None:
    """The platform's type for the XLSForm ``kind``, its options and bounds."""
    report = builder.report
    if kind in SELECTS:
        return _select(builder, element, kind, name, row)
    if kind == "acknowledge":
        builder.option_codes[name] = {"OK": "OK"}
        report.skip("survey", row, _(
            "%(name)s (acknowledge) became a choice with the single option OK.",
            name=name))  # fmt: skip
        shape = XlsformShape("select one", option_codes=frozenset({"OK"}))
        return _known(shape), (ACKNOWLEDGE,), None, None
    if kind == "range":
        return _range(builder, element, name, row)
    if kind == "datetime":
        report.skip("survey", row, _(
            "%(name)s asks a date and time: imported as a date.",
            name=name))  # fmt: skip
        kind = "date"
    elif kind == "time":
        report.skip("survey", row, _(
            "%(name)s asks a time: imported as a short text.", name=name))  # fmt: skip
        kind, element = "text", {}
    found = from_xlsform(XlsformShape(kind, _appearance(element)))
    if found is None:
        report.skip("survey", row, _(
            "The type %(type)s is not supported: %(name)s was not imported.",
            type=kind[:40], name=name))  # fmt: skip
        return None
    return found, (), None, None


def _known(shape: XlsformShape) -> QuestionType:
    found = from_xlsform(shape)
    assert found is not None, shape  # every shape asked here has its type
    return found


def _select(
    builder: Builder, element: dict[str, Any], kind: str, name: str, row: int
) -> Found | None:
    """A select's type and choices (a list in a file: asked as a short text)."""
    report = builder.report
    itemset = str(element.get("itemset") or "")
    from_file = kind == "select one external" or itemset.lower().endswith(FILE_SUFFIXES)
    if from_file:
        report.skip("survey", row, _(
            "%(name)s takes its choices from a file (%(file)s), which is not "
            "imported: it is asked as a short text.",
            name=name, file=itemset[:80] or kind))  # fmt: skip
        question_type = _known(XlsformShape("text"))
        options: tuple[OptionSpec, ...] = ()
    else:
        options, _codes = choice_options(builder, element, name)
        if not options:
            report.skip("survey", row, _(
                "The list of %(name)s has no choice: not imported.",
                name=name))  # fmt: skip
            return None
        shape = XlsformShape(
            "select one" if kind == "select one" else "select all that apply",
            _appearance(element),
            frozenset(o.code for o in options),
        )
        question_type = _known(shape)  # a likert list: this platform's own scale
    if kind == "rank":
        report.skip("survey", row, _(
            "%(name)s asks to rank the choices: imported as a multiple choice, "
            "without the order.", name=name))  # fmt: skip
    if element.get("choice_filter") and not from_file:
        report.skip("survey", row, _(
            "The choice_filter of %(name)s was not imported: all its choices "
            "are shown.", name=name))  # fmt: skip
    return question_type, options, None, None


def _required(builder: Builder, bind: dict[str, Any], name: str, row: int) -> bool:
    value = str(bind.get("required", "") or "")
    found = logic.required(value)
    if found is None:
        builder.report.skip("survey", row, _(
            "%(name)s is required only under a condition (%(expr)s): imported as "
            "optional.", name=name, expr=value[:120]))  # fmt: skip
        return False
    return found


def _range(builder: Builder, element: dict[str, Any], name: str, row: int) -> Found:
    parameters = element.get("parameters") or {}
    try:
        start = float(parameters.get("start", 1))
        end = float(parameters.get("end", 10))
        step = float(parameters.get("step", 1))
    except (TypeError, ValueError):
        start, end, step = 1.0, 10.0, 1.0
    found = _known(XlsformShape("range", range=(start, end, step)))
    if found.scale is not None:  # one of this platform's own scales
        return found, (), None, None
    low, high = sorted((start, end))
    whole = low.is_integer() and high.is_integer() and abs(step) == 1
    values = {"name": name, "start": f"{start:g}", "end": f"{end:g}"}
    values["step"] = f"{step:g}"
    if whole:
        message = _(
            "%(name)s is a range from %(start)s to %(end)s by %(step)s: imported as "
            "a number question with those bounds.",
            **values,
        )
    else:
        message = _(
            "%(name)s is a range from %(start)s to %(end)s by %(step)s: imported as "
            "a number question without bounds.",
            **values,
        )
    builder.report.skip("survey", row, message)
    if whole:
        return found, (), int(low), int(high)
    return found, (), None, None


def _constraint(
    constraint: str, kind: str, question_type: QuestionType
) -> tuple[int | None, int | None, int | None] | None:
    if "min_value" in question_type.limits and kind in ("integer", "decimal"):
        bounds = logic.number_bounds(constraint, kind == "integer")
        return None if bounds is None else (*bounds, None)
    if "max_length" in question_type.limits and kind == "text":
        length = logic.text_length(constraint)
        return None if length is None else (None, None, length)
    return None


def _unsupported_columns(
    builder: Builder,
    element: dict[str, Any],
    name: str,
    row: int,
    dimension: str | None,
) -> None:
    columns = [k for k in element if k not in QUIET_KEYS and element.get(k)]
    if dimension is not None:  # this platform's own column, from its export
        columns.remove("dimension")
    columns += [
        k
        for k, v in (element.get("bind") or {}).items()
        if k not in QUIET_BIND and v and not (k == "readonly" and v == "false()")
    ]
    shown = {"appearance"} | ({"start", "end", "step"} if "range" in str(
        element.get("type")) else set())  # fmt: skip
    columns += [
        k for k, v in (element.get("control") or {}).items() if k not in shown and v
    ]
    if element.get("type") != "range" and element.get("parameters"):
        columns.append("parameters")
    for column in sorted(set(columns) - {"choice_filter"}):
        builder.report.skip("survey", row, _(
            "The column %(col)s was not imported for %(name)s.",
            col=column, name=name))  # fmt: skip


def choice_options(
    builder: Builder, element: dict[str, Any], name: str
) -> tuple[tuple[OptionSpec, ...], dict[str, str]]:
    """The question's choices as options, and their codes by XLSForm name."""
    list_name = str(element.get("list_name") or element.get("itemset") or "")
    taken: set[str] = set()
    options: list[OptionSpec] = []
    codes: dict[str, str] = {}
    for choice in element.get("choices") or []:
        original = str(choice.get("name", ""))
        row = builder.book.choice_rows.get((list_name, original), 0)
        if original in codes:
            builder.report.skip("choices", row, _(
                "The choice %(choice)s is twice in the list %(list)s: only the "
                "first is kept.", choice=original[:60],
                list=list_name))  # fmt: skip
            continue
        if len(options) >= 100:
            builder.report.skip("choices", row, _(
                "The list %(list)s has more than 100 choices: the rest were not "
                "imported.", list=list_name))  # fmt: skip
            break
        code = builder.code(original, row, taken, "choices")
        label = builder.text(
            choice.get("label"), row, original, 500, _("choice"), "choices"
        )
        options.append(OptionSpec(code, label[0] or original, label[1]))
        codes[original] = code
    builder.option_codes[name] = codes
    return tuple(options), codes
