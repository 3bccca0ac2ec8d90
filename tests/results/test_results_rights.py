"""A leader sees their subtree and nothing else, on every results URL."""

from __future__ import annotations

import pytest

from survey.services.demo import DEMO_SLUG
from tests.results.conftest import unit

PAGES = (
    "/results/{slug}/unit/{code}",
    "/results/{slug}/unit/{code}/questions",
    "/results/{slug}/unit/{code}/comments/F1",
    "/results/{slug}/unit/{code}/export.csv",
    "/results/{slug}/unit/{code}/export.xlsx",
)


@pytest.mark.parametrize("page", PAGES)
def test_a_ward_leader_cannot_open_the_city_or_another_ward(
    client, demo, make_user, login, page
):
    make_user("ward@city.vn", "leader", unit("P-SAI-GON"))
    login("ward@city.vn")
    for code in ("HCM", "P-BEN-THANH", "S-NN-MT-CN1"):
        url = page.format(slug=DEMO_SLUG, code=code)
        assert client.get(url).status_code == 403, url
    assert client.get(page.format(slug=DEMO_SLUG, code="NOWHERE")).status_code == 404
    assert client.get(page.format(slug=DEMO_SLUG, code="P-SAI-GON")).status_code == 200


def test_a_ward_leader_lands_on_their_own_ward(client, demo, make_user, login):
    make_user("ward@city.vn", "leader", unit("P-SAI-GON"))
    login("ward@city.vn")
    html = client.get(f"/results/{DEMO_SLUG}?lang=en").get_data(as_text=True)
    assert "Saigon Ward" in html
    assert "Ben Thanh Ward" not in html
    assert "/unit/HCM" not in html
    # Unit ids in the query string change nothing: the scope comes from the path.
    other = client.get(f"/results/{DEMO_SLUG}?lang=en&unit=1&unit_id=1")
    assert other.get_data(as_text=True).count("Ben Thanh") == 0


def test_results_need_a_login(client, demo):
    response = client.get(f"/results/{DEMO_SLUG}")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
    assert client.get(f"/results/{DEMO_SLUG}/export.csv").status_code == 302


def test_a_survey_outside_the_scope_is_forbidden(
    client, demo, make_unit, make_survey, make_user, login
):
    other_city = make_unit("OTHER", kind="city")
    make_survey(slug="elsewhere", units=[make_unit("OW", other_city)], owner=other_city)
    make_user("ward@city.vn", "leader", unit("P-SAI-GON"))
    login("ward@city.vn")
    assert client.get("/results/elsewhere").status_code == 403
    assert client.get("/results/elsewhere/export.csv").status_code == 403
