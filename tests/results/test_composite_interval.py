"""M2's bootstrap interval: respondent patterns counted in SQL, shown and exported."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter, defaultdict

from sqlalchemy import select

from survey.domain import statistics as st
from survey.domain.questions import SATISFACTION_FACTORS
from survey.extensions import db
from survey.models import Answer, Question, Response
from survey.services.demo import DEMO_SLUG
from survey.services.reporting import reports, scope_counts
from survey.services.reporting.result_filter import ResultFilter
from tests.results.conftest import unit


def test_factor_patterns_match_a_recount_of_the_raw_answers(app, demo):
    scope = unit("P-SAI-GON")
    rows = db.session.execute(
        select(Answer.response_id, Question.dimension, Answer.value_int)
        .join(Response, Answer.response_id == Response.id)
        .join(Question, Answer.question_id == Question.id)
        .where(
            Response.hard_flagged.is_(False),
            Response.unit_id.in_(scope.subtree_ids(scope)),
            Question.dimension.in_(SATISFACTION_FACTORS),
        )
    ).all()
    per_response: dict[int, list[int | None]] = defaultdict(lambda: [None] * 5)
    for response_id, dimension, code in rows:
        if code in st.LIKERT_CODES:
            per_response[response_id][SATISFACTION_FACTORS.index(dimension)] = int(
                code >= 4
            )
    expected = Counter(tuple(v) for v in per_response.values())
    counted = scope_counts.factor_patterns(
        demo, scope, ResultFilter(), SATISFACTION_FACTORS
    )
    assert counted == expected
    assert len(counted) <= 3**5


def test_the_overview_shows_and_exports_the_interval(client, demo, make_user, login):
    make_user("leader@city.vn", "leader", unit("HCM"))
    login("leader@city.vn")
    report = reports.overview(demo, unit("HCM"), ResultFilter())
    m2 = report.composite
    assert m2.estimate is not None and m2.low is not None and m2.high is not None
    assert m2.low <= m2.estimate <= m2.high
    assert 0.01 < m2.high - m2.low < 0.25  # 300 responses
    html = client.get(f"/results/{DEMO_SLUG}?lang=en").get_data(as_text=True)
    box = re.sub(r"<[^>]+>", " ", html.split('id="m2"')[1].split("</div>")[0])
    low, high = (f"{100 * v:.1f}" for v in (m2.low, m2.high))
    assert f"{low}–{high}" in re.sub(r"\s+", " ", box)
    text = client.get(f"/results/{DEMO_SLUG}/export.csv?lang=en").get_data(as_text=True)
    row = next(
        r for r in csv.reader(io.StringIO(text.lstrip("\ufeff"))) if "(M2)" in r[1]
    )
    assert row[5:7] == [str(round(100 * m2.low, 1)), str(round(100 * m2.high, 1))]
