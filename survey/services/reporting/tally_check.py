"""The proof that the tallies equal the straight counts (``flask tallies check``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from survey.domain.questions import OVERALL, SATISFACTION_FACTORS
from survey.extensions import db
from survey.models import Question, Survey
from survey.services.reporting import (
    counting,
    question_counts,
    result_filter,
    scope_counts,
    trend_counts,
    unit_counts,
)
from survey.services.reporting.count_source import RAW, TALLIES, CountSource

CHECKED_FILTERS = (
    result_filter.ResultFilter(),
    result_filter.ResultFilter(include_flagged=True),
    result_filter.ResultFilter(channel="invited"),
    result_filter.ResultFilter(channel="optin", group="business"),
    result_filter.ResultFilter(version=1),
    # the monthly rows (no dates: the rows summed over all months)
    result_filter.ResultFilter(date_to=date(2100, 12, 31)),
)


def checked_filters(today: date) -> tuple[Any, ...]:
    """``CHECKED_FILTERS`` and dates that cut months, around ``today``: the
    day rows before and after whole months, and days within one month."""
    return (
        *CHECKED_FILTERS,
        result_filter.ResultFilter(
            date_from=today - timedelta(days=100), date_to=today - timedelta(days=9)
        ),
        result_filter.ResultFilter(date_from=today - timedelta(days=20), date_to=today),
        result_filter.ResultFilter(
            date_from=today - timedelta(days=45), channel="invited"
        ),
    )


def comparisons(
    survey: Survey, scope: Any = None, filters: Iterable[Any] | None = None
) -> list[tuple[str, Any, Any]]:
    """(what, from the tallies, straight) for every count a results page reads,
    for each of ``filters`` (default: ``checked_filters`` of today): each
    count read from ``TALLIES`` and from the ``RAW`` rows alone."""
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
    month_rows = _month_rows(counting.response_counts)
    month_code_rows = _month_rows(
        counting.scale_code_counts, *counting.likert_of([OVERALL])
    )
    counts: list[tuple[str, Callable[..., Any], tuple[Any, ...]]] = [
        ("responses_by_unit", unit_counts.responses_by_unit, ()),
        ("hard_flagged_by_unit", unit_counts.hard_flagged_by_unit, ()),
        (
            "dimension_counts_by_unit",
            unit_counts.dimension_counts_by_unit,
            (dimensions,),
        ),
        ("dimension_counts", scope_counts.dimension_counts, (OVERALL,)),
        ("factor_patterns", scope_counts.factor_patterns, (SATISFACTION_FACTORS,)),
        ("responses_by_month", trend_counts.responses_by_month, ()),
        (
            "dimension_counts_by_month",
            trend_counts.dimension_counts_by_month,
            (OVERALL,),
        ),
        ("scale_counts", question_counts.scale_counts, ()),
        ("option_counts", question_counts.option_counts, ()),
        ("respondents_by_question", question_counts.respondents_by_question, ()),
        # the exact counts with their record keys' sums, behind the above
        ("unit_rows", unit_counts.unit_rows, ()),
        ("flagged_rows", unit_counts.flagged_rows, ()),
        ("dimension_rows", unit_counts.dimension_rows, (dimensions,)),
        ("factor_rows", scope_counts.factor_rows, (SATISFACTION_FACTORS,)),
        ("month_rows", month_rows, ()),
        ("month_code_rows", month_code_rows, ()),
        ("week_rows", month_rows, ("week",)),
        ("week_code_rows", month_code_rows, ("week",)),
        ("scale_rows", question_counts.scale_rows, ()),
        ("option_rows", question_counts.option_rows, ()),
        ("respondent_rows", question_counts.respondent_rows, ()),
    ]
    compared = []
    for flt in checked_filters(date.today()) if filters is None else filters:
        for name, function, extra in counts:
            arguments = (survey, scope, flt, *extra)
            compared.append(
                (
                    f"{survey.slug} {name} {flt.to_args()}",
                    _plain(function(*arguments)),
                    _plain(function(*arguments, source=RAW)),
                )
            )
    return compared


def _month_rows(count: Callable[..., list[Any]], *where: Any) -> Callable[..., Any]:
    """The exact rows behind a trend count, sorted: ``count`` per month, or
    per week given ``"week"``."""

    def rows(
        survey: Survey,
        scope: Any,
        flt: Any,
        period: str = "month",
        *,
        source: CountSource = TALLIES,
    ) -> list[tuple[Any, ...]]:
        cut = (survey, scope, flt)
        counted = trend_counts.count_by_month(count, cut, period, *where, source=source)
        return sorted(tuple(row) for row in counted)

    return rows


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
