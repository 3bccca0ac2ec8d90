"""The tallies give exactly the straight counts, whatever has been folded in."""

from __future__ import annotations

from datetime import date
from functools import partial

import pytest
from sqlalchemy import func, select, text

from survey import jobs
from survey.extensions import db
from survey.models import AnswerTally, FactorTally, Response, ResponseTally
from survey.models.tallies import ALL_MONTHS
from survey.services.demo import generate as demo_generate
from survey.services.demo import generate_responses
from survey.services.reporting import (
    count_source,
    tallies,
    tally_check,
    trend_counts,
    unit_counts,
)
from survey.services.reporting.count_source import RAW
from survey.services.reporting.result_filter import ResultFilter
from tests.results.conftest import unit


def assert_tallies_agree(survey, scope=None):
    compared = tally_check.comparisons(survey, scope)
    assert compared
    for what, tallied, straight in compared:
        assert tallied == straight, what


def test_counts_agree_before_during_and_after_folding(
    demo, make_survey, make_unit, add_responses
):
    # A second survey with the slices the demo seldom has.
    city = make_unit("CITY", kind="city")
    w1, w2 = make_unit("W1", city), make_unit("W2", city)
    small = make_survey(units=[w1, w2], owner=city)
    add_responses(small, w1, 3, code=1, channel="invited")
    add_responses(small, w1, 2, code=9, respondent_group="business")
    add_responses(small, w2, 2, code=4, hard_flagged=True, comment="  ")
    add_responses(small, w2, 2, code=5, comment="<b>nhanh</b>")
    assert tallies.waiting(demo) == 300
    for survey in (demo, small):
        assert_tallies_agree(survey)  # nothing folded: all counted from the rows

    assert tallies.fold(limit=120) == 120
    db.session.commit()
    assert_tallies_agree(demo)  # part tallied, part straight
    assert_tallies_agree(demo, unit("P-BEN-THANH"))

    jobs.fold_waiting()
    assert tallies.waiting() == 0
    assert db.session.scalar(select(func.count()).select_from(AnswerTally)) > 0
    for survey in (demo, small):
        assert_tallies_agree(survey)

    generate_responses(demo, 40, seed=11)  # new, not yet folded
    add_responses(small, w1, 4, code=2, comment="chậm")
    assert tallies.waiting() == 44
    assert_tallies_agree(demo, unit("P-BEN-THANH"))
    assert_tallies_agree(small, w1)
    assert tallies.fold() == 44
    assert tallies.fold() == 0  # nothing counted twice
    db.session.commit()
    assert tally_check.check() == []


def test_a_fold_is_one_batch_its_caller_commits(demo):
    db.session.commit()
    before = tallies.waiting(demo)
    assert tallies.fold(limit=50) == 50
    assert tallies.waiting(demo) == before - 50
    db.session.rollback()  # the service committed nothing: the job or CLI does
    assert tallies.waiting(demo) == before
    assert jobs.fold_waiting() == before
    db.session.rollback()
    assert tallies.waiting(demo) == 0


KEY_SUMS = ("key_sum", "code_key", "answered_key")  # added by migration 0009


def _tally_rows(key_sums: bool = True) -> list[list[tuple]]:
    return [
        sorted(
            tuple(row)
            for row in db.session.execute(
                select(
                    *(
                        c
                        for c in model.__table__.c
                        if key_sums or c.name not in KEY_SUMS
                    )
                )
            )
        )
        for model in (ResponseTally, FactorTally, AnswerTally)
    ]


def test_a_bulk_load_counted_as_it_is_written_equals_a_fold_of_it(demo, monkeypatch):
    jobs.fold_waiting()  # the demo's own 300 first
    monkeypatch.setattr(demo_generate, "SAVE_EVERY", 250)
    saved = []

    def checkpoint() -> None:
        saved.append(
            (tallies.waiting(), db.session.scalar(select(func.count(Response.id))))
        )
        db.session.commit()

    generate_responses(demo, 700, seed=12, chunk=100, tally=True, checkpoint=checkpoint)
    # Every 250 (at chunk ends) and at the end; nothing left for a fold at any of them.
    assert saved == [(0, 600), (0, 900), (0, 1000)]
    assert tallies.fold() == 0
    assert_tallies_agree(demo)
    assert_tallies_agree(demo, unit("P-BEN-THANH"))
    as_written = _tally_rows()
    for months in (
        ResponseTally.month != ALL_MONTHS,
        ResponseTally.month == ALL_MONTHS,
    ):
        summed = select(func.sum(ResponseTally.responses)).where(months)
        assert db.session.scalar(summed) == 1000

    tallies.clear()
    jobs.fold_waiting()
    assert _tally_rows() == as_written


def _over_all_months(model, summed: bool = False, key_sums: bool = True) -> list[tuple]:
    """The model's ALL_MONTHS rows, or (``summed``) its monthly rows added up
    over months, which they must equal."""
    table = model.__table__
    keys = [c for c in table.primary_key.columns if c.name != "month"]
    counts = [
        c for c in table.c if not c.primary_key and (key_sums or c.name not in KEY_SUMS)
    ]
    if summed:
        query = (
            select(*keys, *(func.sum(c) for c in counts))
            .where(table.c.month != ALL_MONTHS)
            .group_by(*keys)
        )
    else:
        query = select(*keys, *counts).where(table.c.month == ALL_MONTHS)
    return sorted(tuple(row) for row in db.session.execute(query))


def test_every_tally_cell_is_also_kept_over_all_months(demo):
    tallies.fold(limit=120)
    db.session.commit()
    jobs.fold_waiting()  # a second batch adds to the rows of the first
    for model in (ResponseTally, FactorTally, AnswerTally):
        assert _over_all_months(model) == _over_all_months(model, summed=True)
        assert _over_all_months(model), model


@pytest.mark.commits  # Alembic migrates on a connection of its own
def test_the_migration_makes_the_rows_over_all_months_from_the_monthly_ones(app, demo):
    from flask_migrate import downgrade, upgrade

    assert not app.logger.disabled
    jobs.fold_waiting()
    folded = _tally_rows(key_sums=False)
    db.session.remove()
    downgrade(revision="0007")
    try:
        for model in (ResponseTally, FactorTally, AnswerTally):
            assert not _over_all_months(model, key_sums=False)
        db.session.remove()
        upgrade(revision="0008")
        assert _tally_rows(key_sums=False) == folded
        db.session.remove()
    finally:
        upgrade()
    # 0009 gives the responses their record keys and refolds the tallies.
    assert tallies.waiting() == len(db.session.scalars(select(Response.id)).all())
    jobs.fold_waiting()
    assert _tally_rows(key_sums=False) == folded
    assert tally_check.check() == []
    assert not app.logger.disabled  # Alembic's logging set-up left it on


def test_the_overview_reads_the_same_figures_from_tallies_and_rows(demo):
    flt = ResultFilter()
    root = demo.owner_unit
    jobs.fold_waiting()
    with_tallies = unit_counts.dimension_counts_by_unit(demo, root, flt, ["overall"])
    straight = unit_counts.dimension_counts_by_unit(
        demo, root, flt, ["overall"], source=RAW
    )
    assert with_tallies == straight
    assert sum(sum(c.values()) for c in with_tallies["overall"].values()) > 0


def test_a_rebuild_gives_the_same_tallies(demo):
    jobs.fold_waiting()
    before = db.session.execute(
        select(ResponseTally.unit_id, func.sum(ResponseTally.responses)).group_by(
            ResponseTally.unit_id
        )
    ).all()
    tallies.clear()
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(ResponseTally)) == 0
    assert tallies.waiting() == db.session.scalar(select(func.count(Response.id)))
    jobs.fold_waiting()
    after = db.session.execute(
        select(ResponseTally.unit_id, func.sum(ResponseTally.responses)).group_by(
            ResponseTally.unit_id
        )
    ).all()
    assert sorted(before) == sorted(after)


@pytest.mark.parametrize(
    ("date_from", "date_to", "months", "days"),
    [
        (None, None, [""], []),
        (date(2026, 1, 1), date(2026, 3, 31), ["2026-01", "2026-03"], []),
        (date(2026, 1, 2), None, ["2026-02", None], [("2026-01-02", "2026-01-31")]),
        (None, date(2026, 2, 27), [None, "2026-01"], [("2026-02-01", "2026-02-27")]),
        (date(2026, 1, 15), date(2026, 2, 10), [], [("2026-01-15", "2026-02-10")]),
        (
            date(2025, 12, 31),
            date(2026, 3, 1),
            ["2026-01", "2026-02"],
            [("2025-12-31", "2025-12-31"), ("2026-03-01", "2026-03-01")],
        ),
    ],
)
def test_ranges_read_whole_months_and_the_days_around_them(
    demo, date_from, date_to, months, days
):
    def bounds(conditions):
        return sorted(
            (c.operator.__name__, c.right.value)
            for c in conditions
            if getattr(c.left, "name", None) in ("month", "day")
            and c.operator.__name__ in ("ge", "le", "eq")
        )

    flt = ResultFilter(date_from=date_from, date_to=date_to)
    reads = count_source.tally_reads(ResponseTally, demo, None, flt)
    monthly = [bounds(w) for t, w in reads if t is ResponseTally]
    daily = [bounds(w) for t, w in reads if t is not ResponseTally]
    expected_months = []
    if months == [""]:
        expected_months = [[("eq", "")]]
    elif months:
        expected_months = [
            sorted(
                [("ge", months[0])] * (months[0] is not None)
                + [("le", months[1])] * (months[1] is not None)
            )
        ]
    assert monthly == expected_months
    assert daily == [sorted([("ge", low), ("le", high)]) for low, high in days]


def test_part_month_and_weekly_slices_still_agree(demo):
    tallies.fold(limit=150)
    db.session.commit()
    today = date.today()
    flt = ResultFilter(date_from=today.replace(day=2), date_to=today)
    tallied = unit_counts.responses_by_unit(demo, None, flt)
    assert unit_counts.responses_by_unit(demo, None, flt, source=RAW) == tallied
    weekly = trend_counts.responses_by_month(demo, None, ResultFilter(), "week")
    assert sum(weekly.values()) == sum(
        unit_counts.responses_by_unit(demo, None, ResultFilter()).values()
    )


def test_a_results_page_queues_a_fold_of_waiting_responses(
    demo, client, make_user, login, monkeypatch
):
    monkeypatch.setattr(tallies, "FOLD_AFTER", 10)
    assert tallies.waiting(demo) >= 10
    make_user("leader@city.vn", "leader", unit("HCM"))
    login("leader@city.vn")
    assert client.get(f"/results/{demo.slug}").status_code == 200
    # The page only queued a fold (a GET never writes); the job folds them.
    assert tallies.waiting(demo) >= 10
    assert jobs.run_pending() == 1
    assert tallies.waiting(demo) == 0
    assert tally_check.check() == []


def test_the_tallies_commands(demo, app):
    runner = app.test_cli_runner()
    folded = runner.invoke(args=["tallies", "fold"])
    assert folded.exit_code == 0, folded.output
    assert "Folded 300 responses" in folded.output
    checked = runner.invoke(args=["tallies", "check"])
    assert checked.exit_code == 0, checked.output
    rebuilt = runner.invoke(args=["tallies", "rebuild"])
    assert rebuilt.exit_code == 0 and "Folded 300" in rebuilt.output
    # A tampered tally is caught by the check.
    db.session.execute(ResponseTally.__table__.update().values(responses=7))
    db.session.commit()
    broken = runner.invoke(args=["tallies", "check"])
    assert broken.exit_code != 0
    assert "counts differ" in broken.output


@pytest.mark.commits  # VACUUM runs on a connection of its own
def test_a_big_fold_compacts_the_tallies_and_keeps_every_count(demo, monkeypatch):
    """After a bulk fold PostgreSQL rewrites the tallies (each batch's upsert
    leaves dead rows behind) and refreshes its statistics; the counts stay."""
    postgresql = db.session.get_bind().dialect.name == "postgresql"
    analyzed = text("SELECT reltuples FROM pg_class WHERE relname = 'answers'")
    seen_by_first_fold = []
    real_fold = partial(tallies.fold, limit=40)

    def fold() -> int:
        if not seen_by_first_fold and postgresql:
            seen_by_first_fold.append(db.session.scalar(analyzed))
        return real_fold()

    monkeypatch.setattr(tallies, "fold", fold)
    monkeypatch.setattr(tallies, "TIDY_AFTER", 100)
    tidied = []
    real_tidy = tallies.tidy_postgresql
    monkeypatch.setattr(tallies, "tidy_postgresql", lambda: tidied.append(real_tidy()))
    # The table's file: VACUUM FULL writes the live rows to a new one, so no
    # dead row is left. (The statistics' dead-row count arrives late under load.)
    file_of = select(func.pg_relation_filenode(text("'answer_tallies'::regclass")))
    before = db.session.scalar(file_of) if postgresql else None
    assert jobs.fold_waiting() == db.session.scalar(select(func.count(Response.id)))
    assert_tallies_agree(demo)
    if not postgresql:
        assert not tidied
        return
    assert len(tidied) == 1
    assert db.session.scalar(file_of) != before
    # Analyzed before the first batch (a bulk load has no statistics) and after.
    assert seen_by_first_fold[0] > 0 and db.session.scalar(analyzed) > 0
