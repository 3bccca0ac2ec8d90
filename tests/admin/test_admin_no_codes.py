"""No internal code on a Vietnamese admin page: types, dimensions, unit kinds."""

from __future__ import annotations

import re

import pytest

from survey.domain.questions import QUESTION_TYPES
from survey.extensions import db
from survey.models import Survey
from tests.admin.helpers import post
from tests.admin.test_route_map_rights import city  # noqa: F401 (fixture)

# Codes as they would appear alone in a cell or after a label's colon.
CODES = [*QUESTION_TYPES, "special_zone", "respondent_group", "overall"]


def visible_text(html: str) -> str:
    """The page's text, without tags, attributes, scripts or styles."""
    # Scripts, styles, and textareas (texts an administrator edits, such as
    # the English message template) are not the interface's own words.
    html = re.sub(r"<(script|style|textarea)\b.*?</\1>", " ", html, flags=re.S)
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


# Codes of the audit log and of reviews, which once showed on Vietnamese pages.
EVENT_CODES = ["create_survey", "publish_version", "import_translations", "all_top"]


def test_no_admin_page_in_vietnamese_shows_an_internal_code(client, app, city, login):  # noqa: F811
    """Every GET page of the admin, opened by a city administrator in Vietnamese,
    with a draft that changes a question's type (so the diff shows types)."""
    from tests.admin.test_route_map_rights import walked_rules

    hcm = city["hcm"]
    survey = db.session.scalar(db.select(Survey).where(Survey.slug == hcm.slug))
    draft = survey.draft_version
    draft.questions[1].type = "multiple"
    db.session.commit()
    login("admin@hcm.gov.vn")
    client.get("/admin/?lang=vi")
    post(client, f"/admin/surveys/{hcm.slug}/settings", {"min_n": "10"})
    scanned, found = 0, []
    for rule, method in walked_rules(app):
        if method != "GET" or not rule.endpoint.startswith("admin."):
            continue
        with app.test_request_context():
            from flask import url_for

            url = url_for(rule.endpoint, **hcm.values(rule))
        response = client.get(url)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        scanned += 1
        text = visible_text(response.get_data(as_text=True))
        for code in CODES + EVENT_CODES:
            hit = re.search(rf"(?<![\w-]){re.escape(code)}(?![\w-])", text)
            if hit:
                around = " ".join(text[hit.start() - 50 : hit.end() + 50].split())
                found.append(f"{url}: {code} in “{around}”")
    assert scanned >= 30
    assert found == []
