"""The caterpillar chart of shrunk estimates (M6) and the printable overview."""

from __future__ import annotations

import json
import re

from survey.domain import statistics as st
from survey.models import Unit
from survey.results import caterpillar, charts
from survey.services.demo import DEMO_SLUG
from survey.services.reporting.share_figures import hidden_figure, share_figure
from survey.services.reporting.unit_rows import UnitRow
from tests.results.conftest import unit

OVERVIEW = f"/results/{DEMO_SLUG}"
EVIL = 'Phường <a href="https://evil.example">x</a> <b>y</b>'


def _row(i: int, successes: int, n: int, **extra) -> UnitRow:
    name = extra.pop("name", f"Phường {i}")
    alpha, beta = 12.0, 8.0
    return UnitRow(
        Unit(id=i, code=f"W{i}", name_vi=name, name_en=name),
        n,
        share_figure(successes, n, 10),
        extra.pop("band", "expected"),
        drillable=False,
        shrunk=extra.pop("shrunk", st.shrink(successes, n, alpha, beta)),
        **extra,
    )


def _figure(app, rows, p0=0.6):
    with app.test_request_context("/?lang=vi"):
        raw = str(charts.chart_json(caterpillar.caterpillar_chart(rows, p0, "vi")))
    return json.loads(raw)


def test_units_are_drawn_highest_first_with_intervals_and_the_city(app):
    rows = [
        _row(1, 30, 100, band="below"),
        _row(2, 90, 100, band="above"),
        _row(3, 60, 100),
        _row(4, 70, 100, name=EVIL),
        _row(5, 50, 100, protected=True),  # hidden to protect a sibling
        _row(6, 5, 8, shrunk=None),  # too few answers: no estimate
    ]
    figure = _figure(app, rows)
    units = [t for t in figure["data"] if t["mode"] == "markers"]
    assert [t["name"] for t in units] == [
        "Thấp hơn thành phố",
        "Không khác biệt rõ",
        "Cao hơn thành phố",
    ]
    # Position 3 is the top of the chart: unit 2 (90 %), then 4, 3, 1.
    axis = figure["layout"]["yaxis"]
    by_position = dict(zip(axis["tickvals"], axis["ticktext"], strict=True))
    assert [by_position[p] for p in (3, 2, 1, 0)] == [
        "Phường 2",
        "Phường x y",
        "Phường 3",
        "Phường 1",
    ]
    assert "evil.example" not in json.dumps(figure)
    # Every unit drawn has its interval around its shrunk estimate.
    for trace in units:
        for x, plus, minus in zip(
            trace["x"],
            trace["error_x"]["array"],
            trace["error_x"]["arrayminus"],
            strict=True,
        ):
            assert plus > 0 and minus > 0 and 0 < x - minus < x + plus < 100
    # The unit protected by suppression is not drawn, nor the one without data.
    assert sum(len(t["x"]) for t in units) == 4
    city = figure["data"][-1]
    assert city["name"] == "Thành phố (60 %)"
    assert city["x"] == [60.0, 60.0]


def test_the_chart_grows_with_the_units_and_shortens_long_names(app):
    long_name = "Trung tâm Phục vụ hành chính công Thành phố, chi nhánh 12"
    few = _figure(app, [_row(i, 50 + i, 100) for i in range(8)])
    many = _figure(
        app,
        [_row(i, 40 + i % 50, 100, name=f"{long_name} {i}") for i in range(168)],
    )
    assert many["layout"]["height"] >= few["layout"]["height"] + 160 * 16
    labels = many["layout"]["yaxis"]["ticktext"]
    assert len(labels) == 168 and all(len(label) <= 24 for label in labels)
    # The whole name is in the hover.
    names = {c[0] for t in many["data"] if "customdata" in t for c in t["customdata"]}
    assert f"{long_name} 7" in names


def test_no_unit_is_drawn_when_none_may_be_shown(app):
    hidden = _row(1, 50, 100)
    hidden = UnitRow(
        hidden.unit, 100, hidden_figure(hidden.index), None, False, shrunk=None
    )
    assert caterpillar.caterpillar_rows([hidden]) == []


def test_the_city_overview_shows_the_caterpillar_and_a_print_header(
    client, demo, make_user, login
):
    make_user("leader@city.vn", "leader", unit("HCM"))
    login("leader@city.vn")
    html = client.get(OVERVIEW + "?lang=vi").get_data(as_text=True)
    assert 'data-chart="chart-caterpillar"' in html
    block = re.search(
        r'data-chart="chart-caterpillar">(.*?)</script>',
        html,
    )
    figure = json.loads(block.group(1))
    drawn = sum(len(t["x"]) for t in figure["data"] if t["mode"] == "markers")
    assert drawn >= caterpillar.MANY_UNITS
    # The print button and the header that only paper shows.
    assert "data-print" in html and "In báo cáo" in html
    assert 'id="print-header"' in html and "In ngày" in html
    assert "js/print." in html


def test_a_view_with_few_units_has_no_caterpillar(client, demo, make_user, login):
    make_user("leader@city.vn", "leader", unit("HCM"))
    login("leader@city.vn")
    html = client.get(OVERVIEW + "/unit/S-NN-MT?lang=en").get_data(as_text=True)
    assert "Land Registration Office, branch 1" in html  # two branches
    assert 'data-chart="chart-caterpillar"' not in html


def _contrast_with_white(colour: str) -> float:
    """WCAG 2 contrast ratio of an #rrggbb (or #rgb) colour against white."""
    if len(colour) == 4:
        colour = "#" + "".join(c * 2 for c in colour[1:])
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [
        c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels
    ]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return 1.05 / (luminance + 0.05)


def test_every_graphic_colour_has_3_to_1_contrast(app):
    rows = [_row(1, 30, 100, band="below"), _row(2, 90, 100, band="above")]
    rows += [_row(i, 60, 100) for i in range(3, 10)]
    figure = _figure(app, rows)
    colours = [t["marker"]["color"] for t in figure["data"] if "marker" in t]
    colours += [t["error_x"]["color"] for t in figure["data"] if "error_x" in t]
    colours += [t["line"]["color"] for t in figure["data"] if "line" in t]
    assert len(colours) == 7
    for colour in colours:
        assert _contrast_with_white(colour) >= 3, colour
