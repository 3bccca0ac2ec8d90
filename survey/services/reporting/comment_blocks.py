"""Comments are released by fixed blocks of respondents (issue 18).

A comment is verbatim: no noise can protect it, so what two comment views
show must never differ by fewer than min n respondents. The comments are
therefore cut into fixed *blocks*: unit x local calendar month x channel
group (invited or opt-in) x respondent group x survey version x hard-flagged.
Every filter a user can choose (the unit subtree, channel, group, version,
flagged, and the dates *widened to whole months*) selects whole blocks, and
a block's comments are shown only when the block has at least the survey's
minimum n respondents (every response in it, with a comment or not). So the
comments of a view are those of its released blocks, and two views always
differ by whole released blocks of at least min n respondents each. The
search runs inside the released blocks only, so it says nothing about the
others.
"""

from __future__ import annotations

from calendar import monthrange
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, Select, and_, func, select

from survey.models import Response
from survey.models.responses import INVITED_CHANNELS

if TYPE_CHECKING:  # results imports this module
    from survey.services.reporting.result_filter import ResultFilter


def whole_months(flt: ResultFilter) -> ResultFilter:
    """The filter with its dates widened to whole local calendar months."""
    start, end = flt.date_from, flt.date_to
    if start is not None:
        start = start.replace(day=1)
    if end is not None:
        end = end.replace(day=monthrange(end.year, end.month)[1])
    return replace(flt, date_from=start, date_to=end)


def widened(flt: ResultFilter) -> bool:
    """Whether ``whole_months`` changes the filter's dates."""
    return whole_months(flt) != flt


def _block_columns(month: Any) -> list[ColumnElement[Any]]:
    """A response's block, as SQL expressions on ``Response``."""
    return [
        Response.unit_id,
        month,
        Response.channel.in_(sorted(INVITED_CHANNELS)),
        func.coalesce(Response.respondent_group, ""),
        Response.version_id,
        Response.hard_flagged,
    ]


def released_blocks(
    where: list[ColumnElement[bool]], min_n: int, month: Any
) -> Select[Any]:
    """The blocks of the responses ``where`` selects (a widened slice) that
    have at least ``min_n`` respondents."""
    columns = _block_columns(month)
    labelled = [c.label(f"b{i}") for i, c in enumerate(columns)]
    return (
        select(*labelled).where(*where).group_by(*columns).having(func.count() >= min_n)
    )


def in_released_block(
    where: list[ColumnElement[bool]], min_n: int, month: Any
) -> ColumnElement[bool]:
    """A condition on ``Response``: its block is released in this slice."""
    blocks = released_blocks(where, min_n, month).subquery("released")
    columns = _block_columns(month)
    return (
        select(1)
        .select_from(blocks)
        .where(and_(*(blocks.c[f"b{i}"] == c for i, c in enumerate(columns))))
        .exists()
    )
