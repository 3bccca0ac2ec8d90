"""Where each answer goes in a raw export's row, and a response's answer
fields written as CSV when it is stored (kept in ``ResponseCells``)."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    select,
)

from survey.domain.question_types import question_type
from survey.extensions import db
from survey.models import (
    Option,
    Question,
    Survey,
)
from survey.models.surveys import SurveyVersion

OTHER_SUFFIX = "_other"
# Text a spreadsheet would run as a formula gets a leading apostrophe.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

Cell = str | int | float | None


def csv_fields(cells: Sequence[object]) -> str:
    """``cells`` as CSV fields, each after a comma, formula starts neutralised.

    Exactly what a CSV writer puts in a line for them, so that fields written
    when a response is stored and fields written at export time make the
    same line. (The leading empty field also keeps a lone empty cell from
    being written as ``""``.)
    """
    if not cells:
        return ""
    text = io.StringIO()
    csv.writer(text, lineterminator="").writerow(
        [
            "",
            *(
                "'" + cell
                if isinstance(cell, str) and cell.startswith(FORMULA_STARTS)
                else cell
                for cell in cells
            ),
        ]
    )
    return text.getvalue()


# How an answer fills its cell (the third item of a ``Columns`` target).
VALUE, NUMBER_VALUE, CHOICE, TICK = range(4)


@dataclass(frozen=True)
class Columns:
    """Where each answer of the survey goes in a row, read once per export.

    ``targets`` maps an answer's key (see ``_answers_by_response``) to
    (column, option code, how it fills the cell, option position, column of
    the "other" text or None). One lookup per answer: a million responses
    carry tens of millions of answers.
    """

    targets: dict[str, tuple[int, str, int, int, int | None]]

    @classmethod
    def of(cls, survey: Survey, columns: Sequence[str]) -> Columns:
        """Targets of every question of every version of ``survey``."""
        index = {name: i for i, name in enumerate(columns)}
        versions = select(SurveyVersion.id).where(SurveyVersion.survey_id == survey.id)
        questions = {}
        targets: dict[str, tuple[int, str, int, int, int | None]] = {}
        for qid, code, kind in db.session.execute(
            select(Question.id, Question.code, Question.type).where(
                Question.version_id.in_(versions)
            )
        ):
            questions[qid] = (code, kind)
            if code in index:
                targets[str(qid)] = _value_target(index, code, kind)
        for oid, qid, code, is_other, position in db.session.execute(
            select(
                Option.id,
                Option.question_id,
                Option.code,
                Option.is_other,
                Option.position,
            )
            .join(Question, Question.id == Option.question_id)
            .where(Question.version_id.in_(versions))
        ):
            question_code, kind = questions[qid]
            if question_code in index:
                targets[f"o{oid}"] = _option_target(
                    index, question_code, kind, code, is_other, position
                )
        return cls(targets)

    def fill(self, row: list[Cell], answers: dict[str, Any]) -> None:
        """Put one response's answers in its row (ticks in the options' order)."""
        targets = self.targets
        ticks: dict[int, list[tuple[int, str]]] | None = None
        for key, value in answers.items():
            target = targets.get(key)
            if target is None:
                continue  # a question of a version left out of the layout
            column, code, how, position, other = target
            if how == CHOICE:
                row[column] = code
            elif how == VALUE:
                row[column] = value
            elif how == TICK:
                if ticks is None:
                    ticks = defaultdict(list)
                ticks[column].append((position, code))
            else:
                row[column] = _number(value)
            if other is not None and value:
                row[other] = value
        for column, chosen in (ticks or {}).items():
            row[column] = ";".join(code for _, code in sorted(chosen))


def _value_target(
    index: dict[str, int], code: str, kind: str
) -> tuple[int, str, int, int, int | None]:
    how = NUMBER_VALUE if question_type(kind).cell == "number" else VALUE
    return (index[code], "", how, 0, None)


def _option_target(
    index: dict[str, int],
    question_code: str,
    kind: str,
    code: str,
    is_other: bool,
    position: int,
) -> tuple[int, str, int, int, int | None]:
    other = index.get(question_code + OTHER_SUFFIX) if is_other else None
    how = TICK if question_type(kind).cell == "tick" else CHOICE
    return (index[question_code], code, how, position, other)


@dataclass(frozen=True)
class AnswerFields:
    """One version's answer columns, and its responses' fields in them.

    Built from questions in their order, each with its options in theirs
    (ORM questions, or the form's ``QuestionData``).
    """

    header: tuple[str, ...]
    columns: Columns

    @classmethod
    def of(cls, questions: Iterable[Any]) -> AnswerFields:
        questions = list(questions)
        header: list[str] = []
        for q in questions:
            header.append(q.code)
            if any(o.is_other for o in q.options):
                header.append(q.code + OTHER_SUFFIX)
        index = {name: i for i, name in enumerate(header)}
        targets = {}
        for q in questions:
            targets[str(q.id)] = _value_target(index, q.code, q.type)
            for position, o in enumerate(q.options):
                targets[f"o{o.id}"] = _option_target(
                    index, q.code, q.type, o.code, o.is_other, position
                )
        return cls(tuple(header), Columns(targets))

    def render(self, answers: dict[str, Any]) -> str:
        """The fields of one response's answers, keyed as ``answer_key``."""
        cells: list[Cell] = [None] * len(self.header)
        self.columns.fill(cells, answers)
        return csv_fields(cells)


def answer_key(question_id: int, option_id: int | None) -> str:
    """How the export keys an answer row (see ``_answers_by_response``)."""
    return str(question_id) if option_id is None else f"o{option_id}"


def _number(value: float | None) -> Cell:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value
