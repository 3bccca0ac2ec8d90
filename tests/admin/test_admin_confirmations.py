"""Publishing, deleting a question and closing ask once and say what happens."""

from __future__ import annotations

from survey.extensions import db
from survey.models import Survey
from tests.admin.helpers import post


def survey(survey_id: int) -> Survey:
    db.session.expire_all()
    return db.session.get(Survey, survey_id)


def test_publishing_asks_first_and_lists_the_texts_without_english(client, as_admin):
    slug, survey_id = as_admin.survey.slug, as_admin.survey.id
    post(client, f"/admin/surveys/{slug}/draft")
    draft = survey(survey_id).draft_version
    question = next(q for q in draft.questions if q.code == "WHY")
    question.text_en = ""
    db.session.commit()
    page = client.get(f"/admin/surveys/{slug}").get_data(as_text=True)
    assert f'href="/admin/surveys/{slug}/publish/confirm"' in page
    confirm = client.get(f"/admin/surveys/{slug}/publish/confirm")
    html = confirm.get_data(as_text=True)
    assert confirm.status_code == 200 and "Publish version 2?" in html
    assert "1 text has no English version" in html
    assert "question WHY: its text" in html
    assert "are frozen" in html and survey(survey_id).draft_version is not None
    post(client, f"/admin/surveys/{slug}/publish")  # the page's button
    assert survey(survey_id).draft_version is None


def test_deleting_a_question_says_which_conditions_it_takes(client, as_admin):
    slug, survey_id = as_admin.survey.slug, as_admin.survey.id
    post(client, f"/admin/surveys/{slug}/draft")
    draft = survey(survey_id).draft_version
    late = next(q for q in draft.questions if q.code == "LATE")
    url = f"/admin/surveys/{slug}/questions/{late.id}/delete/confirm"
    html = client.get(url).get_data(as_text=True)
    assert "Delete the question LATE?" in html and "Trễ hẹn?" in html
    assert "lose that condition: WHY" in html
    assert f'action="/admin/surveys/{slug}/questions/{late.id}/delete"' in html
    published = survey(survey_id).published_version.questions[0]
    gone = f"/admin/surveys/{slug}/questions/{published.id}/delete/confirm"
    assert client.get(gone).status_code == 404  # not a draft question


def test_closing_asks_first(client, as_admin):
    slug = as_admin.survey.slug
    html = client.get(f"/admin/surveys/{slug}/close/confirm").get_data(as_text=True)
    assert "Close the survey?" in html and 'value="close"' in html
    post(client, f"/admin/surveys/{slug}/state", {"action": "close"})
    assert client.get(f"/admin/surveys/{slug}/close/confirm").status_code == 404
    assert client.get(f"/admin/surveys/{slug}/publish/confirm").status_code == 404
