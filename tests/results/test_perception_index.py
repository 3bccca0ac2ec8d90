"""M3 on the questions page: each perception factor's index, with its interval.

Two P1 items (the waiting area; the equipment) and one P3 item with too few
answers. The expected figures are worked out here from METHODOLOGY.md
section 3, with a Wilson interval written out by hand.
"""

from __future__ import annotations

import math
import re
import secrets
from dataclasses import replace

from sqlalchemy import select

from survey.domain.questions import LIKERT5, OptionSpec, PageSpec, QuestionSpec
from survey.extensions import db
from survey.models import Answer, Question, Response, Survey
from tests.conftest import small_spec
from tests.results.conftest import unit

AGREE = tuple(OptionSpec(str(i), f"Mức {i}", f"Level {i}") for i in range(1, 6)) + (
    OptionSpec("9", "Không biết", "Don't know"),
)
# item -> answers (code: count); 9 is left out of every share
ANSWERS = {
    "B1.1": {5: 18, 4: 12, 3: 6, 2: 4},  # 30 of 40 agree
    "B1.2": {4: 20, 3: 10, 1: 10, 9: 5},  # 20 of 40 agree
    "B3.1": {5: 5},  # five answers only: hidden
}


def _spec():
    spec = small_spec()
    items = (
        QuestionSpec(
            "B1.1",
            LIKERT5,
            "Đủ chỗ ngồi.",
            "Enough seats.",
            options=AGREE,
            dimension="P1",
            required=False,
        ),
        QuestionSpec(
            "B1.2",
            LIKERT5,
            "Đủ thiết bị.",
            "Enough equipment.",
            options=AGREE,
            dimension="P1",
            required=False,
        ),
        QuestionSpec(
            "B3.1",
            LIKERT5,
            "Lịch sự.",
            "Polite.",
            options=AGREE,
            dimension="P3",
            required=False,
        ),
    )
    return replace(spec, pages=(*spec.pages, PageSpec("Trang ba", "Page three", items)))


def _answers(survey: Survey) -> None:
    version = survey.published_version
    questions = {
        q.code: q
        for q in db.session.scalars(
            select(Question).where(Question.version_id == version.id)
        )
    }
    for code, counts in ANSWERS.items():
        q = questions[code]
        options = {o.code: o.id for o in q.options}
        for value, count in counts.items():
            for _ in range(count):
                db.session.add(
                    Response(
                        survey_id=survey.id,
                        version_id=version.id,
                        unit_id=unit("W1").id,
                        channel="qr",
                        respondent_group="citizen",
                        token=secrets.token_hex(16),
                        answers=[
                            Answer(
                                question_id=q.id,
                                option_id=options[str(value)],
                                value_int=value,
                            )
                        ],
                    )
                )
    db.session.commit()


def _wilson(x: float, n: float, z: float = 1.96) -> tuple[float, float]:
    p = x / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def _row(html: str, factor: str) -> str:
    found = re.search(rf'<tr data-factor="{factor}">(.*?)</tr>', html, re.S)
    assert found, factor
    return found.group(1)


def test_leader_sees_the_perception_index_with_its_interval(
    make_survey, make_user, login, client
):
    survey = make_survey(spec=_spec())
    _answers(survey)
    make_user("leader@city.vn", "leader", unit("CITY"))
    login("leader@city.vn")
    html = client.get("/results/test/questions?lang=en").get_data(as_text=True)
    assert "Perception indices by factor" in html
    assert "What is a perception index?" in html
    low1, high1 = _wilson(30, 40)
    low2, high2 = _wilson(20, 40)
    estimate = (30 / 40 + 20 / 40) / 2  # 62.5 %
    row = _row(html, "P1")
    assert "Access to the service" in row
    assert f"{100 * estimate:.1f} %" in row
    low, high = 100 * (low1 + low2) / 2, 100 * (high1 + high2) / 2
    assert f"({low:.1f}–{high:.1f})" in row
    assert 'href="#q-B1.1"' in row and 'href="#q-B1.2"' in row
    assert re.search(r'<td class="num">40</td>', row)  # the smaller n of the two
    hidden = _row(html, "P3")
    assert "insufficient data" in hidden
    assert "%" not in hidden.split("</td>")[1]


def test_vietnamese_index_uses_a_decimal_comma(make_survey, make_user, login, client):
    survey = make_survey(spec=_spec())
    _answers(survey)
    make_user("leader@city.vn", "leader", unit("CITY"))
    login("leader@city.vn")
    html = client.get("/results/test/questions?lang=vi").get_data(as_text=True)
    assert "Chỉ số cảm nhận theo yếu tố" in html
    assert "62,5 %" in _row(html, "P1")


def test_no_index_without_perception_items(make_survey, make_user, login, client):
    make_survey()
    make_user("leader@city.vn", "leader", unit("CITY"))
    login("leader@city.vn")
    html = client.get("/results/test/questions?lang=en").get_data(as_text=True)
    assert "Perception indices by factor" not in html
