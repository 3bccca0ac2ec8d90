"""axe (WCAG 2.0 A and AA, 2.1 AA, 2.2 AA) finds nothing on any results page,
at phone (360 x 740) and desktop (1280 x 900) size, on the real city (168
units: the caterpillar chart and the long tables are there).

The city leader logs in at /login and only clicks: the results index, the
city's overview, a ward, its history across the reform, its questions and a
question's comments, the method page, and the open-data page.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from survey.services.demo.city import seed_real_city
from tests.e2e.conftest import AXE, PHONE, LiveServer, city_user, live_app, serve

pytestmark = pytest.mark.browser

EMAIL = "axe-leader@demo.gov.vn"
PASSWORD = "a-long-password-for-axe"
WARD = "P-SAI-GON"
DESKTOP = {"width": 1280, "height": 900}
TAGS = ["wcag2a", "wcag2aa", "wcag21aa", "wcag22aa"]
DRAWN_ATTEMPTS = 150  # of 100 ms each: charts.js marks each chart once drawn
# Charts are drawn as they come near the screen (charts.js): the first one not
# yet drawn is scrolled to, as a reader scrolls, until every one is.
ALL_DRAWN = """() => {
  const next = [...document.querySelectorAll('.chart')].find(c => !c.dataset.drawn);
  if (next) { next.scrollIntoView(); }
  return !next;
}"""


@pytest.fixture(scope="module")
def real_city(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    from flask_migrate import upgrade

    from survey.extensions import db

    app = live_app(tmp_path_factory.mktemp("axe-city") / "city.sqlite3")
    with app.app_context():
        upgrade()
        seed_real_city(15000)
        db.session.commit()
    yield from serve(app)


def wait_for_charts(page) -> None:
    """Counted polling until every chart of the page is drawn."""
    for _attempt in range(DRAWN_ATTEMPTS):
        if page.evaluate(ALL_DRAWN):
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"charts not drawn on {page.url}")


def axe_violations(page) -> list[tuple[str, str, int, list[str]]]:
    """Every violation of the WCAG A/AA rules: (rule, impact, nodes, targets)."""
    wait_for_charts(page)
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async tags => await axe.run(document, "
        "{runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        TAGS,
    )
    return [
        (
            v["id"],
            v["impact"],
            len(v["nodes"]),
            [str(n["target"]) for n in v["nodes"][:3]],
        )
        for v in result["violations"]
    ]


def click(page, locator) -> None:
    locator.click()
    page.wait_for_load_state()


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_every_results_page_is_axe_clean(real_city, browser, size):
    if not AXE.exists():
        pytest.skip("axe-core not installed (npm install axe-core)")
    email = city_user(real_city, EMAIL, PASSWORD, "leader")
    # CSP bypassed only so that axe can be injected; the pages are the same.
    context = browser.new_context(viewport=size, bypass_csp=True, locale="vi-VN")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    found: dict[str, list] = {}
    try:
        page.goto(real_city.url + "/login")
        page.fill("input[name=email]", email)
        page.fill("input[name=password]", PASSWORD)
        click(page, page.locator("form button[type=submit]").last)
        click(page, page.locator("nav a[href$='/results/']").first)
        index = page.url
        click(page, page.locator("table a[href*='/results/']").first)
        found["overview, city"] = axe_violations(page)
        # The 168 units' caterpillar chart is there, drawn, and fits the screen.
        assert page.locator("#chart-caterpillar[data-drawn='true']").count() == 1
        assert page.evaluate("document.documentElement.scrollWidth") <= size["width"]
        click(page, page.locator("a[href$='/results/method']").first)
        found["method"] = axe_violations(page)
        page.go_back()  # the browser's back button
        page.wait_for_load_state()
        click(page, page.locator(f"table.units tr[data-unit='{WARD}'] a").first)
        assert page.url.endswith(f"/unit/{WARD}")
        found["overview, ward"] = axe_violations(page)
        click(page, page.locator("nav.subnav a[href$='/history']"))
        found["history"] = axe_violations(page)
        click(page, page.locator("nav.subnav a").first)  # back to its overview
        click(page, page.locator("nav.subnav a[href$='/questions']"))
        found["questions"] = axe_violations(page)
        # Comments show by whole blocks of at least min n respondents: the
        # city's questions page links to those released.
        click(page, page.locator("nav a[href$='/results/']").first)  # the menu
        assert page.url == index
        click(page, page.locator("table a[href*='/results/']").first)
        click(page, page.locator("nav.subnav a[href$='/questions']"))
        click(page, page.locator("a[href*='/comments/']").first)
        assert "/comments/" in page.url
        found["comments"] = axe_violations(page)
        click(page, page.locator("nav a[href$='/results/']").first)
        assert page.url == index
        click(page, page.locator("table a[href*='/open/']").first)
        assert "/open/" in page.url
        found["open data"] = axe_violations(page)
    finally:
        context.close()
    assert len(found) == 7
    assert {name: v for name, v in found.items() if v} == {}
    assert errors == [], errors
