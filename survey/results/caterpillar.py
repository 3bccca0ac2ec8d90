"""The caterpillar chart: the units' shrunk estimates (M6) with their intervals.

One horizontal line per unit, sorted from the highest estimate (top) to the
lowest, with the city's share as a vertical line: the order a leader may read
without over-reading noise (issue 17). It is drawn only when a view has many
units (``MANY_UNITS``); the units table above it gives every number, so the
table is the chart's text alternative.

The real city has 168 units: the chart grows in height with the units, the
intervals are horizontal and long names are shortened on the axis (the hover
and the table hold them whole), so that it reads at 360 px.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_babel import format_decimal
from flask_babel import gettext as _

from survey.domain import statistics as st
from survey.results.charts import (
    BLUE,
    GREEN,
    VERMILION,
    Figure,
    chart_layout,
    pct,
    plain_label,
)
from survey.services.reporting.unit_rows import UnitRow

MANY_UNITS = 8  # fewer units read well enough in the table and the funnel
LABEL_CHARS = 24  # a longer name is shortened on the axis, whole in the hover
ROW_PX = 18  # height per unit
BANDS = (
    ("below", VERMILION, "triangle-down"),
    ("expected", BLUE, "circle"),
    ("above", GREEN, "triangle-up"),
)


def caterpillar_rows(rows: Sequence[UnitRow]) -> list[UnitRow]:
    """Today's units with a shrunk estimate that may be shown, highest first."""
    shown = [
        r
        for r in rows
        if not r.former
        and not r.protected
        and r.index.shown
        and r.shrunk is not None
        and r.shrunk.estimate is not None
        and r.shrunk.low is not None
        and r.shrunk.high is not None
    ]
    return sorted(shown, key=lambda r: -(r.shrunk.estimate or 0.0))  # type: ignore[union-attr]


def _short(name: str) -> str:
    return name if len(name) <= LABEL_CHARS else name[: LABEL_CHARS - 1] + "…"


def _name(row: UnitRow, lang: str) -> str:
    name = plain_label(row.unit.name(lang))
    if row.is_scope:
        return f"{name} ({_('answers given here')})"
    return name


def caterpillar_chart(rows: Sequence[UnitRow], p0: float | None, lang: str) -> Figure:
    """Shrunk estimates with 95 % intervals, one line per unit, and the city."""
    ordered = caterpillar_rows(rows)
    count = len(ordered)
    # Position count - 1 at the top: the highest estimate first.
    position = {id(r): count - 1 - i for i, r in enumerate(ordered)}
    names = [_name(r, lang) for r in ordered]
    name_of = {id(r): name for r, name in zip(ordered, names, strict=True)}
    labels = {
        "below": _("Below the city"),
        "expected": _("No clear difference"),
        "above": _("Above the city"),
    }
    data: list[dict[str, Any]] = []
    for band, colour, symbol in BANDS:
        members = [r for r in ordered if (r.band or "expected") == band]
        if members:  # Plotly draws no trace for an empty one
            data.append(
                _band_trace(members, labels[band], colour, symbol, position, name_of)
            )
    if p0 is not None and count:
        data.append(_city_line(p0, count))
    return {"data": data, "layout": _caterpillar_layout(names)}


def _band_trace(
    members: Sequence[UnitRow],
    label: str,
    colour: str,
    symbol: str,
    position: dict[int, int],
    name_of: dict[int, str],
) -> dict[str, Any]:
    """The units of one band: estimate, interval and hover, each on its line."""
    shrunk = [_shrunk(r) for r in members]
    return {
        "type": "scatter",
        "mode": "markers",
        "name": label,
        "x": [pct(s.estimate) for s in shrunk],
        "y": [position[id(r)] for r in members],
        "marker": {"color": colour, "symbol": symbol, "size": 8},
        "error_x": {
            "type": "data",
            "symmetric": False,
            "array": [
                round(100 * ((s.high or 0) - (s.estimate or 0)), 1) for s in shrunk
            ],
            "arrayminus": [
                round(100 * ((s.estimate or 0) - (s.low or 0)), 1) for s in shrunk
            ],
            "color": colour,
            "thickness": 1.5,
            "width": 0,
        },
        "customdata": [
            [name_of[id(r)], pct(s.low), pct(s.high), pct(r.index.prop.estimate)]
            for r, s in zip(members, shrunk, strict=True)
        ],
        "hovertemplate": "%{customdata[0]}<br>"
        + _("Adjusted for chance")
        + ": %{x:.1f} % (%{customdata[1]:.1f}–%{customdata[2]:.1f})<br>"
        + _("Satisfied")
        + ": %{customdata[3]:.1f} %<extra></extra>",
    }


def _shrunk(row: UnitRow) -> st.Proportion:
    """The row's shrunk estimate (``caterpillar_rows`` kept only rows with one)."""
    assert row.shrunk is not None
    return row.shrunk


def _city_line(p0: float, count: int) -> dict[str, Any]:
    """The city's share as a dashed vertical line across every unit."""
    city = _("City (%(rate)s %%)", rate=format_decimal(round(100 * p0, 1)))
    return {
        "type": "scatter",
        "mode": "lines",
        "name": city,
        "x": [pct(p0), pct(p0)],
        "y": [-0.5, count - 0.5],
        "line": {"color": "#333", "width": 2, "dash": "dash"},
        "hoverinfo": "skip",
    }


def _caterpillar_layout(names: Sequence[str]) -> dict[str, Any]:
    """Axis on top, one short name per line, height growing with the units."""
    count = len(names)
    return chart_layout(
        xaxis={
            "title": {"text": _("Satisfied (%)")},
            "side": "top",
            "mirror": "ticks",
            "ticks": "outside",
            "showline": True,
            "linecolor": "#767676",
            "gridcolor": "#e5e5e5",
        },
        yaxis={
            "tickvals": list(range(count)),
            "ticktext": [_short(names[count - 1 - p]) for p in range(count)],
            "range": [-0.5, count - 0.5],
            "automargin": True,
            "tickfont": {"size": 11},
            "showgrid": False,
            "zeroline": False,
        },
        legend={
            "orientation": "h",
            "yref": "container",
            "y": 1,
            "yanchor": "top",
            "x": 0,
        },
        margin={"l": 8, "r": 12, "t": 130, "b": 16},
        height=150 + ROW_PX * max(1, count),
        hovermode="closest",
    )
