"""The question library: bank questions ticked and added to any draft."""

from __future__ import annotations

from survey.extensions import db
from survey.models import Survey
from survey.services.design.question_library import library
from tests.admin.helpers import post


def draft_of(survey_id: int):
    db.session.expire_all()
    return db.session.get(Survey, survey_id).draft_version


def test_every_bank_question_is_in_the_library_once():
    codes = [item.question.code for item in library()]
    assert len(codes) == len(set(codes)) and len(codes) > 30


def test_a_designer_adds_bank_questions_with_their_wording_and_dimension(
    client, as_admin
):
    slug, survey_id = as_admin.survey.slug, as_admin.survey.id
    post(client, f"/admin/surveys/{slug}/draft")
    page = client.get(f"/admin/surveys/{slug}").get_data(as_text=True)
    assert f'href="/admin/surveys/{slug}/library"' in page
    html = client.get(f"/admin/surveys/{slug}/library").get_data(as_text=True)
    item = next(i for i in library() if i.question.dimension and i.question.options)
    assert item.question.text_vi in html
    last_page = draft_of(survey_id).pages[-1].id
    response = post(
        client,
        f"/admin/surveys/{slug}/library",
        {"codes": [item.question.code], "page": str(last_page)},
    )
    assert response.status_code == 302
    added = {q.code: q for q in draft_of(survey_id).questions}[item.question.code]
    assert added.text_vi == item.question.text_vi
    assert added.text_en == item.question.text_en
    assert added.dimension == item.question.dimension
    assert [o.code for o in added.options] == [o.code for o in item.question.options]
    assert added.page_id == last_page
    again = client.get(f"/admin/surveys/{slug}/library").get_data(as_text=True)
    assert f'value="{item.question.code}" disabled' in again


def test_nothing_ticked_or_a_code_already_there_gets_a_message(client, as_admin):
    slug, survey_id = as_admin.survey.slug, as_admin.survey.id
    post(client, f"/admin/surveys/{slug}/draft")
    page_id = str(draft_of(survey_id).pages[0].id)
    empty = post(client, f"/admin/surveys/{slug}/library", {"page": page_id})
    assert empty.status_code == 422
    assert "Tick at least one question." in empty.get_data(as_text=True)
    unknown = post(
        client, f"/admin/surveys/{slug}/library", {"codes": ["NOPE"], "page": page_id}
    )
    assert unknown.status_code == 422  # not one of the library's questions
    count = len(draft_of(survey_id).questions)
    assert count == 9
