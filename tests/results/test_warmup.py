"""A new gunicorn worker works out the city overview before its first request."""

from __future__ import annotations

import logging

from flask import Flask
from sqlalchemy import event

from survey.extensions import db
from survey.services.reporting import reports
from survey.warmup import warm_up


def test_the_warm_up_runs_the_overview_queries(app, demo, caplog):
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        with caplog.at_level(logging.WARNING):
            warm_up(app)
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    assert any("factor_tallies" in s for s in statements)
    assert any("answer_tallies" in s for s in statements)
    assert "warm-up skipped" not in caplog.text


def test_a_failing_warm_up_is_logged_and_the_worker_starts(
    app, demo, monkeypatch, caplog
):
    def broken(*_args) -> None:
        raise RuntimeError("database away")

    monkeypatch.setattr(reports, "overview", broken)
    with caplog.at_level(logging.WARNING):
        warm_up(app)  # does not raise
    assert "warm-up skipped" in caplog.text
    warm_up(Flask("another"))  # an app without the database: nothing to warm
