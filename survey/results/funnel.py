"""The funnel chart: each unit's index against its n, with control limits."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_babel import format_decimal
from flask_babel import gettext as _

from survey.results.charts import (
    BLUE,
    GREEN,
    GREY,
    VERMILION,
    Figure,
    chart_layout,
    is_shown,
    pct,
    plain_label,
)
from survey.services.reporting.funnel import FunnelLine
from survey.services.reporting.unit_rows import UnitRow


def funnel_chart(
    rows: Sequence[UnitRow], lines: Sequence[FunnelLine], p0: float, lang: str
) -> Figure:
    """Units' index against n, with the 95 % and 99.8 % limits around p0."""
    n = [line.n for line in lines]
    data = _limit_lines(lines)
    data.append(_city_line(n, p0))
    # A unit under review is compared with nothing: drawn apart, unclassified.
    shown = [r for r in rows if is_shown(r.index) and not r.under_review]
    reviewed = [r for r in rows if is_shown(r.index) and r.under_review]
    data.append(_unit_points(shown, lang))
    if reviewed:
        data.append(_reviewed_points(reviewed, lang))
    layout = chart_layout(
        xaxis={"title": {"text": _("Answers (n)")}, "rangemode": "tozero"},
        yaxis={"title": {"text": _("Satisfied (%)")}, "range": [0, 100]},
        height=380,
    )
    return {"data": data, "layout": layout}


def _limit_lines(lines: Sequence[FunnelLine]) -> list[dict[str, Any]]:
    """The lower and upper 95 % and 99.8 % limits, one legend entry a level."""
    n = [line.n for line in lines]
    levels = (
        (_("%(level)s %% limits", level="95"), "low95", "high95", "dash"),
        (
            _("%(level)s %% limits", level=format_decimal(99.8)),
            "low998",
            "high998",
            "dot",
        ),
    )
    return [
        {
            "type": "scatter",
            "x": n,
            "y": [pct(getattr(line, key)) for line in lines],
            "mode": "lines",
            "name": name,
            "legendgroup": name,
            "showlegend": show,
            "line": {"color": GREY, "dash": dash},
            "hoverinfo": "skip",
        }
        for name, low, high, dash in levels
        for key, show in ((low, True), (high, False))
    ]


def _city_line(n: Sequence[float], p0: float) -> dict[str, Any]:
    """The city's share across the range of n."""
    return {
        "type": "scatter",
        "x": [n[0], n[-1]] if n else [],
        "y": [pct(p0), pct(p0)],
        "mode": "lines",
        "name": _("City"),
        "line": {"color": "#333"},
        "hoverinfo": "skip",
    }


SYMBOLS = {"above": "triangle-up", "below": "triangle-down", "expected": "circle"}
COLOURS = {"above": GREEN, "below": VERMILION, "expected": BLUE}


def _unit_points(shown: Sequence[UnitRow], lang: str) -> dict[str, Any]:
    """The compared units, shaped and coloured by their band."""
    return {
        "type": "scatter",
        "x": [r.index.prop.n for r in shown],
        "y": [pct(r.index.prop.estimate) for r in shown],
        "mode": "markers",
        "name": _("Units"),
        "text": [plain_label(r.unit.name(lang)) for r in shown],
        "marker": {
            "size": 11,
            "symbol": [SYMBOLS[r.band or "expected"] for r in shown],
            "color": [COLOURS[r.band or "expected"] for r in shown],
            "line": {"color": "#fff", "width": 1},
        },
        "hovertemplate": "%{text}: %{y:.1f} % (n = %{x})<extra></extra>",
    }


def _reviewed_points(reviewed: Sequence[UnitRow], lang: str) -> dict[str, Any]:
    """The units under review: grey crosses, compared with nothing."""
    label = _("Under review (not compared)")
    return {
        "type": "scatter",
        "x": [r.index.prop.n for r in reviewed],
        "y": [pct(r.index.prop.estimate) for r in reviewed],
        "mode": "markers",
        "name": label,
        "text": [plain_label(r.unit.name(lang)) for r in reviewed],
        "marker": {
            "size": 11,
            "symbol": "x-open",
            "color": GREY,
            "line": {"color": GREY, "width": 2},
        },
        "hovertemplate": "%{text}: %{y:.1f} % (n = %{x}), " + label + "<extra></extra>",
    }
