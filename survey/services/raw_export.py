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
from datetime import datetime

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


def _answer_cells(
    response_ids: list[int],
) -> dict[int, dict[str, Cell]]:
    """Cells of every answer of these responses, keyed by response and column."""
    query = (
        select(
            Answer.response_id,
            Question.code,
            Question.type,
            Answer.value_int,
            Answer.value_number,
            Answer.value_text,
            Answer.value_date,
            Option.code,
            Option.is_other,
        )
        .join(Question, Answer.question_id == Question.id)
        .outerjoin(Option, Answer.option_id == Option.id)
        .where(Answer.response_id.in_(response_ids))
        .order_by(Answer.response_id, Question.position, Option.position, Answer.id)
    )
    cells: dict[int, dict[str, Cell]] = defaultdict(dict)
    for (
        response_id,
        code,
        kind,
        value_int,
        value_number,
        value_text,
        value_date,
        option_code,
        is_other,
    ) in db.session.connection().execute(query):  # Core: no ORM row overhead
        row = cells[response_id]
        if option_code is not None:
            if kind == MULTIPLE and row.get(code):
                row[code] = f"{row[code]};{option_code}"
            else:
                row[code] = option_code
            if is_other and value_text:
                row[code + OTHER_SUFFIX] = value_text
        elif kind in TEXT_TYPES:
            row[code] = value_text
        elif kind == NUMBER:
            row[code] = _number(value_number)
        elif kind == DATE:
            row[code] = value_date.isoformat() if value_date else None
        else:
            row[code] = value_int
    return cells


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
    where = [*flt.conditions(survey), Response.unit_id.in_(Unit.subtree_ids(scope))]
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
        answers = _answer_cells(ids)
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
