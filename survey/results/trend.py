"""The trend chart of the overview: the index per period and the responses."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_babel import gettext as _

from survey.results.charts import (
    BLUE,
    GREY_DARK,
    SKY_DARK,
    VERMILION,
    Figure,
    chart_layout,
    error_bars,
    is_shown,
    pct,
)
from survey.services.reporting.trend_points import MonthPoint

INDEX_HOVER = "%{x}: %{y:.1f} %<extra></extra>"  # a period's index in percent


def trend_chart(months: Sequence[MonthPoint], reforms: Sequence[str] = ()) -> Figure:
    """The overall index per month with its 95 % interval (top panel) and the
    responses per month on their own axis (bottom panel); a new version
    ("v2") and a reform of the units (``reforms``: the periods they took
    effect in) marked by a labelled vertical line, as on the history page.

    The current, incomplete month is left out of the line and drawn apart,
    hollow and greyed, so that a few days of answers do not read as a jump.
    """
    complete = [m for m in months if not m.incomplete]
    running = [m for m in months if m.incomplete]
    signalled = [m for m in complete if m.signal and is_shown(m.index)]
    data: list[dict[str, Any]] = [_index_line(complete)]
    if running:
        data.append(_running_points(running))
    if signalled:
        data.append(_signal_points(signalled))
    data.append(_response_bars(months))
    layout = _trend_layout()
    _mark_periods(layout, months, reforms)
    return {"data": data, "layout": layout}


def _mark_periods(
    layout: dict[str, Any], months: Sequence[MonthPoint], reforms: Sequence[str]
) -> None:
    """A labelled vertical line at each new version and each reform."""
    shapes = [_version_line(m.month) for m in months if _version_change(m)]
    shapes += [_reform_line(period) for period in reforms]
    if shapes:  # graph_objects left an empty list out
        layout["shapes"] = shapes
    labels = _period_labels(months, reforms)
    if labels:
        layout["annotations"] = labels
        layout["margin"]["t"] = 28  # room for the labels above the plot


def _shown_pct(m: MonthPoint) -> float | None:
    """The period's index in percent, or None where it may not be shown."""
    return pct(m.index.prop.estimate) if is_shown(m.index) else None


def _scatter(
    points: Sequence[MonthPoint],
    y: list[float | None],
    name: str,
    mode: str,
    **extra: Any,
) -> dict[str, Any]:
    """A scatter trace over the periods of ``points``, then ``extra``'s keys."""
    x = [m.month for m in points]
    return {"type": "scatter", "x": x, "y": y, "name": name, "mode": mode, **extra}


def _index_line(complete: Sequence[MonthPoint]) -> dict[str, Any]:
    """The index of the complete periods, a line with its intervals."""
    return _scatter(
        complete,
        [_shown_pct(m) for m in complete],
        _("Satisfied (%)"),
        "lines+markers",
        line={"color": BLUE, "width": 3},
        error_y=error_bars([m.index for m in complete]),
        connectgaps=False,
        hovertemplate=INDEX_HOVER,
    )


def _running_points(running: Sequence[MonthPoint]) -> dict[str, Any]:
    """The current, incomplete period: hollow grey markers, apart from the line."""
    hollow = {"color": "white", "size": 9, "line": {"color": GREY_DARK, "width": 2}}
    return _scatter(
        running,
        [_shown_pct(m) for m in running],
        _("Current period, incomplete"),
        "markers",
        marker=hollow,
        error_y={**error_bars([m.index for m in running]), "color": GREY_DARK},
        hovertemplate=INDEX_HOVER,
    )


def _signal_points(signalled: Sequence[MonthPoint]) -> dict[str, Any]:
    """Open diamonds around the periods a control chart signals."""
    return _scatter(
        signalled,
        [pct(m.index.prop.estimate) for m in signalled],
        _("Signal: outside the control limits or a run"),
        "markers",
        marker={
            "symbol": "diamond-open",
            "size": 16,
            "color": VERMILION,
            "line": {"width": 2},
        },
        hoverinfo="skip",
    )


def _response_bars(months: Sequence[MonthPoint]) -> dict[str, Any]:
    """The responses per period in the bottom panel, the running one greyed."""
    return {
        "type": "bar",
        "x": [m.month for m in months],
        "y": [m.responses for m in months],
        "name": _("Responses"),
        "marker": {
            "color": [GREY_DARK if m.incomplete else SKY_DARK for m in months],
        },
        "yaxis": "y2",
        "hovertemplate": "%{x}: %{y}<extra></extra>",
    }


def _trend_layout() -> dict[str, Any]:
    """Two panels on one period axis: the index above, the responses below."""
    return chart_layout(
        xaxis={"type": "category", "anchor": "y2"},
        yaxis={
            "range": [0, 100],
            "domain": [0.34, 1.0],
            "title": {"text": _("Satisfied (%)")},
        },
        yaxis2={
            "domain": [0.0, 0.24],
            "anchor": "x",
            "showgrid": False,
            "rangemode": "tozero",
            "title": {"text": _("Responses")},
        },
        height=360,
        margin={"l": 56, "r": 16, "t": 16, "b": 64},
    )


def _version_line(period: str) -> dict[str, Any]:
    return _period_line(period, {"color": VERMILION, "dash": "dot"})


def _version_change(m: MonthPoint) -> bool:
    """A later version published in this period (the first one breaks nothing)."""
    return m.new_version is not None and m.new_version > 1


def _reform_line(period: str) -> dict[str, Any]:
    return _period_line(period, {"color": GREY_DARK, "dash": "dash", "width": 2})


def _period_line(period: str, line: dict[str, Any]) -> dict[str, Any]:
    """A vertical line across the plot at ``period``, drawn as ``line``."""
    return {
        "type": "line",
        "x0": period,
        "x1": period,
        "yref": "paper",
        "y0": 0,
        "y1": 1,
        "line": line,
    }


def _period_labels(
    months: Sequence[MonthPoint], reforms: Sequence[str]
) -> list[dict[str, Any]]:
    """One label above each marked period: "v2", "Reform" or both."""
    marks: dict[str, list[str]] = {}
    for m in months:
        if _version_change(m):
            marks.setdefault(m.month, []).append(f"v{m.new_version}")
    for period in reforms:
        marks.setdefault(period, []).append(_("Reform"))
    return [
        {
            "x": period,
            "y": 1,
            "xref": "x",
            "yref": "paper",
            "text": " · ".join(texts),
            "showarrow": False,
            "yanchor": "bottom",
            "font": {"size": 11},
        }
        for period, texts in marks.items()
    ]
