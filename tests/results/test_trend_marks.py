"""The overview's trend marks a new version ("v2") and a reform of the units,
each with its label, and says in words what the marks mean."""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta

from survey.extensions import db
from survey.models import Reform, ReformLink, SurveyVersion
from tests.results.conftest import unit


def _month_start(months_ago: int) -> date:
    first = date.today().replace(day=1)
    for _ in range(months_ago):
        first = (first - timedelta(days=1)).replace(day=1)
    return first


def _trend(html: str) -> dict:
    found = re.search(r'data-chart="chart-trend">(.*?)</script>', html, re.S)
    assert found
    return json.loads(found.group(1))


def _city(make_survey, add_responses):
    survey = make_survey()
    months = [_month_start(k) for k in (4, 3, 2)]
    for i, start in enumerate(months):
        at = datetime.combine(start + timedelta(days=10), datetime.min.time())
        add_responses(survey, unit("W1"), 20, code=5 if i else 2, submitted_at=at)
        add_responses(survey, unit("W2"), 20, code=4, submitted_at=at)
    first = survey.versions[0]
    first.published_at = datetime.combine(months[0], datetime.min.time())
    db.session.add(
        SurveyVersion(
            survey=survey,
            number=2,
            title_vi="v2",
            published_at=datetime.combine(
                months[1] + timedelta(days=3), datetime.min.time()
            ),
        )
    )
    reform = Reform(name="Merger", effective_on=months[2] + timedelta(days=5))
    reform.links.append(
        ReformLink(predecessor_id=unit("W1").id, successor_id=unit("W2").id)
    )
    db.session.add(reform)
    db.session.commit()
    return [m.strftime("%Y-%m") for m in months]


def test_trend_marks_the_new_version_and_the_reform(
    make_survey, add_responses, make_user, login, client
):
    months = _city(make_survey, add_responses)
    make_user("leader@city.vn", "leader", unit("CITY"))
    login("leader@city.vn")
    html = client.get("/results/test?lang=en").get_data(as_text=True)
    layout = _trend(html)["layout"]
    labels = {a["x"]: a["text"] for a in layout["annotations"]}
    assert labels == {months[1]: "v2", months[2]: "Reform"}
    lines = {s["x0"] for s in layout["shapes"]}
    assert lines == {months[1], months[2]}  # version 1 breaks nothing
    assert 'id="trend-marks"' in html
    assert "a reform of the units" in html
    table = html.split("Table: responses and satisfaction by month")[1]
    assert "Version 2 published" in table and "Reform" in table


def test_ward_page_marks_its_reform_in_vietnamese(
    make_survey, add_responses, make_user, login, client
):
    months = _city(make_survey, add_responses)
    make_user("ward@city.vn", "leader", unit("W2"))
    login("ward@city.vn")
    html = client.get("/results/test/unit/W2?lang=vi").get_data(as_text=True)
    labels = {a["x"]: a["text"] for a in _trend(html)["layout"]["annotations"]}
    assert labels[months[2]] == "Sắp xếp"
    assert "đường gạch màu xám" in html


def test_no_marks_without_a_change(
    make_survey, add_responses, make_user, login, client
):
    survey = make_survey()
    at = datetime.combine(_month_start(2) + timedelta(days=3), datetime.min.time())
    add_responses(survey, unit("W1"), 20, submitted_at=at)
    make_user("leader@city.vn", "leader", unit("CITY"))
    login("leader@city.vn")
    html = client.get("/results/test?lang=en").get_data(as_text=True)
    assert "annotations" not in _trend(html)["layout"]
    assert 'id="trend-marks"' not in html
