"""The job queue: results pages never write; a real consumer folds the tallies."""

from __future__ import annotations

import re

import pytest
from flask import current_app, url_for
from sqlalchemy import event, select

from survey import jobs
from survey.domain.questions import TEXT_TYPES
from survey.extensions import db
from survey.models import Question, Unit
from survey.services.reporting import tallies, tally_check
from tests.jobs.conftest import wait_for

WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE|UPSERT|MERGE)\b", re.I)


def results_get_urls(survey) -> list[tuple[str, str]]:
    """Every GET route of the results and open blueprints, filled in."""
    version = survey.published_version
    text_question = db.session.scalar(
        select(Question.code).where(
            Question.version_id == version.id, Question.type.in_(TEXT_TYPES)
        )
    )
    ward = db.session.scalar(
        select(Unit.code).where(Unit.kind == "ward").order_by(Unit.id)
    )
    values = {
        "slug": survey.slug,
        "code": ward,
        "question_code": text_question,
        "fmt": "csv",
    }
    urls = []
    for rule in current_app.url_map.iter_rules():
        if rule.endpoint.split(".")[0] not in ("results", "open"):
            continue
        if "GET" not in rule.methods:
            continue
        args = {name: values[name] for name in rule.arguments if name in values}
        args.update({k: v for k, v in (rule.defaults or {}).items()})
        urls.append((rule.endpoint, url_for(rule.endpoint, **args)))
    return urls


def test_no_results_get_writes_and_the_fold_is_queued(
    demo, client, make_user, login, monkeypatch
):
    monkeypatch.setattr(tallies, "FOLD_AFTER", 10)
    waiting = tallies.waiting(demo)
    assert waiting >= 10
    city = db.session.scalar(select(Unit).where(Unit.parent_id.is_(None)))
    make_user("admin@city.vn", "admin", city)
    login("admin@city.vn")
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        urls = results_get_urls(demo)
        assert len(urls) >= 8, urls
        for endpoint, url in urls:
            statements.clear()
            response = client.get(url)
            response.get_data()  # a streamed download runs to its end
            response.close()
            assert response.status_code == 200, (url, response.status_code)
            writes = [s for s in statements if WRITE.match(s)]
            if endpoint == "results.export_raw":
                # The one write a download of raw responses must make: its
                # audit line, before the file streams.
                assert writes and all("audit_events" in s for s in writes), writes
            else:
                assert writes == [], (url, writes)
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    assert tallies.waiting(demo) == waiting  # nothing was folded by a page
    assert jobs.run_pending() == 1  # one fold was queued, however many pages
    assert tallies.waiting(demo) == 0
    assert tally_check.check() == []


@pytest.mark.commits  # a worker process reads and writes the database
def test_a_real_consumer_folds_what_a_page_queued(
    demo, client, make_user, login, monkeypatch, consumer
):
    monkeypatch.setattr(tallies, "FOLD_AFTER", 10)
    city = db.session.scalar(select(Unit).where(Unit.parent_id.is_(None)))
    make_user("leader@city.vn", "leader", city)
    login("leader@city.vn")
    waiting = tallies.waiting(demo)
    assert waiting >= 10
    assert client.get(f"/results/{demo.slug}").status_code == 200
    assert jobs.huey.pending_count() == 1
    worker = consumer()
    worker.start()
    assert wait_for(lambda: tallies.waiting(demo) == 0), worker.output()
    assert tally_check.check() == []
    assert jobs.huey.pending_count() == 0
    assert "fold_tallies" in worker.output()


def test_the_minute_job_folds_and_clears_a_lost_fold(demo):
    # A page queued a fold whose job was lost (its consumer died): the key
    # that keeps folds one at a time must not block folding for good.
    assert jobs.huey.put_if_empty(jobs.FOLD_PENDING, "1")
    assert tallies.waiting(demo) == 300
    jobs.every_minute.call_local()
    assert tallies.waiting(demo) == 0
    assert jobs.huey.put_if_empty(jobs.FOLD_PENDING, "1")  # free again


def test_the_nightly_quality_job_runs_twice_without_doubling_flags(demo):
    from sqlalchemy import func

    from survey.models import ResponseFlag

    assert jobs.nightly_quality.call_local() == 1
    flags = db.session.scalar(select(func.count(ResponseFlag.id)))
    assert flags > 0  # the demo has its speeders and straight-liners
    assert jobs.nightly_quality.call_local() == 1
    assert db.session.scalar(select(func.count(ResponseFlag.id))) == flags
