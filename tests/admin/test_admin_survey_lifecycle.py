"""Copying a survey, discarding a draft, deleting an unused survey, finding one."""

from __future__ import annotations

from sqlalchemy import func, select

from survey.extensions import db
from survey.models import AuditEvent, Question, Survey
from tests.admin.helpers import post


def by_slug(slug: str) -> Survey | None:
    db.session.expire_all()
    return db.session.scalar(select(Survey).where(Survey.slug == slug))


def actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action)))


def test_a_copy_is_a_new_draft_with_the_same_questions_and_no_units(client, as_admin):
    slug = as_admin.survey.slug
    page = client.get(f"/admin/surveys/{slug}").get_data(as_text=True)
    assert f'href="/admin/surveys/{slug}/duplicate"' in page
    assert client.get(f"/admin/surveys/{slug}/duplicate").status_code == 200
    response = post(
        client,
        f"/admin/surveys/{slug}/duplicate",
        {"slug": "city-survey-2027", "title_vi": "Khảo sát 2027", "title_en": ""},
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/admin/surveys/city-survey-2027")
    copy, source = by_slug("city-survey-2027"), by_slug(slug)
    assert copy.status == "draft" and copy.published_version is None
    assert copy.units == [] and copy.title_vi == "Khảo sát 2027"
    assert copy.title_en == ""  # not the source's English title
    codes = [q.code for q in copy.draft_version.questions]
    assert codes == [q.code for q in source.published_version.questions]
    assert "duplicate_survey" in actions()


def test_a_taken_or_bad_address_is_refused_with_a_message(client, as_admin):
    slug = as_admin.survey.slug
    taken = post(client, f"/admin/surveys/{slug}/duplicate", {"slug": slug})
    assert taken.status_code == 422
    assert "This address is taken" in taken.get_data(as_text=True)
    bad = post(client, f"/admin/surveys/{slug}/duplicate", {"slug": "Có Dấu"})
    assert bad.status_code == 422
    assert db.session.scalar(select(func.count(Survey.id))) == 1


def test_discarding_a_draft_keeps_the_published_version(client, as_admin):
    slug = as_admin.survey.slug
    post(client, f"/admin/surveys/{slug}/draft")
    page = client.get(f"/admin/surveys/{slug}").get_data(as_text=True)
    assert f'href="/admin/surveys/{slug}/discard/confirm"' in page
    confirm = client.get(f"/admin/surveys/{slug}/discard/confirm").get_data(
        as_text=True
    )
    assert (
        "Discard draft version 2?" in confirm and "keep answering version 1" in confirm
    )
    questions = db.session.scalar(select(func.count(Question.id)))
    assert post(client, f"/admin/surveys/{slug}/discard").status_code == 302
    survey = by_slug(slug)
    assert survey.draft_version is None and survey.published_version.number == 1
    assert db.session.scalar(select(func.count(Question.id))) == questions // 2
    assert "discard_draft" in actions()
    assert client.get(f"/admin/surveys/{slug}/discard/confirm").status_code == 404


def test_only_a_never_published_survey_without_answers_can_be_deleted(client, as_admin):
    slug = as_admin.survey.slug
    cannot = client.get(f"/admin/surveys/{slug}/delete/confirm").get_data(as_text=True)
    assert "This survey cannot be deleted" in cannot and "close it instead" in cannot
    assert f'action="/admin/surveys/{slug}/delete"' not in cannot
    refused = post(client, f"/admin/surveys/{slug}/delete")
    assert refused.status_code == 302 and by_slug(slug) is not None
    post(client, f"/admin/surveys/{slug}/duplicate", {"slug": "thu-nghiem"})
    page = client.get("/admin/surveys/thu-nghiem").get_data(as_text=True)
    assert 'href="/admin/surveys/thu-nghiem/delete/confirm"' in page
    confirm = client.get("/admin/surveys/thu-nghiem/delete/confirm")
    assert "never published" in confirm.get_data(as_text=True)
    deleted = post(client, "/admin/surveys/thu-nghiem/delete")
    assert deleted.status_code == 302 and by_slug("thu-nghiem") is None
    assert "delete_survey" in actions()


def test_the_list_finds_a_survey_without_accents(client, as_admin):
    post(
        client,
        f"/admin/surveys/{as_admin.survey.slug}/duplicate",
        {
            "slug": "dat-dai",
            "title_vi": "Khảo sát đất đai phường",
        },
    )
    found = client.get("/admin/?q=dat+phuong").get_data(as_text=True)
    assert (
        "Khảo sát đất đai phường" in found
        and '/admin/surveys/city-survey"' not in found
    )
    none = client.get("/admin/?q=zzz").get_data(as_text=True)
    assert "No survey matches “zzz”." in none


def test_a_designer_cannot_copy_or_delete_outside_their_scope(client, as_designer):
    slug = as_designer.survey.slug
    assert client.get(f"/admin/surveys/{slug}/duplicate").status_code in (403, 404)
    response = post(client, f"/admin/surveys/{slug}/duplicate", {"slug": "mine"})
    assert response.status_code in (403, 404) and by_slug("mine") is None
