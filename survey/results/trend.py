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
    _error_bars,
    _layout,
    _pct,
    _shown,
)
from survey.services.reporting.reports import MonthPoint


def trend_chart(months: Sequence[MonthPoint], reforms: Sequence[str] = ()) -> Figure:
    """The overall index per month with its 95 % interval (top panel) and the
    responses per month on their own axis (bottom panel); a new version
    ("v2") and a reform of the units (``reforms``: the periods they took
    effect in) marked by a labelled vertical line, as on the history page.

    The current, incomplete month is left out of the line and drawn apart,
    hollow and greyed, so that a few days of answers do not read as a jump.
    """
    x = [m.month for m in months]
    complete = [m for m in months if not m.incomplete]
    index = [_pct(m.index.prop.estimate) if _shown(m.index) else None for m in complete]
    bars = {
        "type": "bar",
        "x": x,
        "y": [m.responses for m in months],
        "name": _("Responses"),
        "marker": {
            "color": [GREY_DARK if m.incomplete else SKY_DARK for m in months],
        },
        "yaxis": "y2",
        "hovertemplate": "%{x}: %{y}<extra></extra>",
    }
    line = {
        "type": "scatter",
        "x": [m.month for m in complete],
        "y": index,
        "name": _("Satisfied (%)"),
        "mode": "lines+markers",
        "line": {"color": BLUE, "width": 3},
        "error_y": _error_bars([m.index for m in complete]),
        "connectgaps": False,
        "hovertemplate": "%{x}: %{y:.1f} %<extra></extra>",
    }
    data: list[dict[str, Any]] = [line]
    running = [m for m in months if m.incomplete]
    if running:
        data.append(
            {
                "type": "scatter",
                "x": [m.month for m in running],
                "y": [
                    _pct(m.index.prop.estimate) if _shown(m.index) else None
                    for m in running
                ],
                "name": _("Current period, incomplete"),
                "mode": "markers",
                "marker": {
                    "color": "white",
                    "size": 9,
                    "line": {"color": GREY_DARK, "width": 2},
                },
                "error_y": {
                    **_error_bars([m.index for m in running]),
                    "color": GREY_DARK,
                },
                "hovertemplate": "%{x}: %{y:.1f} %<extra></extra>",
            }
        )
    signalled = [m for m in complete if m.signal and _shown(m.index)]
    if signalled:
        data.append(
            {
                "type": "scatter",
                "x": [m.month for m in signalled],
                "y": [_pct(m.index.prop.estimate) for m in signalled],
                "name": _("Signal: outside the control limits or a run"),
                "mode": "markers",
                "marker": {
                    "symbol": "diamond-open",
                    "size": 16,
                    "color": VERMILION,
                    "line": {"width": 2},
                },
                "hoverinfo": "skip",
            }
        )
    data.append(bars)
    layout = _layout(
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
    shapes = [
        {
            "type": "line",
            "x0": m.month,
            "x1": m.month,
            "yref": "paper",
            "y0": 0,
            "y1": 1,
            "line": {"color": VERMILION, "dash": "dot"},
        }
        for m in months
        if _version_change(m)
    ]
    shapes += [_reform_line(period) for period in reforms]
    if shapes:  # graph_objects left an empty list out
        layout["shapes"] = shapes
    labels = _period_labels(months, reforms)
    if labels:
        layout["annotations"] = labels
        layout["margin"]["t"] = 28  # room for the labels above the plot
    return {"data": data, "layout": layout}


def _version_change(m: MonthPoint) -> bool:
    """A later version published in this period (the first one breaks nothing)."""
    return m.new_version is not None and m.new_version > 1


def _reform_line(period: str) -> dict[str, Any]:
    return {
        "type": "line",
        "x0": period,
        "x1": period,
        "yref": "paper",
        "y0": 0,
        "y1": 1,
        "line": {"color": GREY_DARK, "dash": "dash", "width": 2},
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
