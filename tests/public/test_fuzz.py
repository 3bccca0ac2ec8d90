"""Property-based fuzzing of the citizen's form: never a 500, nothing half-stored."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from survey.extensions import db
from survey.models import Answer, Response
from tests.public.helpers import good_answers, open_form, qid

URL = "/s/test/W1"
CODES = ["SAT", "LATE", "WHY", "IMPROVE", "NPS", "STARS", "VISITS", "WHEN", "NOTE"]

hostile_text = st.one_of(
    st.text(max_size=400),
    st.sampled_from(
        [
            "<script>alert(1)</script>",
            "' OR 1=1; --",
            "\x00\x01\x02",
            "\u202e\u200b\ufeff",
            "9" * 400,
            "-1",
            "1e309",
            "NaN",
            "2026-02-30",
            "𝕳𝖊𝖑𝖑𝖔",
        ]
    ),
)
values = st.one_of(hostile_text, st.lists(hostile_text, max_size=4))


@pytest.fixture
def published_survey(make_survey):
    """Made once per test function: Hypothesis reuses it for every example."""
    return make_survey()


def counts() -> tuple[int, int]:
    db.session.expire_all()
    return (
        db.session.scalar(select(func.count(Response.id))),
        db.session.scalar(select(func.count(Answer.id))),
    )


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    changes=st.dictionaries(st.sampled_from(CODES), values, max_size=5),
    action=st.sampled_from(["next", "back", "submit", "", "delete", "<b>"]),
    page=st.one_of(
        st.sampled_from(["0", "1", "7", "-1", "²", "9" * 5000]), st.text(max_size=8)
    ),
    extra=st.dictionaries(st.text(max_size=20), hostile_text, max_size=3),
)
def test_any_post_gets_an_answer_below_500_and_a_refusal_stores_nothing(
    client, make_survey, changes, action, page, extra
):
    if not db.session.scalar(
        select(func.count()).select_from(Response.__table__)
    ) and not (client.get(URL).status_code == 200):
        make_survey()
    fields = open_form(client, URL)
    data = {**extra, **good_answers(), **fields, "action": action, "page": page}
    for code, value in changes.items():
        data[qid(code)] = value
    before = counts()
    response = client.post(URL, data=data)
    assert response.status_code < 500
    after = counts()
    if response.status_code == 302:
        assert after[0] == before[0] + 1 or response.headers["Location"].endswith(
            "/thanks"
        )
    else:
        assert after == before
