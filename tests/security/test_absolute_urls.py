"""Posters and QR codes take their address from SURVEY_BASE_URL, not Host."""

import re

import pytest

from survey import ConfigError, create_app
from survey.config import load_config
from survey.extensions import db

FORGED = {"Host": "evil.example"}


def configured(app, **config):
    other = create_app({**app.config, **config})
    other.test_client_class = type(app.test_client())
    return other


def log_in(client):
    page = client.get("/login", headers=FORGED).get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    client.post(
        "/login",
        headers=FORGED,
        data={
            "email": "ana@city.vn",
            "password": "a-long-password",
            "csrf_token": token.group(1),
        },
    )


@pytest.fixture
def city(make_unit, make_user, make_survey):
    city = make_unit("CITY", kind="city")
    make_survey(units=[make_unit("W1", city)], owner=city)
    make_user("ana@city.vn", "admin", city)


def test_a_forged_host_never_reaches_a_poster(app, city):
    based = configured(
        app, SURVEY_BASE_URL="https://survey.city.gov.vn", SERVER_NAME=None
    )
    client = based.test_client()
    log_in(client)
    poster = client.get("/admin/surveys/test/poster/W1", headers=FORGED)
    html = poster.get_data(as_text=True)
    assert poster.status_code == 200
    assert "https://survey.city.gov.vn/s/test/W1" in html
    assert "evil.example" not in html
    links = client.get("/admin/surveys/test/distribute", headers=FORGED)
    assert "evil.example" not in links.get_data(as_text=True)
    with based.app_context():
        db.engine.dispose()


def test_trusted_hosts_refuse_any_other_host(app, city):
    trusting = configured(app, TRUSTED_HOSTS=["survey.city.gov.vn"], SERVER_NAME=None)
    client = trusting.test_client()
    assert client.get("/login", headers=FORGED).status_code == 400
    good = client.get("/login", headers={"Host": "survey.city.gov.vn"})
    assert good.status_code == 200
    with trusting.app_context():
        db.engine.dispose()


def test_the_environment_sets_both_and_a_bad_base_url_stops_start_up(tmp_path):
    config = load_config(
        str(tmp_path),
        {
            "SURVEY_BASE_URL": "https://survey.city.gov.vn/",
            "SURVEY_TRUSTED_HOSTS": "survey.city.gov.vn, .city.gov.vn",
        },
    )
    assert config["SURVEY_BASE_URL"] == "https://survey.city.gov.vn"
    assert config["TRUSTED_HOSTS"] == ["survey.city.gov.vn", ".city.gov.vn"]
    with pytest.raises(ConfigError, match="SURVEY_BASE_URL"):
        load_config(str(tmp_path), {"SURVEY_BASE_URL": "javascript:alert(1)"})
