"""The "how we compute" page: public, bilingual, thresholds read from the code."""

from __future__ import annotations

from survey.domain import statistics as st
from survey.services.demo import DEMO_SLUG
from tests.results.conftest import unit
from tests.results.test_results_pages import text_of


def test_the_method_page_needs_no_login_in_either_language(client):
    english = client.get("/open/method?lang=en")
    assert english.status_code == 200
    text = text_of(english.get_data(as_text=True))
    for words in (
        "Overall satisfaction (M1)",
        "composite index M2",
        "Wilson score interval at z = 1.96",
        "n_eff",
        f"Below {st.MIN_N} answers no score is shown",
        "Complementary suppression",
        "99.8 % limits",
        "Overdispersion",
        "Benjamini–Hochberg procedure at a false-discovery rate of 5%",
        "Hard flags leave the official figures",
        "reported as a channel of their own",
    ):
        assert words in text, words
    vietnamese = client.get("/open/method?lang=vi")
    assert vietnamese.status_code == 200
    assert 'lang="vi"' in vietnamese.get_data(as_text=True)
    assert "1,96" in text_of(vietnamese.get_data(as_text=True))  # Vietnamese decimals


def test_the_thresholds_come_from_the_statistics_module(client, monkeypatch):
    monkeypatch.setattr(st, "CAUTION_N", 42)
    monkeypatch.setattr(st, "BOOTSTRAP_DRAWS", 1234)
    text = text_of(client.get("/open/method?lang=en").get_data(as_text=True))
    assert "to 41 answers the score is shown" in text
    assert "1,234 times" in text


def test_leaders_reach_it_from_their_pages_and_the_public_from_open_data(
    client, demo, make_user, login
):
    assert "/open/method" in client.get(f"/open/{DEMO_SLUG}").get_data(as_text=True)
    assert client.get("/results/method").status_code == 302  # staff side: login
    make_user("leader@city.vn", "leader", unit("HCM"))
    login("leader@city.vn")
    assert "/results/method" in client.get(f"/results/{DEMO_SLUG}").get_data(
        as_text=True
    )
    assert client.get("/results/method?lang=en").status_code == 200


def test_the_method_page_explains_weighting_and_the_response_rate(client, monkeypatch):
    from survey.domain import weighting

    monkeypatch.setattr(weighting, "TRIM_HIGH", 4.0)
    monkeypatch.setattr(weighting, "RESPONSE_RATE_WARNING", 0.25)
    text = text_of(client.get("/open/method?lang=en").get_data(as_text=True))
    for words in (
        "Weighting to the population of cases",
        "w = N_h / n_h",
        f"fewer than {st.MIN_CELL_N} answers is merged",
        "within 0.000001 of the unit's cases",
        "trimmed to between 0.3 and 4 times their mean",
        "1 + CV²",
        "by its number of completed cases, not by its number of answers",
        "Response rate (invited channel)",
        "AAPOR's RR1",
        "Below 25% it is marked low",
        "never eligible for a ranking or an incentive export",
    ):
        assert words in text, words
    vietnamese = client.get("/open/method?lang=vi")
    assert vietnamese.status_code == 200
    assert "0,3" in text_of(vietnamese.get_data(as_text=True))
