"""M7 on the questions page: the experience facts of the A-items, by hand.

METHODOLOGY.md section 3: mean visits (A1), share on time (A3), share with
a receipt (A5), share asked for an informal payment (A6).
"""

from __future__ import annotations

import math
import re
import secrets
from dataclasses import replace

from sqlalchemy import select

from survey.domain.questions import SINGLE, OptionSpec, PageSpec, QuestionSpec
from survey.extensions import db
from survey.models import Answer, Question, Response, Survey
from tests.conftest import small_spec
from tests.results.conftest import unit

OPTIONS = {
    "A1": ("1", "2", "3", "4", "5"),
    "A3": ("early", "on_time", "late", "dont_remember"),
    "A5": ("yes", "no", "no_fee"),
    "A6": ("yes", "no", "prefer_not_say"),
}
ANSWERS = {
    "A1": {"1": 10, "2": 6, "3": 3, "5": 1},
    "A3": {"early": 4, "on_time": 10, "late": 6, "dont_remember": 5},
    "A5": {"yes": 12, "no": 3, "no_fee": 5},
    "A6": {"yes": 2, "no": 16, "prefer_not_say": 2},
}


def _spec():
    spec = small_spec()
    items = tuple(
        QuestionSpec(
            code,
            SINGLE,
            f"Câu {code}",
            f"Item {code}",
            options=tuple(OptionSpec(o, o, o) for o in options),
            required=False,
        )
        for code, options in OPTIONS.items()
    )
    return replace(spec, pages=(*spec.pages, PageSpec("Trải nghiệm", "Facts", items)))


def _answers(survey: Survey) -> None:
    version = survey.published_version
    questions = {
        q.code: q
        for q in db.session.scalars(
            select(Question).where(Question.version_id == version.id)
        )
    }
    for code, counts in ANSWERS.items():
        options = {o.code: o.id for o in questions[code].options}
        for option, count in counts.items():
            for _ in range(count):
                db.session.add(
                    Response(
                        survey_id=survey.id,
                        version_id=version.id,
                        unit_id=unit("W2").id,
                        channel="qr",
                        respondent_group="citizen",
                        token=secrets.token_hex(16),
                        answers=[
                            Answer(
                                question_id=questions[code].id,
                                option_id=options[option],
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


def _cell(html: str, key: str) -> str:
    found = re.search(rf'<tr data-fact="{key}">(.*?)</tr>', html, re.S)
    assert found, key
    return found.group(1)


def test_leader_reads_the_experience_facts(make_survey, make_user, login, client):
    survey = make_survey(spec=_spec())
    _answers(survey)
    make_user("leader@city.vn", "leader", unit("CITY"))
    login("leader@city.vn")
    html = client.get("/results/test/questions?lang=en").get_data(as_text=True)
    # A1: 20 answers, mean 36 / 20 = 1.80; s^2 = 21.2 / 19; t(19) = 2.093
    half = 2.093 * math.sqrt(21.2 / 19 / 20)
    visits = _cell(html, "visits")
    assert "1.80" in visits
    assert f"({1.8 - half:.2f}–{1.8 + half:.2f})" in visits
    assert '<td class="num">20</td>' in visits
    for key, (x, n) in {
        "on_time": (14, 20),  # early or on time, "don't remember" left out
        "receipt": (12, 15),  # among those who paid a fee
        "informal_payment": (2, 18),  # "prefer not to answer" left out
    }.items():
        low, high = _wilson(x, n)
        cells = _cell(html, key)
        assert f"{100 * x / n:.1f} %" in cells, key
        assert f"({100 * low:.1f}–{100 * high:.1f})" in cells, key
        assert f'<td class="num">{n}</td>' in cells, key
    assert "How are these counted?" in html


def test_vietnamese_facts_and_a_hidden_one(make_survey, make_user, login, client):
    survey = make_survey(spec=_spec())
    _answers(survey)  # every answer at W2: W1 has none
    make_user("leader@city.vn", "leader", unit("CITY"))
    login("leader@city.vn")
    html = client.get("/results/test/questions?lang=vi").get_data(as_text=True)
    assert "Dữ kiện trải nghiệm" in html
    assert "70,0 %" in _cell(html, "on_time")
    assert "1,80" in _cell(html, "visits")
    ward = client.get("/results/test/unit/W1/questions?lang=en").get_data(as_text=True)
    assert "insufficient data" in _cell(ward, "on_time")
    assert "%" not in _cell(ward, "on_time").split("</td>")[1]
