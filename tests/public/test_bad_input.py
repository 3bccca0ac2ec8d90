"""Wrong, missing, oversized and hostile input: a clear 4xx, nothing stored."""

import pytest
from sqlalchemy import func, select

from survey.extensions import db
from survey.models import Answer, Question, Response
from survey.services.design.definitions import create_survey
from tests.conftest import small_spec
from tests.public.helpers import good_answers, open_form, qid

URL = "/s/test/W1"


def count_responses() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(Response.id)))


def submit(client, changes: dict, **extra):
    fields = open_form(client, URL)
    data = {**fields, **good_answers(), "page": "1", "action": "submit", **extra}
    for name, value in changes.items():
        data[qid(name) if name.isupper() else name] = value
    return client.post(URL, data=data)


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"SAT": "6"}, "Vui lòng chọn một trong các phương án"),
        ({"SAT": "abc"}, "Vui lòng chọn một trong các phương án"),
        ({"SAT": ["4", "5"]}, "chỉ chọn một"),
        ({"SAT": ""}, "Vui lòng trả lời câu hỏi này."),
        ({"LATE": "maybe"}, "Vui lòng chọn một trong các phương án"),
        (
            {"LATE": "4"},
            "Vui lòng chọn một trong các phương án",
        ),  # another question's code
        ({"IMPROVE": ["fast", "kind", "cheap"]}, "chỉ chọn tối đa 2 phương án"),
        ({"IMPROVE": ["yes"]}, "Vui lòng chọn một trong các phương án"),
        ({"IMPROVE": ["other"], "q_improve_other": ""}, "ghi rõ"),
        ({"NPS": "11"}, "ngoài khoảng cho phép"),
        ({"NPS": "-1"}, "ngoài khoảng cho phép"),
        ({"NPS": "9.5"}, "ngoài khoảng cho phép"),
        ({"STARS": "0"}, "ngoài khoảng cho phép"),
        ({"VISITS": "ba"}, "Vui lòng nhập một số."),
        ({"VISITS": "100"}, "ngoài khoảng cho phép"),
        ({"VISITS": "nan"}, "Vui lòng nhập một số."),
        ({"VISITS": "1e400"}, "Vui lòng nhập một số."),
        ({"WHEN": "2024-13-45"}, "Vui lòng nhập ngày"),
        ({"WHEN": "1066-10-14"}, "ngoài khoảng cho phép"),
        ({"WHY": "x" * 100_000}, "quá dài"),
        ({"NOTE": "y" * 100_000}, "quá dài"),
    ],
)
def test_invalid_answers_get_the_form_again_with_the_error(
    client, make_survey, changes, message
):
    make_survey()
    changes = dict(changes)  # parameters are shared between the backends
    if "q_improve_other" in changes:
        changes[qid("IMPROVE") + "_other"] = changes.pop("q_improve_other")
    response = submit(client, changes)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert count_responses() == 0


def test_a_tampered_ticket_is_refused(client, make_survey):
    make_survey()
    response = submit(client, {}, ticket="eyJ0IjoiYWJjIn0.forged")
    assert response.status_code == 400
    assert count_responses() == 0


def test_a_missing_or_wrong_csrf_token_is_refused(client, make_survey):
    make_survey()
    assert submit(client, {}, csrf_token="").status_code == 400
    assert submit(client, {}, csrf_token="not-the-token").status_code == 400
    assert count_responses() == 0


def test_a_huge_body_is_refused(client, make_survey):
    make_survey()
    response = submit(client, {"NOTE": "z" * (5 * 1024 * 1024)})
    assert response.status_code == 413
    assert "quá lớn" in response.get_data(as_text=True)
    assert count_responses() == 0


def test_invalid_utf8_is_refused_or_cleaned_never_a_500(client, make_survey):
    make_survey()
    fields = open_form(client, URL)
    body = "&".join(f"{k}={v}" for k, v in fields.items()).encode()
    body += b"&action=submit&page=1&" + qid("NOTE").encode() + b"=%FF%FE%C3%28"
    response = client.post(
        URL, data=body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code in (400, 422)


def test_script_and_sql_are_stored_as_text_and_shown_escaped(client, make_survey):
    make_survey()
    hostile = "<script>alert(1)</script>'; DROP TABLE responses; --"
    response = submit(client, {"NOTE": hostile, "WHY": "<img src=x onerror=alert(1)>"})
    assert response.status_code == 302
    stored = db.session.scalars(
        select(Answer.value_text).where(Answer.value_text.is_not(None))
    )
    assert hostile in set(stored)
    # Shown again (an error elsewhere re-renders the form): escaped, never live.
    again = submit(client, {"NOTE": hostile, "SAT": "6"})
    html = again.get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_odd_unicode_is_kept(client, make_survey):
    make_survey()
    text = "Tốt 👍 \u200b ﷺ עברית"
    assert submit(client, {"NOTE": text}).status_code == 302
    assert db.session.scalar(
        select(Answer.value_text).where(Answer.value_text.like("Tốt%"))
    )


def test_answers_to_a_closed_survey_are_refused(client, make_survey):
    survey = make_survey()
    fields = open_form(client, URL)
    survey.close()
    db.session.commit()
    data = {**fields, **good_answers(), "page": "1", "action": "submit"}
    assert client.post(URL, data=data).status_code == 410
    assert count_responses() == 0


def test_a_unit_outside_the_survey_is_refused(client, make_survey, make_unit):
    make_survey()
    make_unit("OUT")
    fields = open_form(client, URL)
    data = {**fields, **good_answers(), "page": "1", "action": "submit"}
    assert client.post("/s/test/OUT", data=data).status_code == 403
    assert count_responses() == 0


def test_a_page_number_out_of_range_is_harmless(client, make_survey):
    make_survey()
    for page in ("99", "-3", "abc", ""):
        response = submit(client, {"SAT": "6"}, page=page)
        assert response.status_code == 422


def test_question_texts_with_markup_are_shown_as_text(client, make_unit):
    from dataclasses import replace

    city = make_unit("CITY", kind="city")
    spec = small_spec()
    first = replace(spec.pages[0].questions[0], text_vi="<script>alert('q')</script>")
    page = replace(spec.pages[0], questions=(first, *spec.pages[0].questions[1:]))
    survey = create_survey(
        "xss", replace(spec, pages=(page, spec.pages[1])), city, [city]
    )
    survey.versions[0].publish()
    survey.open()
    db.session.commit()
    html = client.get("/s/xss/CITY").get_data(as_text=True)
    assert "<script>alert('q')</script>" not in html
    assert "&lt;script&gt;alert(&#39;q&#39;)&lt;/script&gt;" in html
    assert db.session.scalar(
        select(Question.text_vi).where(Question.code == "SAT")
    ).startswith("<script>")


def test_the_rate_limit_answers_429_with_a_readable_page(app, make_survey):
    from survey import create_app

    make_survey()
    limited = create_app(
        {
            **app.config,
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_STORAGE_URI": "memory://",
            "SURVEY_SUBMIT_LIMIT": "3 per minute",
        }
    )
    limited.test_client_class = type(app.test_client())
    client = limited.test_client()
    fields = open_form(client, URL)
    responses = [client.post(URL, data={**fields, "action": "next"}) for _ in range(5)]
    with limited.app_context():
        db.engine.dispose()
    assert [r.status_code for r in responses] == [422, 422, 422, 429, 429]
    assert "Quá nhiều yêu cầu" in responses[-1].get_data(as_text=True)
    assert count_responses() == 0
