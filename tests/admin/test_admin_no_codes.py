"""No internal code on a Vietnamese admin page: types, dimensions, unit kinds."""

from __future__ import annotations

import re

import pytest

from survey.domain.questions import QUESTION_TYPES
from survey.extensions import db
from survey.models import Survey
from tests.admin.helpers import post

# Codes as they would appear alone in a cell or after a label's colon.
CODES = [*QUESTION_TYPES, "special_zone", "respondent_group", "overall"]


def visible_text(html: str) -> str:
    """The page's text, without tags, attributes, scripts or styles."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r"<option[^>]*value=\"[^\"]*\"", "<option", html)
    return re.sub(r"<[^>]+>", " ", html)


@pytest.mark.parametrize(
    "url",
    [
        "/admin/surveys/city-survey?lang=vi",
        "/admin/units?lang=vi",
    ],
)
def test_a_vietnamese_page_shows_labels_not_codes(client, as_admin, make_unit, url):
    make_unit("DZ", as_admin.city, kind="special_zone")
    text = visible_text(client.get(url).get_data(as_text=True))
    for code in CODES:
        assert not re.search(rf"(?<![\w-]){re.escape(code)}(?![\w-])", text), code


def test_the_question_editor_offers_dimension_labels(client, as_admin):
    survey = as_admin.survey
    question = survey.published_version.questions[0]
    post(client, f"/admin/surveys/{survey.slug}/draft")
    db.session.expire_all()
    draft = db.session.get(Survey, survey.id).draft_version
    question = next(q for q in draft.questions if q.code == question.code)
    url = f"/admin/surveys/{survey.slug}/questions/{question.id}?lang=vi"
    page = client.get(url).get_data(as_text=True)
    assert "Mức độ hài lòng chung (M1)" in page
    assert ">overall<" not in page and ">S1<" not in page
