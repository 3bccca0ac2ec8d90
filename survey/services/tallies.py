"""Folding responses into the tallies that the results pages read.

A fold takes responses whose ``tally_batch`` is NULL, stamps them with a new
batch number and adds their counts to ``response_tallies`` and
``answer_tallies``, all in one transaction. The results queries count a
response from the tallies once it is stamped and from its rows before, in one
statement each, so a figure never counts a response twice or misses it.

Submissions never touch the tallies (no hot rows, no extra statements on the
citizen's path); folds run from ``flask tallies fold``, after a bulk load, and
from the results pages when more than ``FOLD_AFTER`` responses are waiting.
``flask tallies rebuild`` recounts everything; ``flask tallies check`` proves
the tallies equal the straight counts.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Insert,
    Integer,
    and_,
    case,
    delete,
    func,
    literal_column,
    select,
    true,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError

from survey.domain import statistics as st
from survey.domain.questions import LIKERT5, OVERALL, SATISFACTION_FACTORS
from survey.extensions import db
from survey.models import Answer, Question, Response, Survey
from survey.models.responses import INVITED_CHANNELS
from survey.models.tallies import (
    FACTORS,
    NO_FACTOR,
    NO_FACTOR_ANSWERED,
    SLICE_COLUMNS,
    VALUE_CODES,
    AnswerTally,
    ResponseTally,
    TallyState,
)
from survey.services import results
from survey.services.results import _local_month, or_nonempty_text

log = logging.getLogger(__name__)

FOLD_AFTER = 500  # responses waiting before a results page folds them in
FOLD_LIMIT = 20_000  # responses per fold: a short write lock, a bounded request
RESPONSE_KEY = (*SLICE_COLUMNS, *(f"f{i}" for i in range(FACTORS)))
ANSWER_KEY = (*SLICE_COLUMNS, "question_id", "option_id")
ZERO = literal_column("0", Integer)
assert len(SATISFACTION_FACTORS) == FACTORS


def _slice() -> list[Any]:
    """The tallies' slice columns, computed from a response row."""
    return [
        Response.survey_id.label("survey_id"),
        Response.version_id.label("version_id"),
        Response.unit_id.label("unit_id"),
        _local_month(Response.submitted_at).label("month"),
        Response.channel.in_(sorted(INVITED_CHANNELS)).label("invited"),
        func.coalesce(Response.respondent_group, "").label("respondent_group"),
        Response.hard_flagged.label("hard_flagged"),
    ]


def _upsert(table: Any, query: Any, key: tuple[str, ...], counts: list[str]) -> Insert:
    """INSERT ... SELECT that adds to the counts of rows already there."""
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    columns = [c.name for c in query.selected_columns]
    statement = insert(table).from_select(columns, query)
    return statement.on_conflict_do_update(  # type: ignore[no-any-return]
        index_elements=list(key),
        set_={c: getattr(table, c) + getattr(statement.excluded, c) for c in counts},
    )


def _response_rows(batch: int) -> Any:
    """Responses of the batch per slice and satisfaction-factor pattern."""
    top, rest = st.LIKERT_CODES[-2:], st.LIKERT_CODES[:-2]
    factor = and_(
        Question.type == LIKERT5, Question.dimension.in_(SATISFACTION_FACTORS)
    )
    flags = [
        func.max(
            case(
                (and_(Question.dimension == d, Answer.value_int.in_(top)), 1),
                (and_(Question.dimension == d, Answer.value_int.in_(rest)), 0),
                (Question.dimension == d, NO_FACTOR),
            )
        ).label(f"r{i}")
        for i, d in enumerate(SATISFACTION_FACTORS)
    ]
    answered_any = func.max(case((Question.id.is_not(None), 1))).label("any")
    per_response = (
        select(*_slice(), *flags, answered_any)
        .select_from(Response)
        .outerjoin(Answer, Answer.response_id == Response.id)
        .outerjoin(Question, and_(Question.id == Answer.question_id, factor))
        .where(Response.tally_batch == batch)
        .group_by(Response.id)
        .subquery()
    )
    slice_columns = [per_response.c[name] for name in SLICE_COLUMNS]
    patterns = [
        case(
            (per_response.c.any.is_(None), NO_FACTOR_ANSWERED),
            else_=func.coalesce(per_response.c[f"r{i}"], NO_FACTOR),
        ).label(f"f{i}")
        for i in range(FACTORS)
    ]
    return (
        select(*slice_columns, *patterns, func.count().label("responses"))
        .where(true())  # SQLite's upsert needs a WHERE after INSERT ... SELECT
        .group_by(*slice_columns, *patterns)
    )


def _answer_rows(batch: int, per_option: bool) -> Any:
    """Answers of the batch per slice and question (or ticked option)."""
    if per_option:
        option = Answer.option_id
        answered = func.count()
        where: list[ColumnElement[bool]] = [
            Answer.option_id.is_not(None),
            Question.type.in_(results.CHOICE_QUESTION_TYPES),
        ]
        codes = [ZERO.label(f"c{code}") for code in VALUE_CODES]
    else:
        option = ZERO
        answered = func.count(case((or_nonempty_text(), Answer.response_id)).distinct())
        where = []
        codes = [
            func.sum(case((Answer.value_int == code, 1), else_=0)).label(f"c{code}")
            for code in VALUE_CODES
        ]
    slice_columns = _slice()
    return (
        select(
            *slice_columns,
            Answer.question_id.label("question_id"),
            option.label("option_id"),
            answered.label("answered"),
            *codes,
        )
        .select_from(Answer)
        .join(Response, Response.id == Answer.response_id)
        .join(Question, Question.id == Answer.question_id)
        .where(Response.tally_batch == batch, *where)
        .group_by(
            *(c.element for c in slice_columns),
            Answer.question_id,
            *([Answer.option_id] if per_option else []),
        )
    )


def fold(limit: int | None = FOLD_LIMIT) -> int:
    """Fold up to ``limit`` waiting responses in, oldest first; how many.

    The caller commits. Bumping the one ``tally_state`` row first makes a
    second fold wait for this one's commit, then see its stamps.
    """
    bumped = db.session.execute(
        update(TallyState).values(batch=TallyState.batch + 1)
    ).rowcount
    if not bumped:  # the migration makes the row; an emptied table lost it
        db.session.add(TallyState(id=1, batch=1))
        db.session.flush()
    batch = db.session.scalar(select(TallyState.batch))
    waiting = (
        select(Response.id).where(Response.tally_batch.is_(None)).order_by(Response.id)
    )
    if limit is not None:
        waiting = waiting.limit(limit)
    stamped = db.session.execute(
        update(Response)
        .where(Response.id.in_(waiting.scalar_subquery()))
        .values(tally_batch=batch)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not stamped:
        return 0
    db.session.execute(
        _upsert(ResponseTally, _response_rows(batch), RESPONSE_KEY, ["responses"])
    )
    counts = ["answered", *(f"c{code}" for code in VALUE_CODES)]
    for per_option in (False, True):
        db.session.execute(
            _upsert(AnswerTally, _answer_rows(batch, per_option), ANSWER_KEY, counts)
        )
    return int(stamped)


def waiting(survey: Survey | None = None) -> int:
    """Responses not yet folded in (of one survey, or all)."""
    query = select(func.count()).where(Response.tally_batch.is_(None))
    if survey is not None:
        query = query.where(Response.survey_id == survey.id)
    return db.session.scalar(query) or 0


def fold_all(progress: Callable[[int], None] | None = None) -> int:
    """Fold every waiting response in, committing after each batch."""
    total = 0
    while folded := fold():
        db.session.commit()
        total += folded
        if progress:
            progress(folded)
    db.session.commit()
    return total


def fold_if_behind(survey: Survey) -> None:
    """Called by the results pages: fold when many responses are waiting.

    The figures are exact either way; this only keeps the straight-counted
    part small. A database that cannot be written to (read-only, busy) is no
    reason to refuse a results page, so a failure is logged and rolled back.
    """
    if waiting(survey) < FOLD_AFTER:
        return
    try:
        fold()
        db.session.commit()
    except SQLAlchemyError:
        db.session.rollback()
        log.warning("tallies: fold failed; results counted from the rows")


def clear() -> None:
    """Forget the tallies: every response is waiting again (``rebuild``)."""
    db.session.execute(delete(ResponseTally))
    db.session.execute(delete(AnswerTally))
    db.session.execute(
        update(Response)
        .where(Response.tally_batch.is_not(None))
        .values(tally_batch=None)
        .execution_options(synchronize_session=False)
    )


def _straight(function: Callable[..., Any], *args: Any) -> Any:
    """``function`` counted from the rows alone, as before the tallies."""
    saved = results.USE_TALLIES
    results.USE_TALLIES = False
    try:
        return function(*args)
    finally:
        results.USE_TALLIES = saved


CHECKED_FILTERS = (
    results.ResultFilter(),
    results.ResultFilter(include_flagged=True),
    results.ResultFilter(channel="invited"),
    results.ResultFilter(channel="optin", group="business"),
    results.ResultFilter(version=1),
)


def comparisons(survey: Survey, scope: Any = None) -> list[tuple[str, Any, Any]]:
    """(what, from the tallies, straight) for every count a results page reads."""
    dimensions = sorted(
        d
        for d in db.session.scalars(
            select(Question.dimension)
            .distinct()
            .where(
                Question.version_id.in_([v.id for v in survey.versions]),
                Question.dimension.is_not(None),
            )
        )
        if d
    )
    counts: list[tuple[str, Callable[..., Any], tuple[Any, ...]]] = [
        ("responses_by_unit", results.responses_by_unit, ()),
        ("hard_flagged_by_unit", results.hard_flagged_by_unit, ()),
        ("dimension_counts_by_unit", results.dimension_counts_by_unit, (dimensions,)),
        ("dimension_counts", results.dimension_counts, (OVERALL,)),
        ("factor_patterns", results.factor_patterns, (SATISFACTION_FACTORS,)),
        ("responses_by_month", results.responses_by_month, ()),
        ("dimension_counts_by_month", results.dimension_counts_by_month, (OVERALL,)),
        ("scale_counts", results.scale_counts, ()),
        ("option_counts", results.option_counts, ()),
        ("respondents_by_question", results.respondents_by_question, ()),
    ]
    compared = []
    for flt in CHECKED_FILTERS:
        for name, function, extra in counts:
            arguments = (survey, scope, flt, *extra)
            compared.append(
                (
                    f"{survey.slug} {name} {flt.to_args()}",
                    _plain(function(*arguments)),
                    _plain(_straight(function, *arguments)),
                )
            )
    return compared


def _plain(value: Any) -> Any:
    """Nested dicts and Counters as plain dicts, without zero counts."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if v != 0}
    return value


def check() -> list[str]:
    """Every count of every survey that differs between tallies and rows."""
    return [
        f"{what}: tallies {tallied!r} != rows {straight!r}"
        for survey in db.session.scalars(select(Survey).order_by(Survey.id))
        for what, tallied, straight in comparisons(survey)
        if tallied != straight
    ]
