"""The Plotly figure of a unit's history across reforms."""

from __future__ import annotations

from flask_babel import gettext as _
from markupsafe import Markup

from survey.results.charts import BLUE, GREY, chart_json, chart_layout, pct
from survey.services.reporting.lineage_results import History, HistoryPoint


def _trace(
    points: list[HistoryPoint], name: str, colour: str, dash: str
) -> dict[str, object]:
    shown = [p for p in points if p.display.kind == "value"]
    return {
        "type": "scatter",
        "mode": "lines+markers",
        "name": name,
        "x": [p.month for p in shown],
        "y": [pct(p.prop.estimate) for p in shown],
        "error_y": {
            "type": "data",
            "symmetric": False,
            "array": [pct((p.prop.high or 0) - (p.prop.estimate or 0)) for p in shown],
            "arrayminus": [
                pct((p.prop.estimate or 0) - (p.prop.low or 0)) for p in shown
            ],
            "color": colour,
        },
        "line": {"color": colour, "dash": dash},
        "marker": {
            "color": colour,
            "symbol": "circle-open" if dash != "solid" else "circle",
        },
        "hovertemplate": "%{x}: %{y:.1f} %<extra></extra>",
    }


def history_figure(history: History) -> Markup:
    before = [p for p in history.points if p.reconstructed]
    after = [p for p in history.points if not p.reconstructed]
    shapes = [
        {
            "type": "line",
            "xref": "x",
            "yref": "paper",
            "x0": month,
            "x1": month,
            "y0": 0,
            "y1": 1,
            "line": {"color": GREY, "dash": "dot", "width": 2},
        }
        for month in history.reform_months
    ]
    annotations = [
        {
            "x": month,
            "y": 1,
            "xref": "x",
            "yref": "paper",
            "text": _("Reform"),
            "showarrow": False,
            "yanchor": "bottom",
        }
        for month in history.reform_months
    ]
    figure = {
        "data": [
            _trace(before, _("Before the reform (from former units)"), GREY, "dash"),
            _trace(after, _("This unit"), BLUE, "solid"),
        ],
        "layout": chart_layout(
            yaxis={"title": {"text": _("Satisfied (%)")}, "range": [0, 100]},
            xaxis={"type": "category"},
            shapes=shapes,
            annotations=annotations,
        ),
    }
    return chart_json(figure)
