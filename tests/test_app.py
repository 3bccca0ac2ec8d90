"""The application as a whole: health, configuration, headers, languages."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from survey import create_app
from survey.config import ConfigError, load_config

ROOT = Path(__file__).resolve().parent.parent


def test_healthz_answers_ok_with_the_database_reachable(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json["database"] == "ok"


def test_healthz_answers_503_when_the_database_is_gone(tmp_path):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x" * 32,
            "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://nobody@127.0.0.1:1/none",
        }
    )
    response = app.test_client().get("/healthz")
    assert response.status_code == 503


@pytest.mark.parametrize(
    "environ, message",
    [
        ({"DATABASE_URL": "mysql://x/y"}, "DATABASE_URL must start with"),
        ({"SURVEY_ENV": "production"}, "SECRET_KEY must be set"),
        ({"SECRET_KEY": "short"}, "at least 16 characters"),
        ({"SESSION_COOKIE_SECURE": "maybe"}, "must be true or false"),
        ({"SESSION_MINUTES": "ten"}, "whole number"),
    ],
)
def test_wrong_configuration_is_refused_with_a_clear_message(
    tmp_path, environ, message
):
    with pytest.raises(ConfigError, match=message):
        load_config(str(tmp_path), environ)


def test_generated_secret_key_is_kept_under_instance(tmp_path):
    first = load_config(str(tmp_path), {})["SECRET_KEY"]
    second = load_config(str(tmp_path), {})["SECRET_KEY"]
    assert first == second and len(first) >= 32
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


@pytest.mark.parametrize(
    "database_url",
    ["postgresql://nobody@127.0.0.1:1/none", "oracle://somewhere/db"],
)
def test_start_up_with_a_bad_database_url_prints_one_line(database_url):
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "s" * 32}
    result = subprocess.run(
        [sys.executable, "-c", "import wsgi"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Configuration error:")
    assert "Traceback" not in result.stderr


def test_every_page_carries_security_headers(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"


def test_pages_are_compressed_by_the_app(client, make_survey):
    make_survey()
    response = client.get("/s/test/W1", headers={"Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response.headers["Vary"]


def test_vietnamese_is_the_default_and_english_a_click_away(client, make_survey):
    make_survey()
    vietnamese = client.get("/s/test/W1").get_data(as_text=True)
    assert '<html lang="vi">' in vietnamese
    assert "Tiếp theo" in vietnamese and "Hài lòng?" in vietnamese
    assert 'href="/s/test/W1?lang=en"' in vietnamese
    english = client.get("/s/test/W1?lang=en").get_data(as_text=True)
    assert (
        '<html lang="en">' in english and "Next" in english and "Satisfied?" in english
    )
    # The choice is remembered for the next page.
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)


def test_unknown_page_gets_a_friendly_404_in_vietnamese(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.get_data(as_text=True)


def test_a_nul_character_anywhere_is_refused_with_400(client, make_survey):
    make_survey()
    assert client.get("/s/test?q=a%00b").status_code == 400
    assert (
        client.post("/login", data={"email": "a\x00@b.vn", "password": "x"}).status_code
        == 400
    )
