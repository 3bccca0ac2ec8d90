"""One page of masked comments of a text question."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select

from survey.extensions import db
from survey.models import Question, Survey, Unit
from survey.services.reporting import comment_blocks, text_comments
from survey.services.reporting.result_filter import ResultFilter

_PROBE = re.compile(r"[\d@]")


@dataclass(frozen=True)
class CommentPage:
    question: Question
    total: int
    shown: bool  # at least min_n comments in the slice
    search: str
    search_refused: bool  # digits or "@" could probe masked data
    matches: int
    page: int
    pages: int
    items: tuple[tuple[str, Unit | None, str], ...]  # masked text, unit, month
    # The whole months the comments are taken from, when the filter's dates
    # were widened to them (``comment_blocks``); None when not widened.
    months: ResultFilter | None = None


def comment_page(
    survey: Survey,
    scope: Unit,
    flt: ResultFilter,
    question: Question,
    search: str,
    page: int,
) -> CommentPage:
    """One page of masked comments, only where the slice has at least min_n."""
    search = search.strip()[:100]
    refused = bool(_PROBE.search(search))
    usable_search = "" if refused else search
    total, matches, rows = text_comments.comments(
        survey, scope, flt, question.code, usable_search, page
    )
    shown = total >= survey.min_n
    pages = max(1, -(-matches // text_comments.COMMENTS_PER_PAGE))
    months = comment_blocks.whole_months(flt) if comment_blocks.widened(flt) else None
    if not shown:
        return CommentPage(question, total, False, search, refused, 0, 1, 1, (), months)
    unit_ids = {c.unit_id for c in rows}
    units = {
        u.id: u for u in db.session.scalars(select(Unit).where(Unit.id.in_(unit_ids)))
    }
    items = tuple(
        (c.text, units.get(c.unit_id), c.month)
        for c in rows  # masked when stored
    )
    return CommentPage(
        question, total, True, search, refused, matches, page, pages, items, months
    )
