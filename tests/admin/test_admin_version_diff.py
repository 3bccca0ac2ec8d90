"""Before publishing version 2 the designer sees what changes and which trends break."""

from __future__ import annotations

from survey.extensions import db
from survey.models import Survey
from tests.admin.helpers import post


def draft_of(survey_id: int):
    db.session.expire_all()
    return db.session.get(Survey, survey_id).draft_version


def test_the_publish_page_lists_changes_and_flags_a_reworded_index_item(
    client, as_admin
):
    slug, survey_id = as_admin.survey.slug, as_admin.survey.id
    post(client, f"/admin/surveys/{slug}/draft")
    draft = draft_of(survey_id)
    sat = next(q for q in draft.questions if q.code == "SAT")
    sat.text_vi = "Ông/Bà hài lòng với thủ tục?"
    why = next(q for q in draft.questions if q.code == "WHY")
    why.required = False
    db.session.commit()
    html = client.get(f"/admin/surveys/{slug}/publish/confirm").get_data(as_text=True)
    assert "What changes against version 1" in html
    assert "1 change alters what an index item measures" in html
    assert html.count("(trend breaks)") == 1
    assert "Ông/Bà hài lòng với thủ tục?" in html and "Hài lòng?" in html
    assert "required or optional changed" in html


def test_an_unchanged_draft_says_so(client, as_admin):
    slug = as_admin.survey.slug
    post(client, f"/admin/surveys/{slug}/draft")
    html = client.get(f"/admin/surveys/{slug}/publish/confirm").get_data(as_text=True)
    assert "No question changes: the same questions as version 1." in html
    assert "trend breaks" not in html


def test_the_diff_reads_vietnamese(client, as_admin):
    slug, survey_id = as_admin.survey.slug, as_admin.survey.id
    post(client, f"/admin/surveys/{slug}/draft")
    sat = next(q for q in draft_of(survey_id).questions if q.code == "SAT")
    sat.text_vi = "Câu mới"
    db.session.commit()
    url = f"/admin/surveys/{slug}/publish/confirm?lang=vi"
    html = client.get(url).get_data(as_text=True)
    assert "Những gì thay đổi so với phiên bản 1" in html
    assert "xu hướng bị gián đoạn" in html
