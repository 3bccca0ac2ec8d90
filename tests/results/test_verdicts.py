"""One verdict per unit: the city page, the parent's page, the unit's own page,
the CSV and the XLSX export of the same filter all say the same thing.

Walks every unit of the demo city, under two filters, and collects each
unit's "compared with the city" wherever it is shown.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from survey.extensions import db
from survey.models import Survey, Unit
from survey.services.demo import DEMO_SLUG, seed_demo
from tests.results.conftest import unit

LABELS = {"Below the city", "Above the city", "No clear difference"}
ROW = re.compile(r'<tr data-unit="([^"]+)">(.*?)</tr>', re.S)
CELL = re.compile(r"<td[^>]*>(.*?)</td>", re.S)


def plain(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def page_verdicts(html: str, scope: str) -> dict[str, str]:
    """Unit code (``code:own`` for answers given at a unit with sub-units) ->
    the verdict in its row; and the headline's verdict of the page's unit."""
    rows = ROW.findall(html)
    found: dict[str, str] = {}
    for code, body in rows:
        cells = [plain(c) for c in CELL.findall(body)]
        own = "answers given here" in cells[0] and len(rows) > 1
        if cells[5] in LABELS:
            found[f"{code}:own" if own else code] = cells[5]
    headline = re.search(r'<p class="small" id="verdict">(.*?)</p>', html, re.S)
    if headline:
        text = plain(headline.group(1)).split(":", 1)[1].split("·")[0].strip()
        found[scope] = text
    return found


def export_verdicts(rows: list[list[str]], names: dict[str, str]) -> dict[str, str]:
    header = rows[0]
    measure, verdict = header.index("Measure"), header.index("Compared with the city")
    found: dict[str, str] = {}
    for row in rows[1:]:
        if row[measure] == "Overall satisfaction (M1)" and row[verdict] in LABELS:
            # The scope's own row comes first; a unit's name is unique.
            found.setdefault(names[row[0]], row[verdict])
    return found


@pytest.fixture
def city(app) -> Survey:
    seed_demo(2000)
    db.session.commit()
    return db.session.scalar(select(Survey).where(Survey.slug == DEMO_SLUG))


@pytest.mark.parametrize("query", ["", "&channel=optin"])
def test_every_unit_has_one_verdict_on_every_page_and_export(
    client, city, make_user, login, query
):
    make_user("leader@city.vn", "leader", unit("HCM"))
    login("leader@city.vn")
    units = db.session.scalars(select(Unit).order_by(Unit.code)).all()
    names = {u.name_en: u.code for u in units}
    seen: dict[str, dict[str, str]] = defaultdict(dict)
    base = f"/results/{DEMO_SLUG}/unit"
    for u in units:
        html = client.get(f"{base}/{u.code}?lang=en{query}").get_data(as_text=True)
        for code, verdict in page_verdicts(html, u.code).items():
            seen[code][f"page {u.code}"] = verdict
        text = client.get(f"{base}/{u.code}/export.csv?lang=en{query}").get_data(
            as_text=True
        )
        table = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
        for code, verdict in export_verdicts(table, names).items():
            seen[code][f"csv {u.code}"] = verdict
        data = client.get(f"{base}/{u.code}/export.xlsx?lang=en{query}").get_data()
        sheet = load_workbook(io.BytesIO(data)).worksheets[0]
        cells = [["" if c is None else str(c) for c in r] for r in sheet.values]
        for code, verdict in export_verdicts(cells, names).items():
            seen[code][f"xlsx {u.code}"] = verdict
    for code, where in seen.items():
        assert len(set(where.values())) == 1, (code, where)
    # Every compared unit but the city was seen on its parent's page, its own
    # page (a leaf: its own row) and in the exports of both.
    for code in ("P-CHO-QUAN", "S-NN-MT-CN1", "X-CAN-GIO"):
        assert len(seen[code]) >= 6, seen[code]


def test_a_unit_wholly_below_the_city_is_shown_below(client, app, make_user, login):
    seed_demo(5000)  # the README's demo
    db.session.commit()
    make_user("leader@city.vn", "leader", unit("HCM"))
    login("leader@city.vn")
    html = client.get(f"/results/{DEMO_SLUG}?lang=en").get_data(as_text=True)
    city_rate = float(re.search(r"compared with the city \(([\d.]+) %\)", html)[1])
    rows = dict(ROW.findall(html))
    for code in ("P-CHO-QUAN", "S-NN-MT"):
        cells = [plain(c) for c in CELL.findall(rows[code])]
        high = float(re.search(r"–([\d.]+)", cells[4])[1])
        assert high < city_rate
        assert cells[5] == "Below the city"
    # Drill down: the department's branch keeps the city page's verdict.
    branch = client.get(f"/results/{DEMO_SLUG}/unit/S-NN-MT?lang=en")
    assert (
        "Below the city"
        in dict(ROW.findall(branch.get_data(as_text=True)))["S-NN-MT-CN1"]
    )
    assert "How units are compared with the city" in html
    # In brief: the same units below and above, each a link to its page.
    brief = html[html.index('id="h-summary"') : html.index('id="h-channels"')]
    below = re.search(r'id="summary-below">(.*?)</li>', brief, re.S)[1]
    shown_below = {c for c, body in ROW.findall(html) if "Below the city" in body}
    linked = set(re.findall(r'/unit/([A-Z0-9-]+)"', below))
    # The lowest five are named, lowest first; the table holds the rest.
    assert linked <= shown_below and len(linked) == min(5, len(shown_below))
    more = re.search(r'class="summary-more">and (\d+) more unit', below)
    assert (int(more[1]) if more else 0) == len(shown_below) - len(linked)
    assert "P-CHO-QUAN" in linked
    assert 'id="summary-change"' in brief and "points (95 % interval" in brief
