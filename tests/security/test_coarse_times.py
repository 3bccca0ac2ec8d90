"""The results index tells the day of the latest response, not its minute."""

import re
from datetime import datetime

from sqlalchemy import update

from survey.extensions import db
from survey.models import Response
from tests.results.conftest import add_responses, unit  # noqa: F401 - fixture


def test_the_latest_response_is_shown_to_the_day(
    client,
    make_survey,
    add_responses,  # noqa: F811
    make_user,
    login,
):
    survey = make_survey()
    add_responses(survey, unit("W1"), 3)
    at = datetime(2026, 11, 20, 3, 47)  # 10:47 in Ho Chi Minh City
    db.session.execute(update(Response).values(submitted_at=at))
    db.session.commit()
    make_user("leader@city.vn", "leader", unit("CITY"))
    login("leader@city.vn")
    html = client.get("/results/?lang=en").get_data(as_text=True)
    row = re.search(r"<td>([^<]*2026[^<]*)</td>", html)
    assert row and "Nov 20, 2026" in row.group(1)
    assert not re.search(r"\d{1,2}:\d{2}", row.group(1))
