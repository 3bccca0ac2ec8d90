"""A translator's spreadsheet: out with every text, back in for the draft's English."""

from __future__ import annotations

from io import BytesIO

from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from survey.extensions import db
from survey.models import AuditEvent, Survey
from tests.admin.helpers import post
from tests.conftest import csrf_token


def draft_of(survey_id: int):
    db.session.expire_all()
    return db.session.get(Survey, survey_id).draft_version


def workbook(rows: list[tuple]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def upload(client, slug: str, content: bytes, name: str = "texts.xlsx"):
    url = f"/admin/surveys/{slug}/translations"
    return client.post(
        url,
        data={"csrf_token": csrf_token(client, url), "file": (BytesIO(content), name)},
        content_type="multipart/form-data",
    )


def test_a_translator_fills_the_missing_english_by_spreadsheet(client, as_admin):
    slug, survey_id = as_admin.survey.slug, as_admin.survey.id
    post(client, f"/admin/surveys/{slug}/draft")
    draft = draft_of(survey_id)
    why = next(q for q in draft.questions if q.code == "WHY")
    why.text_en = ""
    db.session.commit()
    survey_page = client.get(f"/admin/surveys/{slug}").get_data(as_text=True)
    assert f'href="/admin/surveys/{slug}/translations"' in survey_page
    page = client.get(f"/admin/surveys/{slug}/translations").get_data(as_text=True)
    assert "texts has no English version" in page
    assert "question WHY: its text" in page

    sheet = client.get(f"/admin/surveys/{slug}/translations.xlsx")
    assert (
        sheet.status_code == 200
        and "-texts.xlsx" in sheet.headers["Content-Disposition"]
    )
    rows = list(load_workbook(BytesIO(sheet.data)).active.iter_rows(values_only=True))
    assert rows[0] == ("key", "vietnamese", "english")
    by_key = {row[0]: row for row in rows[1:]}
    assert by_key["WHY.text"][1:] == ("Vì sao?", None)
    assert by_key["LATE.option.yes"][1:] == ("Có", "Yes")

    filled = [rows[0]] + [
        (k, vi, "Why so?" if k == "WHY.text" else en) for k, vi, en in rows[1:]
    ]
    response = upload(client, slug, workbook(filled))
    assert response.status_code == 302
    texts = {q.code: q.text_en for q in draft_of(survey_id).questions}
    assert texts["WHY"] == "Why so?"
    page = client.get(f"/admin/surveys/{slug}/translations").get_data(as_text=True)
    assert "1 English texts taken from the sheet" in page
    assert "Every text has its English version." in page
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "import_translations")
    ).one()
    assert event.details["updated"] == 1


def test_rows_it_cannot_take_are_reported_and_the_rest_taken(client, as_admin):
    slug, survey_id = as_admin.survey.slug, as_admin.survey.id
    post(client, f"/admin/surveys/{slug}/draft")
    rows = [
        ("key", "vietnamese", "english"),
        ("SAT.text", "Hài lòng?", "Are you satisfied?"),
        ("NOPE.text", "Gì?", "What?"),
        ("LATE.text", "Câu đã đổi", "Late at all?"),
        ("WHY.text", "Vì sao?", "x" * 20001),
        (None, None, None),
    ]
    response = upload(client, slug, workbook(rows))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "3 rows of the sheet were not taken" in html
    assert "row 3 (NOPE.text): no such text in this draft" in html
    assert "row 4 (LATE.text): the Vietnamese text changed" in html
    assert "row 5 (WHY.text): the English text is too long" in html
    texts = {q.code: q.text_en for q in draft_of(survey_id).questions}
    assert texts["SAT"] == "Are you satisfied?" and texts["LATE"] == "Late?"


def test_bad_files_get_a_clear_refusal_and_change_nothing(client, as_admin):
    slug, survey_id = as_admin.survey.slug, as_admin.survey.id
    post(client, f"/admin/surveys/{slug}/draft")
    not_a_book = upload(client, slug, b"PK\x03\x04 not really")
    assert not_a_book.status_code == 422
    assert "This file is not an .xlsx workbook." in not_a_book.get_data(as_text=True)
    wrong = upload(
        client, slug, workbook([("code", "vi", "en"), ("SAT.text", "Hài lòng?", "X")])
    )
    assert wrong.status_code == 422 and "key, vietnamese, english" in wrong.get_data(
        as_text=True
    )
    csv = upload(client, slug, b"key,vietnamese,english", name="texts.csv")
    assert csv.status_code == 422 and "Choose an .xlsx file." in csv.get_data(
        as_text=True
    )
    assert {q.text_en for q in draft_of(survey_id).questions} >= {"Satisfied?"}


def test_a_published_version_is_read_only(client, as_admin):
    slug = as_admin.survey.slug
    page = client.get(f"/admin/surveys/{slug}/translations").get_data(as_text=True)
    assert "start a new draft to change its texts" in page
    sheet = client.get(f"/admin/surveys/{slug}/translations.xlsx")
    rows = [("key", "vietnamese", "english"), ("SAT.text", "Hài lòng?", "Changed")]
    response = upload(client, slug, workbook(rows))
    assert sheet.status_code == 200 and response.status_code == 422
    assert "This version is published" in response.get_data(as_text=True)
