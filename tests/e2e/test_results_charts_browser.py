"""Every figure the server builds for the results pages is drawn by Plotly.

The figures are plain JSON written by ``survey/results/charts.py``; nothing
checks them against Plotly's schema on the server, so the browser is the judge.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from survey.domain import statistics as st
from survey.models import Unit
from survey.results import charts, funnel, question_charts, trend
from survey.services.demo import DEMO_SLUG
from survey.services.reporting.funnel import funnel_lines
from survey.services.reporting.share_figures import share_figure
from survey.services.reporting.trend_points import MonthPoint
from survey.services.reporting.unit_rows import UnitRow
from tests.e2e.conftest import city_user

pytestmark = pytest.mark.browser

EMAIL = "charts-leader@demo.gov.vn"
PASSWORD = "a-long-password-for-the-charts"
COUNT_TRACES = "t => [t.querySelectorAll('g.trace').length, t.data.length]"
# Plotly drops what it does not know (an unknown trace type becomes a scatter):
# the paths of the figure's attributes missing from what Plotly plotted.
IGNORED_BY_PLOTLY = """t => {
    const isObject = v => v !== null && typeof v === "object" && !Array.isArray(v);
    const ignored = (given, used, path) => Object.keys(given).flatMap(key => {
        if (!(key in used)) { return [path + key]; }
        const [mine, theirs] = [given[key], used[key]];
        if (isObject(mine) && isObject(theirs)) {
            return ignored(mine, theirs, `${path}${key}.`);
        }
        if (!Array.isArray(mine) || !Array.isArray(theirs)) { return []; }
        return mine.flatMap((item, i) => isObject(item) && isObject(theirs[i])
            ? ignored(item, theirs[i], `${path}${key}[${i}].`) : []);
    });
    return t.data.flatMap((trace, i) => trace.type === t._fullData[i].type
            ? ignored(trace, t._fullData[i], `data[${i}].`) : [`data[${i}].type`])
        .concat(ignored(t.layout, t._fullLayout, "layout."));
}"""


DRAWN_ATTEMPTS = 150  # of 100 ms each: charts.js marks a chart once drawn


def wait_until_drawn(page, target: str) -> bool:
    """Counted polling: whether charts.js marked ``target`` drawn in time."""
    drawn = f"[id='{target}'][data-drawn='true']"
    # Drawn when it comes near the screen: scrolled to, as a reader would.
    page.eval_on_selector(f"[id='{target}']", "e => e.scrollIntoView()")
    for _attempt in range(DRAWN_ATTEMPTS):
        if page.locator(drawn).count():
            return True
        page.wait_for_timeout(100)
    return False


@pytest.fixture(scope="module")
def leader(live_server) -> str:
    return city_user(live_server, EMAIL, PASSWORD, "leader")


@pytest.fixture
def leader_page(live_server, leader, browser) -> Iterator[tuple[object, list[str]]]:
    """A desktop page logged in as the leader, under the real CSP, and its errors."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console",
        lambda message: (
            errors.append(message.text) if message.type == "error" else None
        ),
    )
    page.goto(live_server.url + "/login")
    page.fill("input[name=email]", leader)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state()
    yield page, errors
    context.close()


@pytest.mark.parametrize(
    "path, expected",
    [
        ("", {"chart-factors", "chart-trend", "chart-funnel", "chart-caterpillar"}),
        ("/questions", {"chart-likert"}),
    ],
)
def test_every_chart_on_the_page_is_drawn(live_server, leader_page, path, expected):
    page, errors = leader_page
    page.goto(f"{live_server.url}/results/{DEMO_SLUG}{path}")
    targets = page.eval_on_selector_all(
        "script[type='application/json'][data-chart]",
        "blocks => blocks.map(b => b.getAttribute('data-chart'))",
    )
    assert expected <= set(targets)
    if path == "/questions":  # and a bar chart per choice question
        assert len(targets) > len(expected)
    for target in targets:
        # Question codes have dots: no "#" selector.
        assert wait_until_drawn(page, target), target
        # Plotly draws a group for each trace of the figure it understood.
        drawn, traces = page.eval_on_selector(f"[id='{target}']", COUNT_TRACES)
        assert drawn == traces > 0, target
        ignored = page.eval_on_selector(f"[id='{target}']", IGNORED_BY_PLOTLY)
        assert ignored == [], target
    assert errors == [], "\n".join(errors)


def _figures_the_demo_lacks() -> dict[str, charts.Figure]:
    months = [
        MonthPoint(f"2025-{m:02d}", 40 * m, share_figure(30 * m, 40 * m, 10), v)
        for m, v in ((1, None), (2, 2), (3, None), (4, 3))
    ]
    rows = [
        UnitRow(
            Unit(code=f"W{i}", name_vi=f"Phường {i}", name_en=""),
            100,
            share_figure(50 + 10 * i, 100, 10),
            "expected",
            drillable=False,
            under_review=i == 1,
        )
        for i in range(3)
    ]
    return {
        "nps": question_charts.nps_chart(st.nps({0: 3, 6: 2, 7: 5, 8: 1, 9: 4, 10: 9})),
        "trend_with_new_versions": trend.trend_chart(months),
        "funnel_with_a_unit_under_review": funnel.funnel_chart(
            rows, funnel_lines(0.6, 100, 1.0), 0.6, "vi"
        ),
    }


@pytest.mark.parametrize(
    "name", ["nps", "trend_with_new_versions", "funnel_with_a_unit_under_review"]
)
def test_figures_the_demo_pages_lack_are_drawn(live_server, leader_page, name):
    # No 0-10 question, version change or unit under review in the demo: the
    # figures are drawn on its questions page, as charts.js would draw them.
    page, errors = leader_page
    page.goto(f"{live_server.url}/results/{DEMO_SLUG}/questions")
    page.wait_for_selector("#chart-likert .main-svg", timeout=15_000)
    with live_server.app.test_request_context("/?lang=vi"):
        figure = json.loads(str(charts.chart_json(_figures_the_demo_lacks()[name])))
    page.evaluate(
        """async figure => {
            const target = document.createElement("div");
            target.id = "chart-extra";
            document.querySelector("main").appendChild(target);
            await Plotly.newPlot(target, figure.data, figure.layout,
                                 {displayModeBar: false});
        }""",
        figure,
    )
    drawn, traces = page.eval_on_selector("#chart-extra", COUNT_TRACES)
    assert drawn == traces == len(figure["data"])
    assert page.eval_on_selector("#chart-extra", IGNORED_BY_PLOTLY) == []
    assert errors == [], "\n".join(errors)
