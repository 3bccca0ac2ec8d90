"""?trend=week: responses and satisfaction per local week (Monday first)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update

from survey.extensions import db
from survey.models import Response
from survey.services.reporting import trend_counts
from survey.services.reporting.result_filter import ResultFilter
from tests.results.test_results_pages import text_of


def test_weeks_start_on_a_local_monday(
    client, make_survey, make_unit, make_user, login, add_responses
):
    city = make_unit("CITY", kind="city")
    w1 = make_unit("W1", city)
    survey = make_survey(units=[w1], owner=city)
    add_responses(survey, w1, 3, code=4)
    add_responses(survey, w1, 2, code=2)
    ids = sorted(db.session.scalars(db.select(Response.id)))
    moments = [
        datetime(2026, 3, 1, 16, 30),  # Sunday 23:30 in Vietnam: week of 23 Feb
        datetime(2026, 3, 1, 17, 30),  # Monday 00:30 in Vietnam: week of 2 March
        datetime(2026, 3, 8, 10, 0),  # Sunday 17:00: still the week of 2 March
        datetime(2026, 3, 9, 1, 0),  # Monday: week of 9 March
        datetime(2026, 3, 9, 2, 0),
    ]
    for response_id, moment in zip(ids, moments, strict=True):
        db.session.execute(
            update(Response)
            .where(Response.id == response_id)
            .values(submitted_at=moment)
        )
    db.session.commit()
    weekly = trend_counts.responses_by_month(survey, city, ResultFilter(), "week")
    assert weekly == {"2026-02-23": 1, "2026-03-02": 2, "2026-03-09": 2}
    assert ResultFilter.from_args({"trend": "week"}).to_args() == {"trend": "week"}
    assert ResultFilter.from_args({"trend": "year"}).trend == "month"

    make_user("leader@city.vn", "leader", city)
    login("leader@city.vn")
    html = client.get("/results/test?lang=en&trend=week").get_data(as_text=True)
    text = text_of(html)
    assert "Week starting" in text
    assert "Mar 9, 2026 2" in text  # the week's Monday, as the page's locale says it
    assert '<option value="week" selected>' in html
    monthly = text_of(client.get("/results/test?lang=en").get_data(as_text=True))
    assert "Mar 2026 5" in monthly  # 1 March local: the Monday rule is the week's
