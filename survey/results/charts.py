"""Plotly figures built on the server from report dataclasses.

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

from flask_babel import format_decimal, get_locale
from flask_babel import gettext as _
from markupsafe import Markup

from survey.domain import statistics as st
from survey.services.reporting.funnel import FunnelLine
from survey.services.reporting.question_results import QuestionResult
from survey.services.reporting.share_figures import ShareFigure
from survey.services.reporting.trend_points import MonthPoint
from survey.services.reporting.unit_rows import UnitRow

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


def _layout(**extra: Any) -> dict[str, Any]:
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


def _pct(value: float | None) -> float | None:
    return None if value is None else round(100 * value, 1)


def _shown(figure: ShareFigure) -> bool:
    return figure.display.kind == "value"


def index_bars(labels: Sequence[str], figures: Sequence[ShareFigure]) -> Figure:
    """Horizontal bars of shares with their 95 % intervals (suppressed left out)."""
    xs, ys, minus, plus = [], [], [], []
    for label, figure in zip(labels, figures, strict=True):
        if not _shown(figure) or figure.prop.estimate is None:
            continue
        p = figure.prop
        xs.append(_pct(p.estimate))
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
    layout = _layout(
        xaxis={"range": [0, 100], "title": {"text": _("Satisfied (%)")}},
        yaxis={"autorange": "reversed", "automargin": True},
        height=60 + 40 * max(1, len(ys)),
    )
    return {"data": [trace], "layout": layout}


def _error_bars(figures: Sequence[ShareFigure]) -> dict[str, Any]:
    """95 % intervals as asymmetric error bars (none where nothing is shown)."""
    plus, minus = [], []
    for f in figures:
        p = f.prop
        ok = _shown(f) and p.estimate is not None and p.low is not None
        plus.append(_pct((p.high or 0) - (p.estimate or 0)) if ok else None)
        minus.append(_pct((p.estimate or 0) - (p.low or 0)) if ok else None)
    return {
        "type": "data",
        "symmetric": False,
        "array": plus,
        "arrayminus": minus,
        "color": BLUE,
        "thickness": 1.5,
        "width": 3,
    }


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


def _scale_labels(result: QuestionResult, lang: str) -> tuple[str, ...]:
    """The five labels of an item's own scale (codes 1..5), markup stripped."""
    own = {o.code: plain_label(o.label(lang)) for o in result.question.options}
    return tuple(own.get(str(code)) or str(code) for code in st.LIKERT_CODES)


def likert_chart(results: Sequence[QuestionResult], lang: str) -> Figure:
    """Diverging stacked bars: 1-2 left of zero, 3 split across it, 4-5 right."""
    shown = [r for r in results if r.shown and r.likert and r.likert.shares]
    labels = [f"{r.question.code}" for r in shown]
    texts = [plain_label(r.question.text(lang)) for r in shown]
    # Each item's own option labels: an agreement or frequency item is never
    # called "satisfied". The legend names them when every item shares one
    # scale, and says "1 (lowest)" .. "5 (highest)" when scales differ.
    scales = [_scale_labels(r, lang) for r in shown]
    if scales and all(scale == scales[0] for scale in scales):
        names = scales[0]
    else:
        names = (
            _("1 (lowest)"),
            "2",
            "3",
            "4",
            _("5 (highest)"),
        )

    def share(r: QuestionResult, code: int) -> float:
        assert r.likert is not None
        return 100 * (r.likert.share_of(code) or 0.0)

    # Left of zero, drawn outwards: half of 3, then 2, then 1; then 3, 4, 5 right.
    # 3 has one legend entry, from its right half.
    data = []
    for code, part, sign in (
        (3, 0.5, -1),
        (2, 1.0, -1),
        (1, 1.0, -1),
        (3, 0.5, 1),
        (4, 1.0, 1),
        (5, 1.0, 1),
    ):
        name = names[code - 1]
        trace: dict[str, Any] = {
            "type": "bar",
            "y": labels,
            "x": [sign * round(part * share(r, code), 1) for r in shown],
            "name": name,
            "orientation": "h",
            "marker": {"color": LIKERT_COLOURS[code - 1]},
            "legendgroup": str(code),
            "customdata": [
                [round(share(r, code), 1), t, scale[code - 1]]
                for r, t, scale in zip(shown, texts, scales, strict=True)
            ],
            "hovertemplate": "%{customdata[1]}<br>"
            + "%{customdata[2]}: %{customdata[0]:.1f} %<extra></extra>",
        }
        if sign < 0:
            trace["showlegend"] = code != 3
        data.append(trace)
    layout = _layout(
        barmode="relative",
        xaxis={
            "range": [-100, 100],
            "tickvals": [-100, -50, 0, 50, 100],
            "ticktext": ["100 %", "50 %", "0", "50 %", "100 %"],
            "zeroline": True,
        },
        yaxis={"autorange": "reversed", "automargin": True, "type": "category"},
        height=90 + 28 * max(1, len(shown)),
        legend={"orientation": "h", "y": -0.12, "traceorder": "normal"},
    )
    return {"data": data, "layout": layout}


def choice_chart(result: QuestionResult, lang: str) -> Figure:
    """Bars of each option's share among the question's respondents."""
    assert result.choice is not None
    labels = {o.code: plain_label(o.label(lang)) for o in result.question.options}
    options = result.choice.options
    trace = {
        "type": "bar",
        "x": [_pct(o.share.estimate) for o in options],
        "y": [labels.get(o.option, plain_label(o.option)) for o in options],
        "orientation": "h",
        "marker": {"color": ORANGE},
        "hovertemplate": "%{y}: %{x:.1f} %<extra></extra>",
    }
    layout = _layout(
        xaxis={"range": [0, 100], "title": {"text": _("Share of respondents (%)")}},
        yaxis={"autorange": "reversed", "automargin": True},
        height=70 + 32 * max(1, len(options)),
    )
    return {"data": [trace], "layout": layout}


def nps_chart(result: st.NpsResult) -> Figure:
    """One stacked bar: detractors, passives, promoters."""
    data = [
        {
            "type": "bar",
            "x": [_pct(value)],
            "y": ["NPS"],
            "name": name,
            "orientation": "h",
            "marker": {"color": colour},
            "hovertemplate": name + ": %{x:.1f} %<extra></extra>",
        }
        for name, value, colour in (
            (_("Detractors (0-6)"), result.detractors, VERMILION),
            (_("Passives (7-8)"), result.passives, GREY),
            (_("Promoters (9-10)"), result.promoters, GREEN),
        )
    ]
    layout = _layout(barmode="stack", xaxis={"range": [0, 100]}, height=150)
    return {"data": data, "layout": layout}
