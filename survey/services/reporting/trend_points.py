"""The trend chart's points: a figure per local month or week, p-chart signals."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from survey.domain import statistics as st
from survey.domain.questions import OVERALL
from survey.models import Survey, Unit
from survey.models._time import utcnow
from survey.services.reporting import local_time, trend_counts
from survey.services.reporting.result_filter import ResultFilter
from survey.services.reporting.share_figures import ShareFigure, top_two


@dataclass(frozen=True)
class MonthPoint:
    month: str  # 'YYYY-MM', or the week's Monday 'YYYY-MM-DD' with ?trend=week
    responses: int
    index: ShareFigure
    new_version: int | None  # a version first published in this month
    incomplete: bool = False  # the current month (week): still filling up
    # p-chart (3 sigma around the complete periods' mean, runs of 8): "above",
    # "below", "run" or None; never for the running or a hidden period
    signal: str | None = None


def month_points(
    survey: Survey, scope: Unit, flt: ResultFilter, min_n: int
) -> tuple[MonthPoint, ...]:
    period = flt.trend
    per_month = trend_counts.responses_by_month(survey, scope, flt, period)
    overall = trend_counts.dimension_counts_by_month(
        survey, scope, flt, OVERALL, period
    )
    versions = {m: v for v, m in trend_counts.version_months(survey, period).items()}
    current = current_period(period)
    points = tuple(
        MonthPoint(
            month=month,
            responses=count,
            index=top_two(overall.get(month, Counter()), min_n),
            new_version=versions.get(month),
            incomplete=month >= current,
        )
        for month, count in sorted(per_month.items())
    )
    return with_signals(points)


def with_signals(points: tuple[MonthPoint, ...]) -> tuple[MonthPoint, ...]:
    """Mark p-chart signals on the complete periods whose figure is shown."""
    charted = [
        i
        for i, m in enumerate(points)
        if not m.incomplete and m.index.display.kind == "value"
    ]
    x = sum(points[i].index.prop.successes for i in charted)
    n = sum(points[i].index.prop.n for i in charted)
    if len(charted) < 2 or not n > 0:
        return points
    signals = st.p_chart_signals(
        [(points[i].index.prop.successes, points[i].index.prop.n) for i in charted],
        x / n,
    )
    marked = list(points)
    for i, signal in zip(charted, signals, strict=True):
        kind = signal.outside or ("run" if signal.in_run else None)
        if kind:
            marked[i] = replace(points[i], signal=kind)
    return tuple(marked)


def current_period(period: str = "month", now: datetime | None = None) -> str:
    """The local month 'YYYY-MM' (or week's Monday 'YYYY-MM-DD') still running."""
    local = (now or utcnow()) + local_time.LOCAL_OFFSET
    if period == "week":
        return (local.date() - timedelta(days=local.weekday())).isoformat()
    return local.strftime("%Y-%m")
