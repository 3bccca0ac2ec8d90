"""Plotly figures built on the server from report dataclasses: the house style
(palette, layout, locale marks), the safe JSON and the factor bars.

The other figures live beside this module, one per subject: ``trend``,
``funnel``, ``caterpillar``, ``question_charts`` and ``history_chart``.

Only figures that may be shown are drawn: suppressed values are left out of
every trace and hover text. Each figure goes to the page as JSON in a
``<script type="application/json">`` block that ``static/js/charts.js`` plots.

Figures are plain dicts in Plotly's figure schema (``{"data": [...],
"layout": {...}}``), not ``plotly.graph_objects``: validating every property
through graph_objects cost more per results page than the SQL (issue 7).
``tests/results/test_charts_json.py`` holds them to what graph_objects made.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from flask_babel import get_locale
from flask_babel import gettext as _
from markupsafe import Markup

from survey.services.reporting.share_figures import ShareFigure

Figure = dict[str, Any]  # {"data": [trace, ...], "layout": {...}}

# Okabe-Ito, safe for the common colour-vision deficiencies.
BLUE, ORANGE, GREEN, SKY, VERMILION, GREY = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#56B4E9",
    "#D55E00",
    "#999999",
)
# Graphics need 3:1 against white (WCAG 1.4.11): sky blue (2.3:1) darkened.
SKY_DARK, GREY_DARK = "#3C8DC4", "#8A8A8A"
# Five-point scale, diverging orange-purple (ColorBrewer PuOr, colour-blind safe).
LIKERT_COLOURS = ("#b35806", "#f1a340", "#d9d9d9", "#998ec3", "#542788")
FONT = "system-ui, -apple-system, Segoe UI, Roboto, Arial, sans-serif"


def _separators() -> str:
    locale = get_locale()
    if locale is None:
        return ".,"
    symbols = locale.number_symbols.get("latn", {})
    return symbols.get("decimal", ".") + symbols.get("group", ",")


def chart_layout(**extra: Any) -> dict[str, Any]:
    layout: dict[str, Any] = {
        # Plotly's "none" template as plotly.py writes it: no theme at all.
        "template": {"data": {"scatter": [{"type": "scatter"}]}},
        "font": {"family": FONT, "size": 13, "color": "#1b1b1b"},
        "margin": {"l": 48, "r": 16, "t": 16, "b": 48},
        "paper_bgcolor": "#fff",
        "plot_bgcolor": "#fff",
        "legend": {"orientation": "h", "y": -0.2},
        "hoverlabel": {"font": {"family": FONT}},
        # Plotly's decimal and thousands marks in the page's locale (62,4; 4.872)
        "separators": _separators(),
    }
    layout.update(extra)
    return layout


def chart_json(figure: Figure) -> Markup:
    """The figure as JSON that is safe inside a ``<script>`` element."""
    raw = json.dumps(figure, separators=(",", ":"))
    if "NaN" in raw or "Infinity" in raw:
        # Not JSON: null instead, as plotly's encoder wrote (text may say "NaN").
        strict = json.loads(raw, parse_constant=lambda _constant: None)
        raw = json.dumps(strict, separators=(",", ":"))
    # As plotly.py escaped it, and "&" too: no "</script>" or "<!--" inside.
    safe = (
        raw.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("/", "\\u002f")
        .replace("&", "\\u0026")
    )
    return Markup(safe)  # noqa: S704 - escaped above for the script context


_TAG = re.compile(r"<[^<>]*>")


def plain_label(text: str) -> str:
    """A label Plotly cannot read as markup: tags stripped, brackets replaced.

    Plotly renders pseudo-HTML in text (<a href>, <b>, <br>, <span style>);
    labels come from survey designers and XLSForm files, so none is trusted.
    """
    stripped = _TAG.sub("", text)
    return stripped.replace("<", "\u2039").replace(">", "\u203a").strip()


def pct(value: float | None) -> float | None:
    return None if value is None else round(100 * value, 1)


def is_shown(figure: ShareFigure) -> bool:
    return figure.display.kind == "value"


def index_bars(labels: Sequence[str], figures: Sequence[ShareFigure]) -> Figure:
    """Horizontal bars of shares with their 95 % intervals (suppressed left out)."""
    xs, ys, minus, plus = [], [], [], []
    for label, figure in zip(labels, figures, strict=True):
        if not is_shown(figure) or figure.prop.estimate is None:
            continue
        p = figure.prop
        xs.append(pct(p.estimate))
        ys.append(plain_label(label))
        minus.append(round(100 * (p.estimate - (p.low or 0)), 1))
        plus.append(round(100 * ((p.high or 0) - p.estimate), 1))
    trace = {
        "type": "bar",
        "x": xs,
        "y": ys,
        "orientation": "h",
        "marker": {"color": BLUE},
        "error_x": {
            "type": "data",
            "array": plus,
            "arrayminus": minus,
            "color": "#333",
        },
        "hovertemplate": "%{y}: %{x:.1f} %<extra></extra>",
    }
    layout = chart_layout(
        xaxis={"range": [0, 100], "title": {"text": _("Satisfied (%)")}},
        yaxis={"autorange": "reversed", "automargin": True},
        height=60 + 40 * max(1, len(ys)),
    )
    return {"data": [trace], "layout": layout}


def error_bars(figures: Sequence[ShareFigure]) -> dict[str, Any]:
    """95 % intervals as asymmetric error bars (none where nothing is shown)."""
    plus, minus = [], []
    for f in figures:
        p = f.prop
        ok = is_shown(f) and p.estimate is not None and p.low is not None
        plus.append(pct((p.high or 0) - (p.estimate or 0)) if ok else None)
        minus.append(pct((p.estimate or 0) - (p.low or 0)) if ok else None)
    return {
        "type": "data",
        "symmetric": False,
        "array": plus,
        "arrayminus": minus,
        "color": BLUE,
        "thickness": 1.5,
        "width": 3,
    }
