"""Raw responses of a survey, one row per response, read in id-ordered batches.

Only administrators may ask for these (the view checks the role and audits
the export); the rows are produced lazily so that a million responses stream
in constant memory: each batch is one query for the responses (keyset
pagination on the id), one for their answers and one for their flags.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from survey.domain.questions import DATE, MULTIPLE, NUMBER, TEXT_TYPES
from survey.extensions import db
from survey.models import (
    Answer,
    Option,
    Question,
    Response,
    ResponseFlag,
    Survey,
    Unit,
)
from survey.models.surveys import SurveyVersion
from survey.services.driver import driver_rows
from survey.services.results import LOCAL_OFFSET, ResultFilter

BATCH_SIZE = 2000
FIXED_COLUMNS = (
    "id",
    "submitted_at",
    "unit",
    "channel",
    "language",
    "version",
    "flags",
)
OTHER_SUFFIX = "_other"

Cell = str | int | float | None


@dataclass(frozen=True)
class RawLayout:
    """The columns of a raw export: fixed ones, then one per question code."""

    question_codes: tuple[str, ...]
    other_codes: frozenset[str]  # questions with an "other, please specify" text

    @property
    def header(self) -> list[str]:
        columns = list(FIXED_COLUMNS)
        for code in self.question_codes:
            columns.append(code)
            if code in self.other_codes:
                columns.append(code + OTHER_SUFFIX)
        return columns


def raw_layout(survey: Survey, flt: ResultFilter) -> RawLayout:
    """Question codes of the published versions in the slice, newest first.

    A code asked in several versions is one column; codes only older versions
    asked come after the newest version's.
    """
    versions = [
        v
        for v in reversed(survey.versions)
        if v.published_at is not None and (not flt.version or v.number == flt.version)
    ]
    codes: list[str] = []
    others: set[str] = set()
    for version in versions:
        for question in version.questions:
            if question.code not in codes:
                codes.append(question.code)
            if any(o.is_other for o in question.options):
                others.add(question.code)
    return RawLayout(tuple(codes), frozenset(others))


def local_time(moment: datetime) -> str:
    """A naive UTC timestamp as local ISO 8601 with its offset (UTC+7)."""
    return (moment + LOCAL_OFFSET).replace(microsecond=0).isoformat() + "+07:00"


def _number(value: float | None) -> Cell:
    if value is None:
        return None
    return int(value) if value.is_integer() else value


@dataclass(frozen=True)
class _Catalogue:
    """Questions and options of the survey by id, read once per export."""

    questions: dict[int, tuple[str, str]]  # id -> (code, type)
    options: dict[int, tuple[str, bool, int]]  # id -> (code, is_other, position)

    @classmethod
    def of(cls, survey: Survey) -> _Catalogue:
        versions = select(SurveyVersion.id).where(SurveyVersion.survey_id == survey.id)
        questions = db.session.execute(
            select(Question.id, Question.code, Question.type).where(
                Question.version_id.in_(versions)
            )
        )
        options = db.session.execute(
            select(Option.id, Option.code, Option.is_other, Option.position)
            .join(Question, Question.id == Option.question_id)
            .where(Question.version_id.in_(versions))
        )
        return cls(
            {qid: (code, kind) for qid, code, kind in questions},
            {oid: (code, other, pos) for oid, code, other, pos in options},
        )


def _answer_cells(
    catalogue: _Catalogue, first_id: int, last_id: int
) -> dict[int, dict[str, Cell]]:
    """Cells of every answer of the responses with ids in [first, last].

    One range read of the answers' response index, through the driver; the
    codes come from the catalogue, not from a join per row. Ticks of a
    multiple choice are listed in the options' order.
    """
    query = (
        select(
            Answer.response_id,
            Answer.question_id,
            Answer.option_id,
            Answer.value_int,
            Answer.value_number,
            Answer.value_text,
            Answer.value_date,
        )
        .where(Answer.response_id.between(first_id, last_id))
        .order_by(Answer.response_id, Answer.id)
    )
    cells: dict[int, dict[str, Cell]] = defaultdict(dict)
    ticks: dict[tuple[int, str], list[tuple[int, str]]] = defaultdict(list)
    for (
        response_id,
        question_id,
        option_id,
        value_int,
        value_number,
        value_text,
        value_date,
    ) in driver_rows(query):
        code, kind = catalogue.questions[question_id]
        row = cells[response_id]
        if option_id is not None:
            option_code, is_other, position = catalogue.options[option_id]
            if kind == MULTIPLE:
                ticks[response_id, code].append((position, option_code))
            else:
                row[code] = option_code
            if is_other and value_text:
                row[code + OTHER_SUFFIX] = value_text
        elif kind in TEXT_TYPES:
            row[code] = value_text
        elif kind == NUMBER:
            row[code] = _number(value_number)
        elif kind == DATE:
            row[code] = _date(value_date)
        else:
            row[code] = value_int
    for (response_id, code), chosen in ticks.items():
        cells[response_id][code] = ";".join(option for _, option in sorted(chosen))
    return cells


def _date(value: date | str | None) -> str | None:
    """The driver's date (SQLite's is the ISO text already) as ISO text."""
    if value is None or isinstance(value, str):
        return value
    return value.isoformat()


def _flag_codes(response_ids: list[int]) -> dict[int, str]:
    query = (
        select(ResponseFlag.response_id, ResponseFlag.code)
        .where(ResponseFlag.response_id.in_(response_ids))
        .order_by(ResponseFlag.response_id, ResponseFlag.id)
    )
    flags: dict[int, list[str]] = defaultdict(list)
    for response_id, code in db.session.execute(query):
        flags[response_id].append(code)
    return {key: ";".join(codes) for key, codes in flags.items()}


def raw_rows(
    survey: Survey,
    scope: Unit,
    flt: ResultFilter,
    layout: RawLayout,
    batch_size: int = BATCH_SIZE,
) -> Iterator[list[Cell]]:
    """One list of cells per response in the slice, by id, in batches."""
    unit_codes = dict(
        db.session.execute(
            select(Unit.id, Unit.code).where(Unit.path.startswith(scope.path))
        ).all()
    )
    version_numbers = dict(
        db.session.execute(
            select(SurveyVersion.id, SurveyVersion.number).where(
                SurveyVersion.survey_id == survey.id
            )
        ).all()
    )
    columns = layout.header[len(FIXED_COLUMNS) :]
    catalogue = _Catalogue.of(survey)
    # "+ 0": no index for the survey and unit, so that each batch walks the
    # primary key from the last id (keyset pagination) instead of reading the
    # survey's whole index and sorting it, batch after batch.
    where = [
        *flt.conditions(survey, indexed=False),
        (Response.unit_id + 0).in_(Unit.subtree_ids(scope)),
    ]
    last_id = 0
    while True:
        batch = db.session.execute(
            select(
                Response.id,
                Response.submitted_at,
                Response.unit_id,
                Response.channel,
                Response.language,
                Response.version_id,
            )
            .where(*where, Response.id > last_id)
            .order_by(Response.id)
            .limit(batch_size)
        ).all()
        if not batch:
            return
        ids = [row.id for row in batch]
        answers = _answer_cells(catalogue, ids[0], ids[-1])
        flags = _flag_codes(ids)
        for row in batch:
            cells = answers.get(row.id, {})
            yield [
                row.id,
                local_time(row.submitted_at),
                unit_codes.get(row.unit_id, ""),
                row.channel,
                row.language,
                version_numbers.get(row.version_id),
                flags.get(row.id, ""),
                *(cells.get(column) for column in columns),
            ]
        last_id = ids[-1]
