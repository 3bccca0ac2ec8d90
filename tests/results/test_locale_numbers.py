"""Every number a results page shows goes through Babel in the page's locale.

On a Vietnamese page: 4.872 (not 4,872 or 4872), 62,4 % (not 62.4 %),
−0,8 (a true minus sign). The chart JSON is left out: Plotly gets the
locale's separators in its layout instead.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from survey.extensions import db
from survey.models import Survey
from survey.services.demo import DEMO_SLUG, seed_demo
from tests.results.conftest import unit
from tests.results.test_results_pages import text_of

STRAGGLERS = {
    "English thousands": re.compile(r"\d,\d{3}(?!\d)"),
    "English decimals": re.compile(r"(?<![\w.])\d+\.\d{1,2}(?![\d.])"),  # not B1.1
    "ungrouped thousands": re.compile(r"(?<![\d\-/])\d{5,}(?![\d\-/])"),
    "hyphen as minus": re.compile(r"(?<![\w\-])-\d"),
}


@pytest.fixture
def city(app) -> Survey:
    seed_demo(1500)
    db.session.commit()
    return db.session.scalar(select(Survey).where(Survey.slug == DEMO_SLUG))


@pytest.mark.parametrize(
    "path",
    ["", "/unit/S-NN-MT", "/unit/P-SAI-GON", "/questions", "/unit/S-NN-MT/questions"],
)
def test_no_number_escapes_the_vietnamese_locale(client, city, make_user, login, path):
    make_user("leader@city.vn", "leader", unit("HCM"))
    login("leader@city.vn")
    html = client.get(f"/results/{DEMO_SLUG}{path}?lang=vi").get_data(as_text=True)
    text = text_of(html)
    for name, pattern in STRAGGLERS.items():
        found = [
            text[max(0, m.start() - 30) : m.end() + 10] for m in pattern.finditer(text)
        ]
        assert not found, (name, found[:5])
    if path == "":
        assert re.search(r"\d\.\d{3}", text)  # 1.500 responses, grouped


def test_a_negative_gap_has_a_true_minus_sign(app):
    from survey.results.presenters import format_number

    with app.test_request_context("/?lang=vi"):
        assert format_number(-0.8) == "\u22120,8"
        assert format_number(4872, 0) == "4.872"


ISO_MONTH = re.compile(r"(?<![\d-])20\d\d-[01]\d(?![\d-])")


def test_months_are_said_in_the_page_language(client, city, make_user, login):
    """The brief and the trend table say "tháng 11 năm 2026", not "2026-11"."""
    make_user("leader@city.vn", "leader", unit("HCM"))
    login("leader@city.vn")
    html = client.get(f"/results/{DEMO_SLUG}?lang=vi").get_data(as_text=True)
    text = text_of(html)
    assert not ISO_MONTH.findall(text)
    brief = html[html.index('id="h-summary"') : html.index('id="h-channels"')]
    assert re.search(r"Tháng \d{1,2} năm 20\d\d so với tháng \d{1,2} năm 20\d\d", brief)
    english = text_of(
        client.get(f"/results/{DEMO_SLUG}?lang=en").get_data(as_text=True)
    )
    assert re.search(
        r"(January|February|March|April|May|June|July|August|"
        r"September|October|November|December) 20\d\d against",
        english,
    )


def test_a_week_and_an_odd_key_read_plainly(app):
    from flask_babel import refresh

    from survey.results.periods import format_period

    with app.test_request_context("/?lang=vi"):
        assert format_period("2026-11") == "tháng 11 năm 2026"
        assert format_period("2026-11", "short") == "thg 11 2026"
        assert format_period("2026-11-16").startswith("tuần từ 16 thg 11")
        assert format_period("total") == "total"
    with app.test_request_context("/?lang=en"):
        refresh()  # the test's app context cached the Vietnamese locale
        assert format_period("2026-11") == "November 2026"
