"""Raw responses of a survey, one row per response, read in id-ordered batches.

Only administrators may ask for these (the view checks the role and audits
the export); the rows are produced lazily so that a million responses stream
in constant memory: each batch is one query for the responses (keyset
pagination on the id), one for their flags, and, where needed, one for their
answers, each response's folded into one JSON object by the database.

The CSV file skips the answers: each response's answer fields were written
as CSV when it was stored (``AnswerFields``, kept in ``ResponseCells``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import timedelta
from json import loads
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Row,
    String,
    cast,
    func,
    null,
    select,
    text,
)

from survey.extensions import db
from survey.models import (
    Answer,
    Response,
    ResponseCells,
    ResponseFlag,
    Survey,
    Unit,
)
from survey.models.surveys import SurveyVersion
from survey.services.reporting.answer_cells import (
    FORMULA_STARTS,
    OTHER_SUFFIX,
    AnswerFields,
    Cell,
    Columns,
    answer_key,
    csv_fields,
)
from survey.services.reporting.driver import driver_rows
from survey.services.reporting.local_time import LOCAL_OFFSET
from survey.services.reporting.result_filter import ResultFilter

__all__ = ["FORMULA_STARTS", "OTHER_SUFFIX", "AnswerFields", "answer_key", "csv_fields"]

BATCH_SIZE = 5000
FIXED_COLUMNS = (
    "id",
    "submitted_at",
    "unit",
    "channel",
    "language",
    "version",
    "flags",
)
SCREENED_OUT = "screened_out"  # in the flags column: ended by an end rule

Progress = Callable[[int], None]


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


def _local_time(dialect: str) -> ColumnElement[str]:
    """``submitted_at`` (naive UTC) as local ISO 8601 with its offset, to the
    second, written by the database: "2026-03-02T03:30:05+07:00"."""
    hours = LOCAL_OFFSET // timedelta(hours=1)
    if dialect == "postgresql":
        local = Response.submitted_at + text(f"interval '{hours} hours'")
        stamp = func.to_char(local, 'YYYY-MM-DD"T"HH24:MI:SS')
    else:
        # Cut the stored text's fraction first: SQLite's date functions round
        # to the millisecond, so "50.9996" would become second 51.
        whole_seconds = func.substr(Response.submitted_at, 1, 19)
        stamp = func.strftime("%Y-%m-%dT%H:%M:%S", whole_seconds, f"+{hours} hours")
    return stamp.concat(f"+{hours:02d}:00")


def _answers_by_response(
    connection: Connection, first_id: int, last_id: int
) -> Iterator[tuple[int, Any]]:
    """(response id, its answers as one JSON object) for ids in [first, last].

    The database folds each response's answer rows into one object, in C:
    key the question id for a value, or "o" + the option id for a ticked
    option (its value the "other" text, if any). Python then handles one
    object per response instead of one row per answer.
    PostgreSQL's driver hands the object over parsed, SQLite's as text.
    """
    # One value column is set per row, but for a ticked "other" option (its
    # text) and a scale point (its value too: the option code gives it).
    key = func.coalesce(
        "o" + cast(Answer.option_id, String), cast(Answer.question_id, String)
    )
    values = (
        Answer.value_text,
        Answer.value_int,
        Answer.value_number,
        Answer.value_date,
    )
    if connection.dialect.name == "postgresql":
        folded = func.json_object_agg(key, func.coalesce(*map(func.to_json, values)))
    else:
        folded = func.json_group_object(key, func.coalesce(*values))
    query = (
        select(Answer.response_id, folded)
        .where(Answer.response_id.between(first_id, last_id))
        .group_by(Answer.response_id)
        .order_by(Answer.response_id)  # PostgreSQL: walk the index, no hashing
    )
    for response_id, answers in driver_rows(query):
        yield response_id, answers if isinstance(answers, dict) else loads(answers)


def _flag_codes(connection: Connection, first_id: int, last_id: int) -> dict[int, str]:
    """Flag codes of the responses with ids in [first, last], by response."""
    query = (
        select(ResponseFlag.response_id, ResponseFlag.code)
        .where(ResponseFlag.response_id.between(first_id, last_id))
        .order_by(ResponseFlag.response_id, ResponseFlag.id)
    )
    flags: dict[int, list[str]] = defaultdict(list)
    # A response ended by an end rule is labelled first: it has no ratings.
    screened = select(Response.id).where(
        Response.id.between(first_id, last_id), Response.screened_out.is_(True)
    )
    for response_id in connection.scalars(screened):
        flags[response_id].append(SCREENED_OUT)
    for response_id, code in connection.execute(query):
        flags[response_id].append(code)
    return {key: ";".join(codes) for key, codes in flags.items()}


def _read_batches(
    connection: Connection,
    where: list[ColumnElement[bool]],
    batch_size: int,
    progress: Progress | None,
    stored: bool,
) -> Iterator[tuple[Sequence[Row[Any]], dict[int, str]]]:
    """The slice's responses by id, ``batch_size`` at a time, and the batch's
    flags. A response: (id, local time, unit id, channel, language, version
    id, stored answer fields or None; always None unless ``stored``)."""
    if connection.dialect.name == "postgresql":
        # Hundreds of short range reads: parallel workers on two cores made
        # a batch slower, not faster.
        connection.exec_driver_sql("SET LOCAL max_parallel_workers_per_gather = 0")
    # A lookup per response: an outer join let PostgreSQL merge-join the
    # whole response_cells index from its start, batch after batch.
    stored_cells = (
        select(ResponseCells.cells)
        .where(ResponseCells.response_id == Response.id)
        .scalar_subquery()
        if stored
        else null()
    )
    last_id = 0
    while True:
        batch = connection.execute(
            select(
                Response.id,
                _local_time(connection.dialect.name),
                Response.unit_id,
                Response.channel,
                Response.language,
                Response.version_id,
                stored_cells,
            )
            .where(*where, Response.id > last_id)
            .order_by(Response.id)
            .limit(batch_size)
        ).all()
        if not batch:
            return
        first, last_id = batch[0].id, batch[-1].id
        yield batch, _flag_codes(connection, first, last_id)
        if progress:
            progress(len(batch))


def slice_conditions(
    survey: Survey, scope: Unit, flt: ResultFilter
) -> list[ColumnElement[bool]]:
    """WHERE conditions on ``Response`` for the slice's responses, as the
    export's keyset reads want them on this database."""
    # SQLite, "+ 0": no index for the survey and unit, so that each batch walks
    # the primary key from the last id (keyset pagination) instead of reading
    # the survey's whole index and sorting it, batch after batch. PostgreSQL
    # plans that way by itself, and "+ 0" would blind its estimates.
    sqlite = db.session.get_bind().dialect.name == "sqlite"
    unit_id = Response.unit_id + 0 if sqlite else Response.unit_id
    return [
        *flt.conditions(survey, indexed=not sqlite),
        unit_id.in_(Unit.subtree_ids(scope)),
    ]


def count_rows(survey: Survey, scope: Unit, flt: ResultFilter) -> int:
    """How many rows ``raw_rows`` gives for the slice (for a progress bar)."""
    where = [*flt.conditions(survey), Response.unit_id.in_(Unit.subtree_ids(scope))]
    return db.session.scalar(select(func.count(Response.id)).where(*where)) or 0


def _codes(survey: Survey, scope: Unit) -> tuple[dict[int, str], dict[int, int]]:
    """Unit codes under ``scope`` and the survey's version numbers, by id."""
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
    return unit_codes, version_numbers


def raw_rows(
    survey: Survey,
    scope: Unit,
    flt: ResultFilter,
    layout: RawLayout,
    batch_size: int = BATCH_SIZE,
    progress: Progress | None = None,
) -> Iterator[list[Cell]]:
    """One list of cells per response in the slice, by id, in batches
    (``progress`` is called with each batch's size)."""
    unit_codes, version_numbers = _codes(survey, scope)
    fixed = len(FIXED_COLUMNS)
    columns = Columns.of(survey, layout.header[fixed:])
    connection = db.session.connection()
    where = slice_conditions(survey, scope, flt)
    batches = _read_batches(connection, where, batch_size, progress, stored=False)
    for batch, flags in batches:
        answers = dict(_answers_by_response(connection, batch[0].id, batch[-1].id))
        for rid, stamp, unit_id, channel, language, version_id, _stored in batch:
            cells: list[Cell] = [
                rid,
                stamp,
                unit_codes.get(unit_id, ""),
                channel,
                language,
                version_numbers.get(version_id),
                flags.get(rid, ""),
            ]
            answer_cells: list[Cell] = [None] * (len(layout.header) - fixed)
            columns.fill(answer_cells, answers.get(rid, {}))
            yield cells + answer_cells


class _Fields(dict[tuple[Cell, ...], str]):
    """Cells' CSV fields (see ``csv_fields``), worked out once per cells."""

    def __missing__(self, cells: tuple[Cell, ...]) -> str:
        fields = self[cells] = csv_fields(cells)
        return fields


def _paddings(survey: Survey, answer_columns: Sequence[str]) -> dict[int, str]:
    """Empty fields to add to a version's stored fields, by version id.

    Only for versions whose own answer columns are the layout's first ones
    (every response when one version was published; the newest version's
    when several were); other versions' responses are not listed.
    """
    paddings = {}
    for version in survey.versions:
        own = AnswerFields.of(version.questions).header
        if tuple(answer_columns[: len(own)]) == own:
            paddings[version.id] = "," * (len(answer_columns) - len(own))
    return paddings


def raw_csv(
    survey: Survey,
    scope: Unit,
    flt: ResultFilter,
    layout: RawLayout,
    batch_size: int = BATCH_SIZE,
    progress: Progress | None = None,
) -> Iterator[str]:
    """The slice's responses as a CSV file, a batch of lines at a time.

    The same file as ``raw_rows`` written by a CSV writer, made faster: a
    line is the response's fixed fields, then the answer fields stored with
    it (``ResponseCells``), then empty fields for columns its version did not
    ask. Responses stored without fields, or of a version whose columns do
    not come first in the layout, get theirs from their answers.
    """
    unit_codes, version_numbers = _codes(survey, scope)
    answer_columns = layout.header[len(FIXED_COLUMNS) :]
    columns = Columns.of(survey, answer_columns)
    paddings = _paddings(survey, answer_columns)
    fields = _Fields()
    connection = db.session.connection()
    where = slice_conditions(survey, scope, flt)
    yield "\ufeff" + csv_fields(layout.header)[1:] + "\r\n"  # a BOM: Excel reads UTF-8
    batches = _read_batches(connection, where, batch_size, progress, stored=True)
    for batch, flags in batches:
        answers: dict[int, Any] = {}
        if any(row[6] is None or row[5] not in paddings for row in batch):
            answers = dict(_answers_by_response(connection, batch[0].id, batch[-1].id))
        lines = []
        for rid, stamp, unit_id, channel, language, version_id, stored in batch:
            padding = paddings.get(version_id)
            if stored is not None and padding is not None:
                answer_fields = stored + padding
            else:
                cells: list[Cell] = [None] * len(answer_columns)
                columns.fill(cells, answers.get(rid, {}))
                answer_fields = csv_fields(cells)
            # The id and an ISO time never need quoting.
            unit, version = unit_codes.get(unit_id, ""), version_numbers.get(version_id)
            lines.append(
                f"{rid},{stamp}{fields[unit, channel, language, version]}"
                f"{fields[flags.get(rid, ''),]}{answer_fields}\r\n"
            )
        yield "".join(lines)
