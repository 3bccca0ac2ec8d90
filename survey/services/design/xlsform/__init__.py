"""Survey definitions from XLSForms (the ODK, KoboToolbox and Ona format).

pyxform, the reference implementation, reads the workbook (.xlsx or .xls, every
spelling and alias of the format); ``workbook`` adds each element's row. A
file pyxform refuses is refused with its reason; a form it accepts is
imported, and every row or column this platform cannot express, or had to
change, is a line of the report (sheet, row, reason). ``export`` writes a
version back as an XLSForm.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from flask_babel import gettext as _

from survey.domain.questions import SurveySpec
from survey.models import Survey, Unit, User
from survey.services.audit import record_event
from survey.services.design.definitions import create_survey
from survey.services.design.exchange import ExchangeError, check_spec
from survey.services.design.xlsform.mapping import Builder
from survey.services.design.xlsform.report import Report, Skipped
from survey.services.design.xlsform.workbook import MAX_BYTES, MAX_ROWS, read

__all__ = [
    "MAX_BYTES",
    "MAX_ROWS",
    "Skipped",
    "XLSFormImport",
    "XLSFormReading",
    "import_xlsform",
    "read_xlsform",
]
KINDS = ("xlsx", "xls")
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class XLSFormReading:
    spec: SurveySpec
    skipped: tuple[Skipped, ...]


def kind_of(filename: str) -> str | None:
    """'xlsx' or 'xls' for an XLSForm's file name, else None."""
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    return suffix if suffix in KINDS else None


def read_xlsform(raw: bytes, title: str, kind: str = "xlsx") -> XLSFormReading:
    """The spec of an XLSForm and what was left out, or ExchangeError."""
    book = read(raw, kind)
    report = Report()
    try:
        spec = Builder(book, title[:300] or "XLSForm", report).build()
    except Exception:  # a form no test foresaw: say so, never a 500
        logger.exception("XLSForm import failed on a form pyxform read")
        raise ExchangeError(
            [
                _(
                    "This XLSForm could not be imported: an unexpected error, which "
                    "was logged for the administrators."
                )
            ]
        ) from None
    if not spec.pages:
        rows = [s for s in report.lines if s.row][:40]
        reasons = [_("No question of this form could be imported.")]
        reasons += [
            _("%(sheet)s sheet, row %(row)s", sheet=s.sheet, row=s.row)
            + f": {s.reason}"
            for s in rows
        ] or [
            _(
                "The survey sheet holds no question a person answers: only notes, "
                "calculations or device metadata."
            )
        ]
        raise ExchangeError(reasons)
    spec = check_spec(spec)
    return XLSFormReading(spec, tuple(report.lines))


@dataclass
class XLSFormImport:
    survey: Survey
    skipped: list[Skipped] = field(default_factory=list)


def import_xlsform(
    user: User | None,
    slug: str,
    raw: bytes,
    owner: Unit,
    title: str = "",
    kind: str = "xlsx",
) -> XLSFormImport:
    """A new draft survey from an XLSForm; nothing written on refusal."""
    reading = read_xlsform(raw, title or slug, kind)
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
