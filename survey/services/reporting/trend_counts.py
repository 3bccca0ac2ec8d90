"""Counts per local month or week, for the trend chart."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from survey.domain.questions import LIKERT5
from survey.models import Survey, Unit
from survey.services.reporting.count_source import TALLIES, CountSource
from survey.services.reporting.counting import (
    keyed_codes,
    likert_of,
    response_counts,
    scale_code_counts,
)
from survey.services.reporting.local_time import LOCAL_OFFSET, month_of
from survey.services.reporting.publishing import (
    VALID_CODES,
    publish_codes,
    publish_count,
)
from survey.services.reporting.result_filter import ResultFilter


def responses_by_month(
    survey: Survey,
    scope: Unit | None,
    flt: ResultFilter,
    period: str = "month",
    *,
    source: CountSource = TALLIES,
) -> dict[str, int]:
    """Published responses per local month 'YYYY-MM' (or week: its Monday
    'YYYY-MM-DD')."""
    rows = count_by_month(response_counts, (survey, scope, flt), period, source=source)
    return {
        month: publish_count(int(n), int(k or 0), "responses", None)
        for month, n, k in sorted(rows)
    }


def dimension_counts_by_month(
    survey: Survey,
    scope: Unit | None,
    flt: ResultFilter,
    dimension: str,
    period: str = "month",
    *,
    source: CountSource = TALLIES,
) -> dict[str, Counter[int]]:
    """Published five-point answers of one dimension per local month (or
    week) and code."""
    likert = likert_of([dimension])
    rows = count_by_month(
        scale_code_counts, (survey, scope, flt), period, *likert, source=source
    )
    published = {}
    for month, *codes in rows:
        counts, key = keyed_codes(codes)
        published[month] = publish_codes(
            counts, key, VALID_CODES[LIKERT5], survey.min_n
        )
    return published


def count_by_month(
    count: Callable[..., list[Any]],
    cut: tuple[Survey, Unit | None, ResultFilter],
    period: str,
    *where: Any,
    source: CountSource = TALLIES,
) -> list[Any]:
    """The exact rows of ``count`` (``response_counts`` or
    ``scale_code_counts``) for the survey, scope and filter ``cut``, per
    local month or week (its first column), in no order; the tallies' monthly
    rows are read (the day rows for weeks)."""
    return count(
        *cut,
        lambda t: [month_of(t, period)],
        *where,
        period=period,
        by_month=True,
        source=source,
    )


def version_months(survey: Survey, period: str = "month") -> dict[int, str]:
    """Local month 'YYYY-MM' (or week's Monday) in which each version was published."""
    keys: dict[int, str] = {}
    for v in survey.versions:
        if v.published_at is None:
            continue
        local = (v.published_at + LOCAL_OFFSET).date()
        if period == "week":
            keys[v.number] = (local - timedelta(days=local.weekday())).isoformat()
        else:
            keys[v.number] = local.strftime("%Y-%m")
    return keys
