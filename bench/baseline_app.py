"""The baseline of the submission benchmark: bare Flask + SQLAlchemy, no checks.

``POST /b/insert`` inserts one row of 10 integers (issue 24's bare insert).
``GET /b/form`` hands out a token in a tiny form (no database), ``POST /b/submit``
inserts one response row and its answer rows, in the same tables and row shape
as the real app, and redirects: the same two requests a citizen's phone makes,
minus CSRF, sessions, templates, validation, quality checks and idempotency.

Run with the same gunicorn settings as the app:
``DATABASE_URL=... gunicorn -c gunicorn.conf.py bench.baseline_app:app``.
"""

from __future__ import annotations

import os
import secrets
from datetime import UTC, datetime

from flask import Flask, redirect, request
from sqlalchemy import create_engine, event, text

app = Flask(__name__)
url = os.environ["DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://", 1)
engine = create_engine(url)

if engine.dialect.name == "sqlite":

    @event.listens_for(engine, "connect")
    def _pragmas(connection, _record) -> None:  # the app's own settings
        cursor = connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


def _load_targets() -> tuple[int, int, int, dict[tuple[int, str], int], set[int]]:
    """The survey, version and unit answered, and each option's id by code."""
    with engine.connect() as connection:
        survey_id, version_id = connection.execute(
            text(
                "SELECT s.id, v.id FROM surveys s JOIN survey_versions v "
                "ON v.survey_id = s.id WHERE s.slug = :slug "
                "AND v.published_at IS NOT NULL ORDER BY v.number DESC"
            ),
            {"slug": os.environ.get("BENCH_SURVEY", "hai-long-dich-vu-cong")},
        ).first()
        unit_id = connection.execute(
            text("SELECT unit_id FROM survey_units WHERE survey_id = :s"),
            {"s": survey_id},
        ).scalar()
        options = {
            (question_id, code): option_id
            for option_id, question_id, code in connection.execute(
                text(
                    "SELECT o.id, o.question_id, o.code FROM options o "
                    "JOIN questions q ON q.id = o.question_id "
                    "WHERE q.version_id = :v"
                ),
                {"v": version_id},
            )
        }
        likert = {
            row[0]
            for row in connection.execute(
                text(
                    "SELECT id FROM questions WHERE version_id = :v "
                    "AND type = 'likert5'"
                ),
                {"v": version_id},
            )
        }
    return survey_id, version_id, unit_id, options, likert


SURVEY_ID, VERSION_ID, UNIT_ID, OPTIONS, LIKERT = _load_targets()
INSERT_RESPONSE = text(
    "INSERT INTO responses (survey_id, version_id, unit_id, channel, language, "
    "submitted_at, token, hard_flagged, soft_flag_count) VALUES "
    "(:survey_id, :version_id, :unit_id, 'qr', 'vi', :now, :token, :false, 0) "
    "RETURNING id"
)
INSERT_ANSWER = text(
    "INSERT INTO answers (response_id, question_id, option_id, value_int, "
    "value_text) VALUES (:response_id, :question_id, :option_id, :value_int, "
    ":value_text)"
)


@app.get("/b/form")
def form() -> str:
    token = secrets.token_hex(16)
    return (
        '<form method="post" action="/b/submit">'
        f'<input type="hidden" name="ticket" value="{token}"></form>'
    )


@app.post("/b/submit")
def submit():
    now = datetime.now(UTC).replace(tzinfo=None)
    rows = []
    for name, value in request.form.items(multi=True):
        if not name.startswith("q_") or not name[2:].isdigit():
            continue
        question_id = int(name[2:])
        option_id = OPTIONS.get((question_id, value))
        rows.append(
            {
                "question_id": question_id,
                "option_id": option_id,
                "value_int": int(value)
                if question_id in LIKERT or (option_id is None and value.isdigit())
                else None,
                "value_text": None if option_id or value.isdigit() else value,
            }
        )
    with engine.begin() as connection:
        response_id = connection.execute(
            INSERT_RESPONSE,
            {
                "survey_id": SURVEY_ID,
                "version_id": VERSION_ID,
                "unit_id": UNIT_ID,
                "now": now,
                "token": request.form.get("ticket", secrets.token_hex(16)),
                "false": False,
            },
        ).scalar_one()
        if rows:
            connection.execute(
                INSERT_ANSWER, [{"response_id": response_id, **row} for row in rows]
            )
    return redirect("/b/thanks")


INSERT_BARE = text(
    "INSERT INTO bench_bare_insert (a1, a2, a3, a4, a5, a6, a7, a8, a9, a10) "
    "VALUES (:a1, :a2, :a3, :a4, :a5, :a6, :a7, :a8, :a9, :a10)"
)


@app.post("/b/insert")
def bare_insert() -> str:
    """The issue-24 baseline: one row of 10 integers (bench/citizen.py makes the
    table), nothing checked, nothing rendered."""
    values = {f"a{i}": int(request.form.get(f"a{i}", "0")) for i in range(1, 11)}
    with engine.begin() as connection:
        connection.execute(INSERT_BARE, values)
    return "ok"
