"""Plotly figures built on the server from report dataclasses.

Only figures that may be shown are drawn: suppressed values are left out of
every trace and hover text. Each figure goes to the page as JSON in a
``<script type="application/json">`` block that ``static/js/charts.js`` plots.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import plotly.graph_objects as go
from flask_babel import gettext as _
from markupsafe import Markup

from survey.domain import statistics as st
from survey.services.reports import (
    FunnelLine,
    MonthPoint,
    QuestionResult,
    ShareFigure,
    UnitRow,
)

# Okabe-Ito, safe for the common colour-vision deficiencies.
BLUE, ORANGE, GREEN, SKY, VERMILION, GREY = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#56B4E9",
    "#D55E00",
    "#999999",
)
# Five-point scale, diverging orange-purple (ColorBrewer PuOr, colour-blind safe).
LIKERT_COLOURS = ("#b35806", "#f1a340", "#d9d9d9", "#998ec3", "#542788")
FONT = "system-ui, -apple-system, Segoe UI, Roboto, Arial, sans-serif"


def _layout(**extra: Any) -> dict[str, Any]:
    layout: dict[str, Any] = {
        "template": "none",
        "font": {"family": FONT, "size": 13, "color": "#1b1b1b"},
        "margin": {"l": 48, "r": 16, "t": 16, "b": 48},
        "paper_bgcolor": "#fff",
        "plot_bgcolor": "#fff",
        "legend": {"orientation": "h", "y": -0.2},
        "hoverlabel": {"font": {"family": FONT}},
    }
    layout.update(extra)
    return layout


def chart_json(figure: go.Figure) -> Markup:
    """The figure as JSON that is safe inside a ``<script>`` element."""
    raw = figure.to_json(validate=False)
    safe = raw.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(safe)  # noqa: S704 - escaped above for the script context


def _pct(value: float | None) -> float | None:
    return None if value is None else round(100 * value, 1)


def _shown(figure: ShareFigure) -> bool:
    return figure.display.kind == "value"


def index_bars(labels: Sequence[str], figures: Sequence[ShareFigure]) -> go.Figure:
    """Horizontal bars of shares with their 95 % intervals (suppressed left out)."""
    xs, ys, minus, plus = [], [], [], []
    for label, figure in zip(labels, figures, strict=True):
        if not _shown(figure) or figure.prop.estimate is None:
            continue
        p = figure.prop
        xs.append(_pct(p.estimate))
        ys.append(label)
        minus.append(round(100 * (p.estimate - (p.low or 0)), 1))
        plus.append(round(100 * ((p.high or 0) - p.estimate), 1))
    trace = go.Bar(
        x=xs,
        y=ys,
        orientation="h",
        marker_color=BLUE,
        error_x={"type": "data", "array": plus, "arrayminus": minus, "color": "#333"},
        hovertemplate="%{y}: %{x:.1f} %<extra></extra>",
    )
    figure = go.Figure(trace)
    figure.update_layout(
        _layout(
            xaxis={"range": [0, 100], "title": {"text": _("Satisfied (%)")}},
            yaxis={"autorange": "reversed", "automargin": True},
            height=60 + 40 * max(1, len(ys)),
        )
    )
    return figure


def trend_chart(months: Sequence[MonthPoint]) -> go.Figure:
    """Responses per month (bars) and the overall index (line), versions marked."""
    x = [m.month for m in months]
    index = [_pct(m.index.prop.estimate) if _shown(m.index) else None for m in months]
    figure = go.Figure()
    figure.add_bar(
        x=x,
        y=[m.responses for m in months],
        name=_("Responses"),
        marker_color=SKY,
        yaxis="y2",
        hovertemplate="%{x}: %{y}<extra></extra>",
    )
    figure.add_scatter(
        x=x,
        y=index,
        name=_("Satisfied (%)"),
        mode="lines+markers",
        line={"color": BLUE, "width": 3},
        connectgaps=False,
        hovertemplate="%{x}: %{y:.1f} %<extra></extra>",
    )
    shapes = []
    for m in months:
        if m.new_version is not None:
            shapes.append(
                {
                    "type": "line",
                    "x0": m.month,
                    "x1": m.month,
                    "yref": "paper",
                    "y0": 0,
                    "y1": 1,
                    "line": {"color": VERMILION, "dash": "dot"},
                }
            )
    figure.update_layout(
        _layout(
            xaxis={"type": "category"},
            yaxis={"range": [0, 100], "title": {"text": _("Satisfied (%)")}},
            yaxis2={
                "overlaying": "y",
                "side": "right",
                "showgrid": False,
                "rangemode": "tozero",
                "title": {"text": _("Responses")},
            },
            shapes=shapes,
            height=320,
            margin={"l": 48, "r": 56, "t": 16, "b": 64},
        )
    )
    return figure


def funnel_chart(
    rows: Sequence[UnitRow], lines: Sequence[FunnelLine], p0: float, lang: str
) -> go.Figure:
    """Units' index against n, with the 95 % and 99.8 % limits around p0."""
    figure = go.Figure()
    n = [line.n for line in lines]
    for name, low, high, dash in (
        (_("%(level)s %% limits", level="95"), "low95", "high95", "dash"),
        (_("%(level)s %% limits", level="99.8"), "low998", "high998", "dot"),
    ):
        for key, show in ((low, True), (high, False)):
            figure.add_scatter(
                x=n,
                y=[_pct(getattr(line, key)) for line in lines],
                mode="lines",
                name=name,
                legendgroup=name,
                showlegend=show,
                line={"color": GREY, "dash": dash},
                hoverinfo="skip",
            )
    figure.add_scatter(
        x=[n[0], n[-1]] if n else [],
        y=[_pct(p0), _pct(p0)],
        mode="lines",
        name=_("City"),
        line={"color": "#333"},
        hoverinfo="skip",
    )
    # A unit under review is compared with nothing: drawn apart, unclassified.
    shown = [r for r in rows if _shown(r.index) and not r.under_review]
    reviewed = [r for r in rows if _shown(r.index) and r.under_review]
    symbols = {"above": "triangle-up", "below": "triangle-down", "expected": "circle"}
    colours = {"above": GREEN, "below": VERMILION, "expected": BLUE}
    figure.add_scatter(
        x=[r.index.prop.n for r in shown],
        y=[_pct(r.index.prop.estimate) for r in shown],
        mode="markers",
        name=_("Units"),
        text=[r.unit.name(lang) for r in shown],
        marker={
            "size": 11,
            "symbol": [symbols[r.band or "expected"] for r in shown],
            "color": [colours[r.band or "expected"] for r in shown],
            "line": {"color": "#fff", "width": 1},
        },
        hovertemplate="%{text}: %{y:.1f} % (n = %{x})<extra></extra>",
    )
    if reviewed:
        label = _("Under review (not compared)")
        figure.add_scatter(
            x=[r.index.prop.n for r in reviewed],
            y=[_pct(r.index.prop.estimate) for r in reviewed],
            mode="markers",
            name=label,
            text=[r.unit.name(lang) for r in reviewed],
            marker={
                "size": 11,
                "symbol": "x-open",
                "color": GREY,
                "line": {"color": GREY, "width": 2},
            },
            hovertemplate="%{text}: %{y:.1f} % (n = %{x}), "
            + label
            + "<extra></extra>",
        )
    figure.update_layout(
        _layout(
            xaxis={"title": {"text": _("Answers (n)")}, "rangemode": "tozero"},
            yaxis={"title": {"text": _("Satisfied (%)")}, "range": [0, 100]},
            height=380,
        )
    )
    return figure


def likert_chart(results: Sequence[QuestionResult], lang: str) -> go.Figure:
    """Diverging stacked bars: 1-2 left of zero, 3 split across it, 4-5 right."""
    shown = [r for r in results if r.shown and r.likert and r.likert.shares]
    labels = [f"{r.question.code}" for r in shown]
    texts = [r.question.text(lang) for r in shown]
    names = (
        _("Very dissatisfied"),
        _("Dissatisfied"),
        _("Neutral"),
        _("Satisfied"),
        _("Very satisfied"),
    )
    figure = go.Figure()

    def share(r: QuestionResult, code: int) -> float:
        assert r.likert is not None
        return 100 * (r.likert.share_of(code) or 0.0)

    # Left of zero, drawn outwards: half of 3, then 2, then 1.
    order = ((2, 3, 0.5, False), (1, 2, 1.0, False), (0, 1, 1.0, False))
    for colour_index, code, part, _right in order:
        figure.add_bar(
            y=labels,
            x=[-round(part * share(r, code), 1) for r in shown],
            name=names[colour_index],
            orientation="h",
            marker_color=LIKERT_COLOURS[colour_index],
            showlegend=code != 3,
            legendgroup=str(code),
            customdata=[
                [round(share(r, code), 1), t] for r, t in zip(shown, texts, strict=True)
            ],
            hovertemplate="%{customdata[1]}<br>"
            + names[colour_index]
            + ": %{customdata[0]:.1f} %<extra></extra>",
        )
    for colour_index, code, part in ((2, 3, 0.5), (3, 4, 1.0), (4, 5, 1.0)):
        figure.add_bar(
            y=labels,
            x=[round(part * share(r, code), 1) for r in shown],
            name=names[colour_index],
            orientation="h",
            marker_color=LIKERT_COLOURS[colour_index],
            legendgroup=str(code),
            customdata=[
                [round(share(r, code), 1), t] for r, t in zip(shown, texts, strict=True)
            ],
            hovertemplate="%{customdata[1]}<br>"
            + names[colour_index]
            + ": %{customdata[0]:.1f} %<extra></extra>",
        )
    figure.update_layout(
        _layout(
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
    )
    return figure


def choice_chart(result: QuestionResult, lang: str) -> go.Figure:
    """Bars of each option's share among the question's respondents."""
    assert result.choice is not None
    labels = {o.code: o.label(lang) for o in result.question.options}
    options = result.choice.options
    figure = go.Figure(
        go.Bar(
            x=[_pct(o.share.estimate) for o in options],
            y=[labels.get(o.option, o.option) for o in options],
            orientation="h",
            marker_color=ORANGE,
            hovertemplate="%{y}: %{x:.1f} %<extra></extra>",
        )
    )
    figure.update_layout(
        _layout(
            xaxis={"range": [0, 100], "title": {"text": _("Share of respondents (%)")}},
            yaxis={"autorange": "reversed", "automargin": True},
            height=70 + 32 * max(1, len(options)),
        )
    )
    return figure


def nps_chart(result: st.NpsResult) -> go.Figure:
    """One stacked bar: detractors, passives, promoters."""
    figure = go.Figure()
    for name, value, colour in (
        (_("Detractors (0-6)"), result.detractors, VERMILION),
        (_("Passives (7-8)"), result.passives, GREY),
        (_("Promoters (9-10)"), result.promoters, GREEN),
    ):
        figure.add_bar(
            x=[_pct(value)],
            y=["NPS"],
            name=name,
            orientation="h",
            marker_color=colour,
            hovertemplate=name + ": %{x:.1f} %<extra></extra>",
        )
    figure.update_layout(
        _layout(barmode="stack", xaxis={"range": [0, 100]}, height=150)
    )
    return figure
