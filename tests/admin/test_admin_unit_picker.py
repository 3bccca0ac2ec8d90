"""Assigning units to a survey: a code in any case, a name, or a search and ticks."""

from __future__ import annotations

from survey.extensions import db
from survey.models import Survey
from tests.admin.helpers import post


def codes(survey_id: int) -> set[str]:
    db.session.expire_all()
    return {u.code for u in db.session.get(Survey, survey_id).units}


def test_a_lowercase_code_or_a_name_assigns_the_unit(client, as_admin, make_unit):
    survey = as_admin.survey
    make_unit("W3", as_admin.city, name_vi="Phường Bến Nghé", name_en="Ben Nghe")
    response = post(client, f"/admin/surveys/{survey.slug}/units", {"unit_code": "b1"})
    assert response.status_code == 302
    assert response.location.endswith(f"/admin/surveys/{survey.slug}")
    post(client, f"/admin/surveys/{survey.slug}/units", {"unit_code": " ben nghe "})
    assert codes(survey.id) == {"W1", "W2", "B1", "W3"}


def test_search_then_tick_assigns_with_the_units_below(client, as_admin):
    survey = as_admin.survey
    url = f"/admin/surveys/{survey.slug}/units/pick"
    page = client.get(f"{url}?q=s-nn").get_data(as_text=True)
    assert 'value="S-NN-MT"' in page and 'value="W1"' not in page
    everything = client.get(url).get_data(as_text=True)
    assert "already assigned" in everything  # W1 and W2, not ticked again
    response = post(client, url, {"codes": ["S-NN-MT"], "subtree": "y"})
    assert response.status_code == 302
    assert codes(survey.id) == {"W1", "W2", "S-NN-MT", "B1"}
    page = client.get(f"/admin/surveys/{survey.slug}").get_data(as_text=True)
    assert "2 units added to the survey" in page


def test_nothing_ticked_or_nothing_found_says_so(client, as_admin):
    url = f"/admin/surveys/{as_admin.survey.slug}/units/pick"
    response = post(client, url, {})
    assert response.status_code == 302
    assert "Tick at least one unit" in client.get(url).get_data(as_text=True)
    page = client.get(f"{url}?q=zzz%25").get_data(as_text=True)
    assert "No unit of yours matches zzz%" in page
    assert client.post(url, data={"codes": ["W1"]}).status_code == 400  # no CSRF
