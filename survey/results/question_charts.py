"""The charts of the questions page: Likert items, choices and NPS."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_babel import gettext as _

from survey.domain import statistics as st
from survey.results.charts import (
    GREEN,
    GREY,
    LIKERT_COLOURS,
    ORANGE,
    VERMILION,
    Figure,
    chart_layout,
    pct,
    plain_label,
)
from survey.services.reporting.question_results import QuestionResult


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
    layout = chart_layout(
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
        "x": [pct(o.share.estimate) for o in options],
        "y": [labels.get(o.option, plain_label(o.option)) for o in options],
        "orientation": "h",
        "marker": {"color": ORANGE},
        "hovertemplate": "%{y}: %{x:.1f} %<extra></extra>",
    }
    layout = chart_layout(
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
            "x": [pct(value)],
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
    layout = chart_layout(barmode="stack", xaxis={"range": [0, 100]}, height=150)
    return {"data": data, "layout": layout}
