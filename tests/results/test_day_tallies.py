"""Any date range (to the day) and the weekly trend, read from the tallies,
give exactly the figures counted from the response rows."""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import update

from survey import jobs
from survey.domain.questions import SATISFACTION_FACTORS
from survey.extensions import db
from survey.models.tallies import AnswerDayTally, ResponseDayTally
from survey.services.reporting import (
    publishing,
    question_counts,
    scope_counts,
    tallies,
    tally_check,
    trend_counts,
    unit_counts,
)
from survey.services.reporting.count_source import RAW, TALLIES
from survey.services.reporting.result_filter import ResultFilter
from tests.results.conftest import unit

CHANNELS = ("", "invited", "optin")
GROUPS = ("", "business")


def random_filters(seed: int, count: int) -> list[ResultFilter]:
    """Ranges with day precision around the demo's twelve months (some open
    on one side, some within one month), with random filters."""
    rng = random.Random(seed)
    today = date.today()
    filters = []
    for _ in range(count):
        start = today - timedelta(days=rng.randint(0, 400))
        end = start + timedelta(days=rng.choice((0, 3, 17, 40, 95, 200)))
        filters.append(
            ResultFilter(
                date_from=None if rng.random() < 0.15 else start,
                date_to=None if rng.random() < 0.15 else end,
                channel=rng.choice(CHANNELS),
                group=rng.choice(GROUPS),
                include_flagged=rng.random() < 0.3,
                trend=rng.choice(("month", "week")),
            )
        )
    return filters


def assert_agree(survey, scope, filters):
    compared = tally_check.comparisons(survey, scope, filters)
    assert compared
    for what, tallied, straight in compared:
        assert tallied == straight, what


def test_any_range_and_week_agrees_with_the_rows(demo):
    filters = random_filters(seed=24, count=5)
    # partly folded: the tallies' part and the waiting rows' add up
    tallies.fold(limit=170)
    db.session.commit()
    assert_agree(demo, None, filters)
    # all folded: the tallies alone
    jobs.fold_waiting()
    assert tallies.waiting() == 0
    assert_agree(demo, None, filters)
    assert_agree(demo, unit("P-BEN-THANH"), random_filters(seed=7, count=3))


def test_published_figures_with_the_cell_key_noise_agree(demo):
    jobs.fold_waiting()
    today = date.today()
    flt = ResultFilter(
        date_from=today - timedelta(days=75), date_to=today - timedelta(days=3)
    )
    views = (
        lambda s: trend_counts.responses_by_month(
            demo, None, ResultFilter(), "week", source=s
        ),
        lambda s: trend_counts.dimension_counts_by_month(
            demo, None, ResultFilter(), "overall", "week", source=s
        ),
        lambda s: trend_counts.responses_by_month(demo, None, flt, source=s),
        lambda s: question_counts.scale_counts(demo, None, flt, source=s),
        lambda s: question_counts.option_counts(demo, None, flt, source=s),
        lambda s: scope_counts.factor_patterns(
            demo, None, flt, SATISFACTION_FACTORS, source=s
        ),
    )
    publishing.CELL_KEY = True
    try:
        for view in views:
            tallied = view(TALLIES)
            assert tallied
            assert view(RAW) == tallied
    finally:
        publishing.CELL_KEY = None


def test_part_months_and_weeks_are_read_from_the_day_tallies(demo):
    jobs.fold_waiting()
    today = date.today()
    start = (today - timedelta(days=120)).replace(day=10)
    flt = ResultFilter(date_from=start, date_to=today)
    in_range = sum(unit_counts.responses_by_unit(demo, None, flt).values())
    weekly = trend_counts.responses_by_month(demo, None, ResultFilter(), "week")
    assert in_range and weekly
    # A day tally made wrong on purpose shows in both views: they read it.
    counted = ResponseDayTally.hard_flagged.is_(False)
    day = db.session.scalar(
        db.select(db.func.min(ResponseDayTally.day)).where(
            counted, ResponseDayTally.day >= start.isoformat()
        )
    )
    db.session.execute(
        update(ResponseDayTally)
        .where(counted, ResponseDayTally.day == day)
        .values(responses=ResponseDayTally.responses + 1000)
    )
    assert sum(unit_counts.responses_by_unit(demo, None, flt).values()) > in_range + 999
    after = trend_counts.responses_by_month(demo, None, ResultFilter(), "week")
    assert sum(after.values()) > sum(weekly.values()) + 999
    db.session.rollback()


def test_rebuild_fills_the_day_tallies_from_every_response(demo, app):
    runner = app.test_cli_runner()
    rebuilt = runner.invoke(args=["tallies", "rebuild"])
    assert rebuilt.exit_code == 0, rebuilt.output
    days = db.session.scalars(db.select(ResponseDayTally.responses)).all()
    assert sum(days) == 300
    assert db.session.scalar(db.select(db.func.count()).select_from(AnswerDayTally))
    checked = runner.invoke(args=["tallies", "check"])
    assert checked.exit_code == 0, checked.output
