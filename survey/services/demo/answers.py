"""One synthetic respondent: plausible answers, question by question, whose
units really differ, one ward among them looking manipulated."""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from survey.domain import disclosure
from survey.domain.question_types import question_type
from survey.domain.question_types.base import DemoAnswer, Draw
from survey.extensions import db
from survey.models import Question
from survey.models.surveys import SurveyVersion
from survey.services.answering.responses import HARD_SPEED_SECONDS_PER_ITEM
from survey.services.demo.units import CHANNEL_MIX, MANIPULATED_UNIT, ChannelMix
from survey.services.reporting.raw_export import AnswerFields, answer_key

Rows = tuple[list[tuple], list[tuple], list[tuple], list[tuple]]


def _plan_items(version: SurveyVersion) -> tuple[list[_PlanItem], AnswerFields]:
    """The version's questions, in order, as the generator needs them, and
    their answer fields for the raw export."""
    questions = db.session.scalars(
        select(Question)
        .where(Question.version_id == version.id)
        .options(selectinload(Question.options))
        .order_by(Question.position)
    ).all()
    return [_PlanItem.of(q) for q in questions], AnswerFields.of(questions)


@dataclass(frozen=True)
class _PlanItem:
    """What the generator needs of a question, as plain values (no ORM access)."""

    id: int
    code: str
    type: str
    required: bool
    option_ids: dict[str, int]
    codes: tuple[str, ...]
    plain_codes: tuple[str, ...]  # without "other, please specify"
    condition_code: str | None
    condition_codes: frozenset[str]

    @classmethod
    def of(cls, q: Question) -> _PlanItem:
        return cls(
            id=q.id,
            code=q.code,
            type=q.type,
            required=q.required,
            option_ids={o.code: o.id for o in q.options},
            codes=tuple(o.code for o in q.options),
            plain_codes=tuple(o.code for o in q.options if not o.is_other),
            condition_code=(
                q.condition_question.code if q.condition_question is not None else None
            ),
            condition_codes=frozenset(q.condition_option_codes or ()),
        )


def _fake_response(
    rng: random.Random,
    response_id: int,
    survey_id: int,
    version_id: int,
    unit: tuple[int, str, float],
    questions: list[_PlanItem],
    fields: AnswerFields,
    now: datetime,
    responses: list[tuple],
    answers: list[tuple],
    flags: list[tuple],
    cells: list[tuple],
    channel: str | None = None,
    submitted_at: datetime | None = None,
    span_days: float = 365.0,
    channels: ChannelMix | None = None,
) -> None:
    """Append one synthetic respondent's rows (see the *_COLUMNS tuples).

    ``channel`` and ``submitted_at`` fix what is otherwise drawn at random
    (an invited respondent answers on that channel, after the invitation).
    """
    unit_id, unit_code, unit_level = unit
    manipulated = unit_code == MANIPULATED_UNIT
    # Months differ a little, and things got slowly better over the year.
    days_ago = rng.random() * span_days
    if manipulated and rng.random() < 0.6:
        # Bursts: dozens of responses within minutes on a few days.
        days_ago = rng.choice((12.3, 40.6, 95.2, 180.4)) + rng.random() * 0.01
    if submitted_at is not None:
        days_ago = max(0.0, (now - submitted_at).total_seconds() / 86400)
    submitted = now - timedelta(days=days_ago)
    # Whole milliseconds, as SQLite's date functions read them (tally_counts.cut_of).
    submitted -= timedelta(microseconds=submitted.microsecond % 1000)
    level = unit_level + 0.05 * (1 - days_ago / span_days) + rng.gauss(0, 0.12)
    business = rng.random() < 0.15
    names, weights = channels or CHANNEL_MIX
    drawn_channel = rng.choices(names, weights)[0]
    channel = channel or drawn_channel
    stuffed = manipulated and channel == "qr"
    if stuffed:
        level = 0.98 + rng.gauss(0, 0.02)
    first_answer = len(answers)
    answered = _append_answers(
        rng, response_id, questions, level, business, stuffed, answers
    )
    duration = int(rng.lognormvariate(5.6, 0.35))  # about 4-5 minutes
    if stuffed:
        duration = rng.randint(20, 70)
    keyed = {
        answer_key(qid, option_id): text if text is not None else value
        for _, qid, option_id, value, text in answers[first_answer:]
    }
    cells.append((response_id, fields.render(keyed)))
    hard_flagged = duration < HARD_SPEED_SECONDS_PER_ITEM * answered
    if hard_flagged:
        reason = f"{duration} s for {answered} answers"
        flags.append((response_id, "hard_speeder", "hard", reason))
    responses.append(
        (
            response_id,
            survey_id,
            version_id,
            unit_id,
            channel,
            "en" if rng.random() < 0.04 else "vi",
            "business" if business else "citizen",
            submitted - timedelta(seconds=duration),
            submitted,
            duration,
            secrets.token_hex(16),
            None,
            hard_flagged,
            0,
            disclosure.new_record_key(),
        )
    )


def _append_answers(
    rng: random.Random,
    response_id: int,
    questions: list[_PlanItem],
    level: float,
    business: bool,
    stuffed: bool,
    answers: list[tuple],
) -> int:
    """Append one respondent's answer rows; how many questions they answered."""
    chosen: dict[str, set[str]] = {}
    answered = 0
    for q in questions:
        if q.condition_code is not None and not (
            chosen.get(q.condition_code, set()) & q.condition_codes
        ):
            continue
        codes = _answer_codes(rng, q, level, business, stuffed)
        if codes is None:
            continue
        answered += 1
        if isinstance(codes, str):
            answers.append((response_id, q.id, None, None, codes))
            continue
        if isinstance(codes, int):
            answers.append((response_id, q.id, None, codes, None))
            continue
        chosen[q.code] = set(codes)
        kind = question_type(q.type)
        for code in codes:
            value = kind.option_value(code)
            answers.append((response_id, q.id, q.option_ids[code], value, None))
    return answered


def _answer_codes(
    rng: random.Random, q: _PlanItem, level: float, business: bool, stuffed: bool
) -> DemoAnswer:
    """A plausible answer: option codes, a comment, a scale value, or None.

    The type invents it; a bank question the demo knows answers by its rule.
    """
    draw = Draw(
        rng,
        level,
        stuffed,
        q.codes,
        q.plain_codes,
        q.required,
        bank=lambda: _bank_answer(rng, q, level, business),
    )
    return question_type(q.type).demo_answer(draw)


def _bank_answer(
    rng: random.Random, q: _PlanItem, level: float, business: bool
) -> tuple[str, ...] | None:
    """The answer to a question of the city's bank the demo knows, if it is one."""
    codes = q.codes
    if q.code == "Q0.1":
        return ("yes",)
    if q.code == "Q0.2":
        return (
            ("business",)
            if business
            else (rng.choice(("individual", "individual", "agent")),)
        )
    if q.code in ("A1", "A2", "A7"):
        extra = max(0, round(rng.expovariate(1.0) * (1.3 - level)))
        return (codes[min(extra, len(codes) - 1)],)
    if q.code == "A3":
        late = rng.random() > level + 0.1
        return ("late",) if late else (rng.choice(("on_time", "on_time", "early")),)
    if q.code == "A6":
        return ("yes",) if rng.random() < 0.04 * (1.2 - level) else ("no",)
    if q.code == "B5.0":
        return ("yes",) if rng.random() < 0.2 else ("no",)
    return None
