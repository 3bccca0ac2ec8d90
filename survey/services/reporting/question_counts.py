"""Counts per question: scale codes, option ticks and respondents."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, select

from survey.domain.question_types import COUNTED_BY_MEAN, COUNTED_BY_OPTIONS, TEXT_TYPES
from survey.models import Answer, Option, Question, Response, Survey, Unit
from survey.services.reporting.count_source import TALLIES, CountSource
from survey.services.reporting.counting import (
    answered_counts,
    answers,
    keyed_codes,
    scale_code_counts,
)
from survey.services.reporting.publishing import (
    VALID_CODES,
    publish_codes,
    publish_count,
)
from survey.services.reporting.result_filter import ResultFilter

# Which types are counted how: the question-type registry says.
SCALE_QUESTION_TYPES = tuple(sorted(COUNTED_BY_MEAN))
CHOICE_QUESTION_TYPES = tuple(sorted(COUNTED_BY_OPTIONS))
TEXT_QUESTION_TYPES = tuple(sorted(TEXT_TYPES))


def scale_rows(
    survey: Survey,
    scope: Unit | None,
    flt: ResultFilter,
    *,
    source: CountSource = TALLIES,
) -> dict[tuple[str, str], tuple[Counter[int], int]]:
    """Exact codes and key sum per (question code, type) of scale questions."""
    rows = scale_code_counts(
        survey,
        scope,
        flt,
        lambda t: [Question.code, Question.type],
        Question.type.in_(SCALE_QUESTION_TYPES),
        source=source,
    )
    return {(code, kind): keyed_codes(codes) for code, kind, *codes in rows}


def scale_counts(
    survey: Survey,
    scope: Unit | None,
    flt: ResultFilter,
    *,
    source: CountSource = TALLIES,
) -> dict[str, Counter[int]]:
    """Published codes of five-point, rating and 0-10 questions, per question
    code (their answers' n kept on its side of the minimum n)."""
    published: dict[str, Counter[int]] = {}
    for (code, kind), (counts, key) in scale_rows(
        survey, scope, flt, source=source
    ).items():
        valid = VALID_CODES.get(kind)
        published[code] = published.get(code, Counter()) + publish_codes(
            counts, key, valid, survey.min_n
        )
    return published


def option_rows(
    survey: Survey,
    scope: Unit | None,
    flt: ResultFilter,
    *,
    source: CountSource = TALLIES,
) -> dict[str, dict[str, tuple[int, int]]]:
    """Exact ticks and their key sum per question and option code."""

    def rows() -> Select[Any]:
        # Ticks per option id first, their codes after: joined to each answer,
        # PostgreSQL (expecting a handful of waiting responses) went through
        # every option once per answer, 80 ms for 300 responses at 10M.
        ticks = (
            answers(
                survey,
                scope,
                flt,
                Question.code,
                Answer.option_id,
                func.count().label("ticks"),
                func.sum(Response.record_key).label("key_sum"),
                period="month",
                source=source,
            )
            .where(Question.type.in_(CHOICE_QUESTION_TYPES))
            .group_by(Question.code, Answer.option_id)
            .subquery()
        )
        return select(ticks.c.code, Option.code, ticks.c.ticks, ticks.c.key_sum).join(
            Option, Option.id == ticks.c.option_id
        )

    tallied = answered_counts(
        survey,
        scope,
        flt,
        [Question.code, Option.code],
        rows,
        lambda t: Question.type.in_(CHOICE_QUESTION_TYPES),
        lambda t: Option.id == t.option_id,
        source=source,
    )
    result: dict[str, dict[str, tuple[int, int]]] = defaultdict(dict)
    for question, option, count, key in tallied:
        before = result[question].get(option, (0, 0))
        result[question][option] = (before[0] + int(count), before[1] + int(key or 0))
    return dict(result)


def option_counts(
    survey: Survey,
    scope: Unit | None,
    flt: ResultFilter,
    *,
    source: CountSource = TALLIES,
) -> dict[str, Counter[str]]:
    """Published ticks per option code of single and multiple choice questions."""
    return {
        question: Counter(
            {
                option: published
                for option, (n, k) in options.items()
                if (published := publish_count(n, k, ("option", option), None))
            }
        )
        for question, options in option_rows(survey, scope, flt, source=source).items()
    }


def respondent_rows(
    survey: Survey,
    scope: Unit | None,
    flt: ResultFilter,
    *,
    source: CountSource = TALLIES,
) -> dict[str, tuple[int, int]]:
    """Exact respondents and their key sum per choice or text question."""
    answered_types = (*CHOICE_QUESTION_TYPES, *TEXT_QUESTION_TYPES)

    def rows() -> Select[Any]:
        # One row per respondent and question first: a multiple choice has an
        # answer row per ticked option, and the key is the respondent's.
        per_respondent = (
            answers(
                survey,
                scope,
                flt,
                Question.code,
                Answer.response_id,
                func.max(Response.record_key).label("record_key"),
                period="month",
                source=source,
            )
            .where(Question.type.in_(answered_types), or_nonempty_text())
            .group_by(Question.code, Answer.response_id)
            .subquery()
        )
        return select(
            per_respondent.c.code, func.count(), func.sum(per_respondent.c.record_key)
        ).group_by(per_respondent.c.code)

    tallied = answered_counts(
        survey,
        scope,
        flt,
        [Question.code],
        rows,
        lambda t: Question.type.in_(answered_types),
        lambda t: t.option_id == 0,
        source=source,
    )
    return {code: (int(count), int(key or 0)) for code, count, key in tallied}


def respondents_by_question(
    survey: Survey,
    scope: Unit | None,
    flt: ResultFilter,
    *,
    source: CountSource = TALLIES,
) -> dict[str, int]:
    """Published respondents who answered each choice or text question (kept
    on their side of the minimum n)."""
    return {
        code: publish_count(n, k, "respondents", survey.min_n)
        for code, (n, k) in respondent_rows(survey, scope, flt, source=source).items()
    }


def or_nonempty_text() -> ColumnElement[bool]:
    """A text answer counts only when it says something."""
    return ~and_(
        Question.type.in_(TEXT_QUESTION_TYPES),
        func.coalesce(func.trim(Answer.value_text), "") == "",
    )
