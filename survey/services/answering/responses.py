"""Recording a citizen's response exactly once, with its quality flags."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.dialects import postgresql, sqlite

from survey.domain.answers import CleanAnswer, QuestionRule
from survey.domain.conditions import Condition, both, one_of
from survey.domain.quality import HARD_SPEED_SECONDS_PER_ITEM
from survey.domain.questions import RESPONDENT_GROUP, respondent_group
from survey.extensions import db
from survey.models import (
    Answer,
    Question,
    Response,
    ResponseCells,
    ResponseFlag,
    SurveyVersion,
    Unit,
)
from survey.models._time import utcnow
from survey.models.responses import masked_text
from survey.services.answering.surveys import answer_fields, stored_condition
from survey.services.reporting.raw_export import answer_key

__all__ = ["HARD_SPEED_SECONDS_PER_ITEM", "record_response"]
REPEATED_DEVICE_PER_DAY = 3
ANSWER_FIELDS = (
    "response_id",
    "question_id",
    "option_id",
    "value_int",
    "value_number",
    "value_text",
    "value_date",
    "text_masked",
)
# PostgreSQL: a response's answer fields for the raw export and its answers in
# one statement, the answers over seven arrays instead of one execution per
# answer row (an executemany is still one per row).
INSERT_ANSWERS_UNNEST = text(
    "WITH fields AS (INSERT INTO response_cells (response_id, cells) "  # noqa: S608 - fixed names
    "VALUES (:id, :cells)) "
    "INSERT INTO answers (" + ", ".join(ANSWER_FIELDS) + ") "
    "SELECT * FROM unnest(CAST(:response_id AS integer[]), "
    "CAST(:question_id AS integer[]), CAST(:option_id AS integer[]), "
    "CAST(:value_int AS integer[]), CAST(:value_number AS double precision[]), "
    "CAST(:value_text AS text[]), CAST(:value_date AS date[]), "
    "CAST(:text_masked AS text[]))"
)


@dataclass(frozen=True)
class Submission:
    """What the public form hands over, besides the answers."""

    token: str
    started_at: datetime | None
    channel: str
    language: str
    device_hash: str | None
    honeypot_filled: bool
    invitation_id: int | None = None  # the invited channel: one response each
    interviewer_id: int | None = None  # a phone interview: who entered it
    screened_out: bool = False  # ended by an end rule before the questions proper


def _condition(value: object) -> Condition | None:
    """A row's stored condition (plain data) or a ``QuestionData``'s (read)."""
    return value if isinstance(value, Condition) else stored_condition(value)


def rules_for(questions: Sequence[Any]) -> list[QuestionRule]:
    """The checker's view of the questions (rows or ``QuestionData``), in order.

    A question's display condition is its page's, its classic one (an earlier
    choice in a set of codes) and its richer one, all three together.
    """
    positions = sorted({(q.page.position, q.page_id) for q in questions})
    page_numbers = {page_id: i for i, (_position, page_id) in enumerate(positions)}
    code_of = {q.id: q.code for q in questions}
    rules = []
    for q in questions:
        classic = None
        if q.condition_question_id is not None:
            source = code_of.get(q.condition_question_id, "")
            classic = one_of(source, tuple(q.condition_option_codes or ()))
        page_rule = _condition(q.page.show_if)
        rules.append(
            QuestionRule(
                id=q.id,
                type=q.type,
                required=q.required,
                page=page_numbers[q.page_id],
                option_codes=tuple(o.code for o in q.options),
                other_codes=frozenset(o.code for o in q.options if o.is_other),
                code=q.code,
                show_if=both(page_rule, both(classic, _condition(q.show_if))),
                end_if=_condition(q.end_if),
                min_value=q.min_value,
                max_value=q.max_value,
                whole_number=bool(q.whole_number),
                max_choices=q.max_choices,
                max_length=q.max_length,
            )
        )
    return rules


def _answer_rows(
    questions: Sequence[Question], answers: dict[int, CleanAnswer]
) -> list[dict[str, Any]]:
    """One row per answer (per ticked option), every row with the same keys."""
    option_ids = {(o.question_id, o.code): o.id for q in questions for o in q.options}
    other_options = {
        (o.question_id, o.code) for q in questions for o in q.options if o.is_other
    }
    rows: list[dict[str, Any]] = []
    for answer in answers.values():
        if answer.option_codes:
            for code in answer.option_codes:
                key = (answer.question_id, code)
                other = answer.other_text if key in other_options else None
                rows.append(
                    _answer_row(
                        answer.question_id,
                        option_id=option_ids[key],
                        value_int=answer.value_int,
                        value_text=other,
                    )
                )
        else:
            rows.append(
                _answer_row(
                    answer.question_id,
                    value_int=answer.value_int,
                    value_number=answer.value_number,
                    value_text=answer.value_text,
                    value_date=answer.value_date,
                )
            )
    return rows


def _answers_by_key(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The answer rows as the raw export reads them back: one value each,
    the first set of text, code, number and date."""
    return {
        answer_key(row["question_id"], row["option_id"]): next(
            (
                row[name]
                for name in ("value_text", "value_int", "value_number", "value_date")
                if row[name] is not None
            ),
            None,
        )
        for row in rows
    }


def _answer_row(question_id: int, **values: Any) -> dict[str, Any]:
    row = dict.fromkeys(
        ("option_id", "value_int", "value_number", "value_text", "value_date")
    )
    row.update(values, question_id=question_id)
    row["text_masked"] = masked_text(row["value_text"])  # the display copy
    return row


def _quality_flags(
    submission: Submission, duration: int | None, answered: int, now: datetime
) -> list[ResponseFlag]:
    """Flags that can be decided at submission (METHODOLOGY.md section 8)."""
    flags = []
    if submission.honeypot_filled:
        flags.append(
            ResponseFlag(code="honeypot", kind="hard", reason="hidden field filled")
        )
    if (
        duration is not None
        and answered
        and duration < HARD_SPEED_SECONDS_PER_ITEM * answered
    ):
        flags.append(
            ResponseFlag(
                code="hard_speeder",
                kind="hard",
                reason=f"{duration} s for {answered} answers",
            )
        )
    if submission.device_hash:  # kiosks too (survey/public/devices.py)
        _one_device_at_a_time(submission.device_hash)
        same_device = db.session.scalar(
            select(func.count(Response.id)).where(
                Response.device_hash == submission.device_hash,
                Response.submitted_at >= now - timedelta(days=1),
            )
        )
        if same_device and same_device >= REPEATED_DEVICE_PER_DAY:
            flags.append(
                ResponseFlag(
                    code="repeated_device",
                    kind="soft",
                    reason=f"{same_device + 1} submissions in a day from one device",
                )
            )
    return flags


def _one_device_at_a_time(device: str) -> None:
    """Hold the device until this transaction ends, so that its count is right.

    Without it two forms posted at once from one device each counted the
    other's as not there yet, and the fourth of the day could go unflagged.
    PostgreSQL: an advisory lock on the device; SQLite: its one write lock,
    taken by a write that changes nothing (reads after it see every commit).
    """
    if db.session.get_bind().dialect.name == "postgresql":
        key = int(hashlib.sha256(device.encode()).hexdigest()[:15], 16)
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
    else:
        db.session.execute(text("UPDATE responses SET id = id WHERE 0"))


def _screening_answers(
    questions: Sequence[Question], answers: dict[int, CleanAnswer]
) -> dict[int, CleanAnswer]:
    """A screened-out response's answers without those that feed a figure.

    Someone who says they did not use the service has no ratings to count:
    with every answer tagged with a dimension left out (but the respondent
    group), the response counts in the response figures and in no
    satisfaction, perception or other index, by construction.
    """
    indexed = {
        q.id
        for q in questions
        if q.dimension is not None and q.dimension != RESPONDENT_GROUP
    }
    return {qid: a for qid, a in answers.items() if qid not in indexed}


def record_response(
    version: SurveyVersion,
    unit: Unit,
    questions: Sequence[Question],
    answers: dict[int, CleanAnswer],
    submission: Submission,
) -> bool:
    """Store the response; False when its token was already used (a retry).

    The unique token is the guard: ``INSERT ... ON CONFLICT DO NOTHING`` makes
    no row for a repeat (or a second answer to one invitation), concurrent or
    not, and leaves the caller's transaction usable; no savepoint, no lookup.
    Its answer fields for the raw export (``AnswerFields``), its answers and
    its flags then go in with one statement each (on PostgreSQL the first two
    as one).
    """
    now = utcnow()
    if submission.screened_out:
        answers = _screening_answers(questions, answers)
    duration = None
    if submission.started_at is not None:
        duration = max(0, int((now - submission.started_at).total_seconds()))
    flags = _quality_flags(submission, duration, len(answers), now)
    group_question = next(
        (q.id for q in questions if q.dimension == RESPONDENT_GROUP), None
    )
    group_answer = answers.get(group_question) if group_question else None
    dialect = db.session.get_bind().dialect.name
    insert_into = postgresql.insert if dialect == "postgresql" else sqlite.insert
    response_id = db.session.scalar(
        insert_into(Response)
        .values(
            survey_id=version.survey_id,
            version_id=version.id,
            unit_id=unit.id,
            channel=submission.channel,
            language=submission.language,
            respondent_group=respondent_group(
                group_answer.option_codes if group_answer else ()
            ),
            started_at=submission.started_at,
            submitted_at=now,
            duration_seconds=duration,
            token=submission.token,
            device_hash=submission.device_hash,
            hard_flagged=any(f.kind == "hard" for f in flags),
            screened_out=submission.screened_out,
            soft_flag_count=sum(1 for f in flags if f.kind == "soft"),
            invitation_id=submission.invitation_id,
            interviewer_id=submission.interviewer_id,
        )
        .on_conflict_do_nothing()
        .returning(Response.id)
    )
    if response_id is None:
        return False
    rows = _answer_rows(questions, answers)
    cells = answer_fields(version).render(_answers_by_key(rows))
    if dialect == "postgresql":
        columns = {name: [row.get(name) for row in rows] for name in ANSWER_FIELDS}
        columns["response_id"] = [response_id] * len(rows)
        db.session.execute(
            INSERT_ANSWERS_UNNEST, {**columns, "id": response_id, "cells": cells}
        )
    else:
        db.session.execute(
            ResponseCells.__table__.insert(),
            {"response_id": response_id, "cells": cells},
        )
        if rows:
            # Core, not ORM: the ORM splits rows by which values are None, one
            # INSERT per shape; the table's insert is one executemany.
            db.session.execute(
                Answer.__table__.insert(),
                [{**row, "response_id": response_id} for row in rows],
            )
    if flags:
        db.session.execute(
            ResponseFlag.__table__.insert(),
            [
                {
                    "response_id": response_id,
                    "code": f.code,
                    "kind": f.kind,
                    "reason": f.reason,
                }
                for f in flags
            ],
        )
    return True
