"""A results view that runs past its time limit answers a clear 503, not a 500."""

from __future__ import annotations

from survey.services.demo import DEMO_SLUG
from tests.results.conftest import unit
from tests.results.test_results_pages import text_of

OVERVIEW = f"/results/{DEMO_SLUG}"


def test_a_view_past_its_time_limit_says_to_narrow_it(
    app, client, demo, make_user, login
):
    make_user("leader@city.vn", "leader", unit("HCM"))
    login("leader@city.vn")
    assert client.get(OVERVIEW + "?lang=en").status_code == 200  # within 5 s
    app.config["SURVEY_RESULTS_TIMEOUT_MS"] = 1

    english = client.get(OVERVIEW + "?lang=en")
    assert english.status_code == 503
    text = text_of(english.get_data(as_text=True))
    assert "This view takes too long" in text
    assert "Narrow the period or the filters" in text

    vietnamese = client.get(OVERVIEW + "/questions?lang=vi")
    assert vietnamese.status_code == 503
    assert "Hãy thu hẹp khoảng thời gian hoặc bộ lọc" in text_of(
        vietnamese.get_data(as_text=True)
    )

    app.config["SURVEY_RESULTS_TIMEOUT_MS"] = 0  # no limit
    assert client.get(OVERVIEW + "?lang=en").status_code == 200


def test_the_raw_download_is_not_cut_short(app, client, demo, make_user, login):
    """An administrator's streamed raw file may take as long as it needs."""
    make_user("admin@city.vn", "admin", unit("HCM"))
    login("admin@city.vn")
    app.config["SURVEY_RESULTS_TIMEOUT_MS"] = 1
    assert client.get(OVERVIEW + "?lang=en").status_code == 503
    limited = client.get(OVERVIEW + "/raw.csv")
    assert limited.status_code == 200
    app.config["SURVEY_RESULTS_TIMEOUT_MS"] = 0
    whole = client.get(OVERVIEW + "/raw.csv").get_data(as_text=True)
    assert whole.count("\n") > 250  # the demo's responses
    assert limited.get_data(as_text=True) == whole
