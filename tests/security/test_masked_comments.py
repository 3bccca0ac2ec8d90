"""Comments are masked when stored; pages and their search read that copy.

The raw text stays for administrators only (the raw export, audited); the
migration masks the comments stored before it.
"""

from __future__ import annotations

import re
import uuid

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, select, text

from survey import create_app
from survey.domain.masking import MASK
from survey.extensions import db
from survey.models import Answer, Question
from tests.conftest import _config, _postgres_admin_url
from tests.public.helpers import good_answers, open_form, qid
from tests.results.conftest import add_responses, unit  # noqa: F401 - fixture

PHONE, EMAIL = "(+84) 903 123 456", "nguyenvanan@gmail.com"
LEAKY = f"Chị Nguyễn Thị Lan gọi {PHONE} hoặc {EMAIL} rất chậm"


def count_line(html: str) -> str:
    text_ = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    return re.search(r"\d+ of \d+ comments", text_).group(0)


def test_a_submitted_comment_is_stored_with_its_masked_copy(app, make_survey):
    make_survey()
    client = app.test_client()
    fields = open_form(client, "/s/test/W1")
    data = {**fields, **good_answers(), qid("NOTE"): LEAKY, "page": "1"}
    data["action"] = "submit"
    assert client.post("/s/test/W1", data=data).status_code == 302
    raw, masked = db.session.execute(
        select(Answer.value_text, Answer.text_masked)
        .join(Question)
        .where(Question.code == "NOTE")
    ).one()
    assert raw == LEAKY  # kept for the administrators' raw export
    assert MASK in masked and "rất chậm" in masked
    for secret in ("903 123", "nguyenvanan", "gmail", "Thị Lan"):
        assert secret not in masked, secret


def test_the_page_shows_the_masked_copy_and_searches_only_it(
    client,
    make_survey,
    add_responses,  # noqa: F811
    make_user,
    login,
):
    survey = make_survey()
    add_responses(survey, unit("W1"), 10, comment=LEAKY)
    add_responses(survey, unit("W1"), 2, comment="Nhân viên nhiệt tình")
    make_user("leader@city.vn", "leader", unit("CITY"))
    login("leader@city.vn")
    page = client.get("/results/test/comments/NOTE?lang=en").get_data(as_text=True)
    assert "rất chậm" in page and "903 123" not in page and "gmail" not in page
    for probe in ("nguyenvanan", "gmail", "Thị Lan", "Lan gọi"):
        html = client.get(f"/results/test/comments/NOTE?lang=en&q={probe}")
        assert count_line(html.get_data(as_text=True)) == "0 of 12 comments", probe
    for probe, found in (("RẤT CHẬM", 10), ("nhiệt tình", 2)):
        html = client.get(f"/results/test/comments/NOTE?lang=en&q={probe}")
        assert count_line(html.get_data(as_text=True)) == f"{found} of 12 comments"


def fresh_database(backend: str, tmp_path) -> tuple[str, object]:
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'migrate.sqlite3'}", None
    admin_url = _postgres_admin_url()
    if admin_url is None:
        pytest.skip("no PostgreSQL reachable")
    name = f"survey_mig_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    return re.sub(r"/[^/]*$", f"/{name}", admin_url), (admin, name)


@pytest.mark.commits
@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_the_migration_masks_the_comments_stored_before_it(backend, tmp_path):
    url, cleanup = fresh_database(backend, tmp_path)
    migrating = create_app(_config(url))
    try:
        with migrating.app_context():
            upgrade(revision="0012_cell_keys")
            raw = create_engine(url)
            with raw.begin() as connection:
                if backend == "sqlite":  # answers alone, no response rows
                    connection.execute(text("PRAGMA foreign_keys=OFF"))
                else:
                    connection.execute(
                        text("SET LOCAL session_replication_role = replica")
                    )
                connection.execute(
                    text(
                        "INSERT INTO answers (id, response_id, question_id, value_text)"
                        " VALUES (1, 1, 1, :leaky), (2, 1, 2, NULL), (3, 1, 3, 'Tốt')"
                    ),
                    {"leaky": LEAKY},
                )
            upgrade(revision="0013_masked_comments")
            with raw.connect() as connection:
                rows = dict(
                    connection.execute(
                        text("SELECT id, text_masked FROM answers")
                    ).all()
                )
            assert rows[2] is None and rows[3] == "Tốt"
            assert "device_salts" not in inspect(raw).get_table_names()
            assert MASK in rows[1] and "903 123" not in rows[1]
            assert "nguyenvanan" not in rows[1] and "rất chậm" in rows[1]
            with raw.begin() as connection:  # the rows without parents go
                connection.execute(text("DELETE FROM answers"))
            downgrade(revision="0012_cell_keys")
            columns = {c["name"] for c in inspect(raw).get_columns("answers")}
            assert "text_masked" not in columns and "value_text" in columns
            assert "device_salts" in inspect(raw).get_table_names()
            raw.dispose()
            db.engine.dispose()
    finally:
        if cleanup is not None:
            admin, name = cleanup
            with admin.connect() as connection:
                connection.execute(
                    text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                )
            admin.dispose()
