"""A display condition: pick an earlier question, then tick its answers."""

from __future__ import annotations

from survey.extensions import db
from survey.models import Survey
from tests.admin.helpers import post
from tests.admin.test_admin_designer import question_form


def draft_questions(survey_id: int):
    db.session.expire_all()
    return {
        q.code: q for q in db.session.get(Survey, survey_id).draft_version.questions
    }


def test_the_editor_offers_the_earlier_answers_as_boxes_to_tick(client, as_admin):
    slug, survey_id = as_admin.survey.slug, as_admin.survey.id
    post(client, f"/admin/surveys/{slug}/draft")
    questions = draft_questions(survey_id)
    late, why = questions["LATE"], questions["WHY"]
    html = client.get(f"/admin/surveys/{slug}/questions/{why.id}").get_data(
        as_text=True
    )
    assert f'value="{late.id}:yes" checked' in html  # the condition it has
    assert f'value="{late.id}:no">' in html
    assert "Then tick the answers of that question" in html
    assert 'name="condition_codes"' not in html  # nothing to type
    assert "js/condition." in html


def test_ticking_answers_sets_the_condition_and_other_ticks_do_not_count(
    client, as_admin
):
    slug, survey_id = as_admin.survey.slug, as_admin.survey.id
    post(client, f"/admin/surveys/{slug}/draft")
    questions = draft_questions(survey_id)
    sat, late, note = questions["SAT"], questions["LATE"], questions["NOTE"]
    url = f"/admin/surveys/{slug}/questions/{note.id}"
    form = question_form(
        code="NOTE", type="long_text", options="", page=str(note.page_id),
        required="", condition_question=str(sat.id),
        condition_options=[f"{sat.id}:1", f"{sat.id}:2", f"{late.id}:yes"],
    )  # fmt: skip
    assert post(client, url, form).status_code == 302
    saved = draft_questions(survey_id)["NOTE"]
    assert saved.condition_question_id == sat.id
    assert saved.condition_option_codes == ["1", "2"]


def test_a_condition_without_a_ticked_answer_is_refused_with_a_message(
    client, as_admin
):
    slug, survey_id = as_admin.survey.slug, as_admin.survey.id
    post(client, f"/admin/surveys/{slug}/draft")
    questions = draft_questions(survey_id)
    sat, late, note = questions["SAT"], questions["LATE"], questions["NOTE"]
    url = f"/admin/surveys/{slug}/questions/{note.id}"
    form = question_form(
        code="NOTE", type="long_text", options="", page=str(note.page_id),
        condition_question=str(sat.id), condition_options=[f"{late.id}:yes"],
    )  # fmt: skip
    response = post(client, url, form)
    assert response.status_code == 422
    assert "Tick the answers of the chosen question" in response.get_data(as_text=True)
    assert draft_questions(survey_id)["NOTE"].condition_question_id is None
