"""The leaders' results pages: overview, drill-down, questions, comments, open data."""

from __future__ import annotations

import re

from survey.extensions import db
from survey.services.demo import DEMO_SLUG
from tests.results.conftest import unit

OVERVIEW = f"/results/{DEMO_SLUG}"


def text_of(html: str) -> str:
    html = re.sub(r'<script type="application/json".*?</script>', "", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_overview_of_the_city_for_a_city_leader(client, demo, make_user, login):
    make_user("leader@city.vn", "leader", unit("HCM"))
    login("leader@city.vn")
    response = client.get(OVERVIEW + "?lang=en")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    text = text_of(html)
    for words in ("Overall satisfaction", "Dissatisfied", "Access to the service"):
        assert words in text
    assert "Responses over time" in text
    # Each child unit of the city is a row, linked for drill-down.
    assert f'href="/results/{DEMO_SLUG}/unit/P-SAI-GON"' in html
    assert 'data-chart="chart-factors"' in html
    assert 'data-chart="chart-trend"' in html
    assert 'data-chart="chart-funnel"' in html
    # Plotly comes from this app, never a CDN.
    assert "/charts/plotly.min.js?v=" in html
    assert "cdn" not in html.lower()


def test_drill_down_to_a_department_shows_its_branches(client, demo, make_user, login):
    make_user("leader@city.vn", "leader", unit("HCM"))
    login("leader@city.vn")
    html = client.get(OVERVIEW + "/unit/S-NN-MT?lang=en").get_data(as_text=True)
    assert "Land Registration Office, branch 1" in html
    assert "Land Registration Office, branch 2" in html
    assert "Saigon Ward" not in text_of(html)
    # The breadcrumb leads back to the city.
    assert f'href="/results/{DEMO_SLUG}/unit/HCM"' in html


def test_questions_page_has_likert_and_choice_charts(client, demo, make_user, login):
    make_user("leader@city.vn", "leader", unit("HCM"))
    login("leader@city.vn")
    response = client.get(OVERVIEW + "/questions?lang=en")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'data-chart="chart-likert"' in html
    assert 'data-chart="chart-E"' in html or "chart-E" in html
    assert "shares may add up to more than 100 %" in text_of(html)
    # 300 responses over the demo's units and months: no block of a unit's
    # month reaches 10 respondents, so its comments are held back (h18).
    assert f"/results/{DEMO_SLUG}/unit/HCM/comments/F1" not in html
    assert "Comments are shown only where there are at least 10" in text_of(html)


def test_comments_are_masked_and_paged(
    client, make_survey, add_responses, make_user, login
):
    survey = make_survey()
    w1 = unit("W1")
    add_responses(survey, w1, 12, comment="Gọi tôi 0903 123 456 hoặc an@mail.vn nhé")
    add_responses(survey, w1, 11, comment="Nhanh, tốt")
    make_user("leader@city.vn", "leader", unit("CITY"))
    login("leader@city.vn")
    html = client.get("/results/test/comments/NOTE?lang=en").get_data(as_text=True)
    assert "0903" not in html and "an@mail.vn" not in html
    assert "Gọi tôi ••• hoặc ••• nhé" in html
    assert "Page 1 of 2" in html
    second = client.get("/results/test/comments/NOTE?lang=en&page=2")
    assert second.status_code == 200
    searched = client.get("/results/test/comments/NOTE?lang=en&q=Nhanh")
    assert "11 of 23 comments" in text_of(searched.get_data(as_text=True))
    probe = client.get("/results/test/comments/NOTE?lang=en&q=0903")
    assert "not allowed" in probe.get_data(as_text=True)


def test_fewer_than_ten_comments_are_not_shown(
    client, make_survey, add_responses, make_user, login
):
    survey = make_survey()
    add_responses(survey, unit("W1"), 9, comment="Một góp ý riêng tư")
    make_user("leader@city.vn", "leader", unit("CITY"))
    login("leader@city.vn")
    html = client.get("/results/test/comments/NOTE?lang=en").get_data(as_text=True)
    assert "Một góp ý riêng tư" not in html
    assert "at least 10" in html


def test_open_data_page_needs_no_login_and_has_no_free_text(client, demo):
    response = client.get(f"/open/{DEMO_SLUG}?lang=en")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Overall satisfaction" in html
    assert "Saigon Ward" in html
    assert "/comments/" not in html and "/results/" not in html
    for comment in ("Thời gian chờ quá lâu", "Very helpful staff"):
        assert comment not in html


def test_open_data_page_is_404_unless_the_survey_publishes(client, demo, make_survey):
    make_survey()
    assert client.get("/open/test").status_code == 404
    assert client.get("/open/no-such-survey").status_code == 404
    demo.publish_results = False
    db.session.commit()
    assert client.get(f"/open/{DEMO_SLUG}").status_code == 404


def test_plotly_is_served_by_the_app_compressed_and_cached(client):
    response = client.get(
        "/charts/plotly.min.js?v=1", headers={"Accept-Encoding": "gzip"}
    )
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "gzip"
    assert "max-age=31536000" in response.headers["Cache-Control"]
    # The partial bundle: a results page's first view on a phone under 600 KB.
    assert int(response.headers["Content-Length"]) < 450_000


def test_plotly_goes_as_brotli_to_browsers_that_take_it(client):
    url = "/charts/plotly.min.js?v=1"
    brotli = client.get(url, headers={"Accept-Encoding": "gzip, deflate, br, zstd"})
    assert brotli.headers["Content-Encoding"] == "br"
    assert len(brotli.data) < 330_000  # gzip: 373 KB
    assert brotli.headers["Vary"] == "Accept-Encoding"  # no Cookie: kept at login
    gzipped = client.get(url, headers={"Accept-Encoding": "br;q=0, gzip"})
    assert gzipped.headers["Content-Encoding"] == "gzip"
    # Each encoding its own validator: a 304 never hands gzip to a br cache.
    assert brotli.headers["ETag"] != gzipped.headers["ETag"]
    again = client.get(
        url,
        headers={"Accept-Encoding": "br", "If-None-Match": brotli.headers["ETag"]},
    )
    assert again.status_code == 304


def test_public_files_do_not_vary_on_the_cookie(client, demo, make_user, login):
    make_user("leader@city.vn", "leader", unit("HCM"))
    login("leader@city.vn")
    html = client.get("/results/").get_data(as_text=True)
    css = re.search(r'href="(/static/css/site\.[0-9a-f]+\.css)"', html).group(1)
    response = client.get(css, headers={"Accept-Encoding": "gzip"})
    assert "immutable" in response.headers["Cache-Control"]
    assert "cookie" not in response.headers.get("Vary", "").lower()
    # A staff page still varies on it (and is never kept).
    page = client.get("/results/")
    assert "Cookie" in page.headers["Vary"]


def test_login_and_results_index_prefetch_the_chart_bundle(
    client, demo, make_user, login
):
    assert 'rel="prefetch" href="/charts/plotly.min.js?v=' in client.get(
        "/login"
    ).get_data(as_text=True)
    make_user("leader@city.vn", "leader", unit("HCM"))
    login("leader@city.vn")
    html = client.get("/results/").get_data(as_text=True)
    assert 'rel="prefetch" href="/charts/plotly.min.js?v=' in html
    assert 'rel="prefetch" href="/charts/plotly.css?v=' in html


def test_citizen_form_does_not_load_plotly(client, make_survey):
    make_survey()
    html = client.get("/s/test/W1").get_data(as_text=True)
    assert "plotly" not in html.lower()


def test_results_index_links_each_survey_in_scope_to_its_overview(
    client, demo, make_user, login
):
    make_user("ward@city.vn", "leader", unit("P-SAI-GON"))
    login("ward@city.vn")
    html = client.get("/results/?lang=vi").get_data(as_text=True)
    assert f'<a href="/results/{DEMO_SLUG}">' in html
    # The staff menu leads to this index from every staff page.
    assert 'href="/results/"' in html
    # The count is formatted in the page's locale (no "1,234" on a vi page).
    count = re.search(r'<td class="num">([^<]+)</td>', html).group(1)
    assert "," not in count
