"""The comments of text questions: counted and listed from the released blocks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select

from survey.extensions import db
from survey.models import Answer, Question, Response, Survey, Unit
from survey.services.reporting import comment_blocks
from survey.services.reporting.counting import answers
from survey.services.reporting.local_time import local_month
from survey.services.reporting.publishing import publish_count
from survey.services.reporting.question_counts import TEXT_QUESTION_TYPES
from survey.services.reporting.result_filter import ResultFilter, in_subtree

COMMENTS_PER_PAGE = 20


@dataclass(frozen=True)
class Comment:
    text: str
    unit_id: int
    month: str


def comment_query(
    survey: Survey, scope: Unit | None, flt: ResultFilter, question_code: str
) -> Select[Any]:
    """Comments of the slice's released blocks (``comment_blocks``): the
    dates widened to whole months, blocks of fewer than min n left out.
    The display copy, masked when stored: the raw text never leaves here."""
    wide = comment_blocks.whole_months(flt)
    query = answers(survey, scope, wide, Answer.text_masked, Response.unit_id)
    released = comment_blocks.in_released_block(
        [*wide.conditions(survey), *in_subtree(scope)],
        survey.min_n,
        local_month(Response.submitted_at),
    )
    return query.where(
        Question.code == question_code,
        Question.type.in_(TEXT_QUESTION_TYPES),
        func.coalesce(func.trim(Answer.value_text), "") != "",
        released,
    )


def comment_total(
    survey: Survey, scope: Unit | None, flt: ResultFilter, question_code: str
) -> int:
    """The published number of comments in the slice's released blocks: the
    questions page's link and the comments page give the same figure."""
    base = comment_query(survey, scope, flt, question_code)
    return _comment_count(survey, base, "comments", survey.min_n)


def comments(
    survey: Survey,
    scope: Unit | None,
    flt: ResultFilter,
    question_code: str,
    search: str = "",
    page: int = 1,
    per_page: int = COMMENTS_PER_PAGE,
) -> tuple[int, int, list[Comment]]:
    """(comments in the slice's released blocks, matches of ``search``, one
    page of matches); nothing of an unreleased block, not even by search.

    Both counts are published (the cell-key noise; the total kept on its
    side of the minimum n, which decides whether the comments are shown).
    """
    base = comment_query(survey, scope, flt, question_code)
    total = comment_total(survey, scope, flt, question_code)
    month = local_month(Response.submitted_at)
    ordered = base.add_columns(month).order_by(
        Response.submitted_at.desc(), Answer.id.desc()
    )
    offset = max(0, page - 1) * per_page
    if search:
        # The search runs over the stored masked copy, never over what was
        # masked (else a hit on "nguyenvanan" confirms an address). SQL
        # narrows the candidates where it can: its LIKE folds the case of
        # ASCII letters only (SQLite, PostgreSQL under the C locale), so a
        # search with "Ấ" in it is decided by Python alone, which folds all.
        candidates = ordered.add_columns(Response.record_key)
        if search.isascii():
            pattern = "%" + search.replace("\\", "\\\\").replace("%", "\\%") + "%"
            candidates = candidates.where(
                Answer.text_masked.ilike(pattern.replace("_", "\\_"), escape="\\")
            )
        folded = search.casefold()
        found = [
            (Comment(text, unit_id, key), record_key or 0)
            for text, unit_id, key, record_key in db.session.execute(candidates)
            if folded in (text or "").casefold()
        ]
        matches = publish_count(len(found), sum(k for _, k in found), "matches", None)
        return total, matches, [c for c, _ in found[offset : offset + per_page]]
    rows = db.session.execute(ordered.limit(per_page).offset(offset)).all()
    return (
        total,
        total,
        [Comment(text, unit_id, key) for text, unit_id, key in rows],
    )


def _comment_count(
    survey: Survey, query: Select[Any], measure: str, min_n: int | None
) -> int:
    keyed = query.add_columns(Response.record_key.label("record_key")).subquery()
    count, key = db.session.execute(
        select(func.count(), func.sum(keyed.c.record_key))
    ).one()
    return publish_count(int(count or 0), int(key or 0), measure, min_n)
