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
    _layout,
    _pct,
    _shown,
    plain_label,
)
from survey.services.reporting.reports import FunnelLine, UnitRow


def funnel_chart(
    rows: Sequence[UnitRow], lines: Sequence[FunnelLine], p0: float, lang: str
) -> Figure:
    """Units' index against n, with the 95 % and 99.8 % limits around p0."""
    data: list[dict[str, Any]] = []
    n = [line.n for line in lines]
    for name, low, high, dash in (
        (_("%(level)s %% limits", level="95"), "low95", "high95", "dash"),
        (
            _("%(level)s %% limits", level=format_decimal(99.8)),
            "low998",
            "high998",
            "dot",
        ),
    ):
        for key, show in ((low, True), (high, False)):
            data.append(
                {
                    "type": "scatter",
                    "x": n,
                    "y": [_pct(getattr(line, key)) for line in lines],
                    "mode": "lines",
                    "name": name,
                    "legendgroup": name,
                    "showlegend": show,
                    "line": {"color": GREY, "dash": dash},
                    "hoverinfo": "skip",
                }
            )
    data.append(
        {
            "type": "scatter",
            "x": [n[0], n[-1]] if n else [],
            "y": [_pct(p0), _pct(p0)],
            "mode": "lines",
            "name": _("City"),
            "line": {"color": "#333"},
            "hoverinfo": "skip",
        }
    )
    # A unit under review is compared with nothing: drawn apart, unclassified.
    shown = [r for r in rows if _shown(r.index) and not r.under_review]
    reviewed = [r for r in rows if _shown(r.index) and r.under_review]
    symbols = {"above": "triangle-up", "below": "triangle-down", "expected": "circle"}
    colours = {"above": GREEN, "below": VERMILION, "expected": BLUE}
    data.append(
        {
            "type": "scatter",
            "x": [r.index.prop.n for r in shown],
            "y": [_pct(r.index.prop.estimate) for r in shown],
            "mode": "markers",
            "name": _("Units"),
            "text": [plain_label(r.unit.name(lang)) for r in shown],
            "marker": {
                "size": 11,
                "symbol": [symbols[r.band or "expected"] for r in shown],
                "color": [colours[r.band or "expected"] for r in shown],
                "line": {"color": "#fff", "width": 1},
            },
            "hovertemplate": "%{text}: %{y:.1f} % (n = %{x})<extra></extra>",
        }
    )
    if reviewed:
        label = _("Under review (not compared)")
        data.append(
            {
                "type": "scatter",
                "x": [r.index.prop.n for r in reviewed],
                "y": [_pct(r.index.prop.estimate) for r in reviewed],
                "mode": "markers",
                "name": label,
                "text": [plain_label(r.unit.name(lang)) for r in reviewed],
                "marker": {
                    "size": 11,
                    "symbol": "x-open",
                    "color": GREY,
                    "line": {"color": GREY, "width": 2},
                },
                "hovertemplate": "%{text}: %{y:.1f} % (n = %{x}), "
                + label
                + "<extra></extra>",
            }
        )
    layout = _layout(
        xaxis={"title": {"text": _("Answers (n)")}, "rangemode": "tozero"},
        yaxis={"title": {"text": _("Satisfied (%)")}, "range": [0, 100]},
        height=380,
    )
    return {"data": data, "layout": layout}
