"""A citizen answers the test survey: pages, conditions, errors, exactly once."""

import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from survey.extensions import db
from survey.models import Answer, Option, Question, Response
from survey.models._time import utcnow
from tests.public.helpers import good_answers, open_form, qid

URL = "/s/test/W1"


def stored_responses() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(Response.id)))


def answers_by_code(response: Response) -> dict[str, list[Answer]]:
    rows = db.session.execute(
        select(Question.code, Answer)
        .join(Question)
        .where(Answer.response_id == response.id)
    ).all()
    result: dict[str, list[Answer]] = {}
    for code, answer in rows:
        result.setdefault(code, []).append(answer)
    return result


def test_a_citizen_answers_two_pages_and_is_thanked(client, make_survey):
    make_survey()
    fields = open_form(client, URL)
    answers = good_answers()
    page_one = {**fields, **answers, "action": "next"}
    response = client.post(URL, data=page_one)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Trang 2/2" in html
    # Page one's answers travel along as hidden fields.
    assert f'type="hidden" name="{qid("SAT")}" value="4"' in html
    submit = {**fields, **answers, "page": "1", "action": "submit"}
    response = client.post(URL, data=submit)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/s/test/W1/thanks")
    thanks = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Câu trả lời của Ông/Bà đã được lưu" in thanks

    saved = db.session.scalar(select(Response))
    assert saved.channel == "qr" and saved.language == "vi"
    stored = answers_by_code(saved)
    assert stored["SAT"][0].value_int == 4
    assert stored["WHY"][0].value_text == "Thiếu giấy tờ"
    assert stored["NPS"][0].value_int == 9 and stored["STARS"][0].value_int == 4
    assert stored["VISITS"][0].value_number == 3.0
    assert stored["WHEN"][0].value_date == date(2026, 10, 1)
    improve = {
        db.session.get(Option, a.option_id).code: a.value_text
        for a in stored["IMPROVE"]
    }
    assert improve == {"fast": None, "other": "Mở thêm quầy"}


def test_back_keeps_every_answer(client, make_survey):
    make_survey()
    fields = open_form(client, URL)
    answers = good_answers()
    client.post(URL, data={**fields, **answers, "action": "next"})
    back = client.post(URL, data={**fields, **answers, "page": "1", "action": "back"})
    html = back.get_data(as_text=True)
    assert "Trang 1/2" in html
    assert f'name="{qid("SAT")}" id="{qid("SAT")}_4" value="4" checked' in html
    assert "Thiếu giấy tờ" in html


def test_a_hidden_question_is_neither_required_nor_stored(client, make_survey):
    make_survey()
    fields = open_form(client, URL)
    answers = {**good_answers(), qid("LATE"): "no", qid("WHY"): "should be dropped"}
    response = client.post(
        URL, data={**fields, **answers, "page": "1", "action": "submit"}
    )
    assert response.status_code == 302
    stored = answers_by_code(db.session.scalar(select(Response)))
    assert "WHY" not in stored


def test_a_shown_required_question_must_be_answered(client, make_survey):
    make_survey()
    fields = open_form(client, URL)
    answers = {**good_answers(), qid("WHY"): ""}
    response = client.post(URL, data={**fields, **answers, "action": "next"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Vui lòng trả lời câu hỏi này." in html
    assert f'aria-describedby="{qid("WHY")}_error"' in html
    assert f'href="#{qid("WHY")}"' in html  # the summary links to the field
    # Everything else the citizen gave is still there.
    assert f'id="{qid("SAT")}_4" value="4" checked' in html
    assert stored_responses() == 0


def test_errors_speak_the_citizens_language(client, make_survey):
    make_survey()
    fields = open_form(client, URL + "?lang=en")
    response = client.post(URL, data={**fields, "action": "next"})
    assert "Please answer this question." in response.get_data(as_text=True)


def test_submitting_twice_counts_once(client, make_survey):
    make_survey()
    fields = open_form(client, URL)
    data = {**fields, **good_answers(), "page": "1", "action": "submit"}
    first = client.post(URL, data=data)
    second = client.post(URL, data=data)
    assert first.status_code == second.status_code == 302
    assert stored_responses() == 1


@pytest.mark.commits  # six threads, each with its own connection
def test_concurrent_retries_of_one_submission_store_one_response(app, make_survey):
    make_survey()
    client = app.test_client()
    fields = open_form(client, URL)
    data = {**fields, **good_answers(), "page": "1", "action": "submit"}
    session_cookie = client.get_cookie("session")
    statuses: list[int] = []
    barrier = threading.Barrier(6)

    def post() -> None:
        own = app.test_client()  # one "tab" per thread, same browser session
        own.set_cookie("session", session_cookie.value, domain=session_cookie.domain)
        barrier.wait()
        statuses.append(own.post(URL, data=data).status_code)

    threads = [threading.Thread(target=post) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert statuses == [302] * 6
    assert stored_responses() == 1


def test_duration_comes_from_the_signed_ticket(client, make_survey, monkeypatch):
    make_survey()
    import survey.public.forms as forms

    real = forms.time.time
    monkeypatch.setattr(forms.time, "time", lambda: real() - 300)
    fields = open_form(client, URL)  # issued "five minutes ago"
    monkeypatch.setattr(forms.time, "time", real)
    data = {**fields, **good_answers(), "page": "1", "action": "submit", "started": "1"}
    client.post(URL, data=data)
    saved = db.session.scalar(select(Response))
    assert 295 <= saved.duration_seconds <= 330
    assert saved.hard_flagged is False


def test_no_ip_or_user_agent_is_stored(client, make_survey):
    make_survey()
    fields = open_form(client, URL)
    client.post(
        URL,
        data={**fields, **good_answers(), "page": "1", "action": "submit"},
        headers={"User-Agent": "Mozilla/5.0 TestPhone"},
    )
    saved = db.session.scalar(select(Response))
    columns = {c.name for c in Response.__table__.columns}
    assert not {"ip", "ip_address", "user_agent", "remote_addr"} & columns
    assert len(saved.device_hash) == 32 and "127.0.0.1" not in saved.device_hash


def test_a_filled_honeypot_is_stored_but_flagged_hard(client, make_survey):
    make_survey()
    fields = open_form(client, URL)
    data = {
        **fields,
        **good_answers(),
        "page": "1",
        "action": "submit",
        "website": "spam",
    }
    assert client.post(URL, data=data).status_code == 302
    saved = db.session.scalar(select(Response))
    assert saved.hard_flagged is True
    assert "honeypot" in {f.code for f in saved.flags}


def test_opt_in_channel_comes_from_the_link(client, make_survey, monkeypatch):
    make_survey()
    monkeypatch.setitem(client.application.config, "SURVEY_KIOSK_UNITS", ("W1",))
    fields = open_form(client, URL + "?c=kiosk")
    client.post(URL, data={**fields, **good_answers(), "page": "1", "action": "submit"})
    assert db.session.scalar(select(Response.channel)) == "kiosk"


def test_friendly_statuses_for_unknown_closed_and_not_yet_open(
    client, make_survey, make_unit
):
    survey = make_survey()
    other = make_unit("ELSEWHERE")
    assert client.get("/s/nope/W1").status_code == 404
    assert client.get("/s/test/NOPE").status_code == 404
    outside = client.get(f"/s/test/{other.code}")
    assert outside.status_code == 403
    assert "không thuộc khảo sát" in outside.get_data(as_text=True)
    survey.opens_at = utcnow() + timedelta(days=2)
    db.session.commit()
    assert client.get(URL).status_code == 403
    survey.opens_at = None
    survey.close()
    db.session.commit()
    closed = client.get(URL)
    assert closed.status_code == 410
    assert "đã kết thúc" in closed.get_data(as_text=True)


def test_an_unpublished_survey_does_not_exist_for_citizens(client, make_survey):
    make_survey(publish=False, open_=False)
    assert client.get(URL).status_code == 404


def test_home_lists_open_surveys_and_the_unit_search_works_without_javascript(
    client, make_survey
):
    make_survey()
    home = client.get("/").get_data(as_text=True)
    assert 'href="/s/test"' in home
    listing = client.get("/s/test?q=w2").get_data(as_text=True)
    assert 'href="/s/test/W2"' in listing and 'href="/s/test/W1"' not in listing
    folded = client.get("/s/test?q=phuong").get_data(as_text=True)  # no diacritics
    assert 'href="/s/test/W1"' in folded


def test_home_leads_to_open_results_and_to_the_staff_sign_in(client, make_survey):
    """Every page a person needs is a click from the home page: the results
    a survey publishes openly, and the sign-in of the city's staff."""
    survey = make_survey()
    home = client.get("/").get_data(as_text=True)
    assert 'href="/open/test"' not in home  # not published openly
    assert 'href="/login"' in home
    survey.publish_results = True
    db.session.commit()
    home = client.get("/").get_data(as_text=True)
    assert 'href="/open/test"' in home
    assert client.get("/open/test").status_code == 200


def test_answers_are_stored_row_for_row_through_the_relationship(client, make_survey):
    """The answers go in as one bulk insert; the rows read back as before."""
    make_survey()
    fields = open_form(client, URL)
    submit = {**fields, **good_answers(), "page": "1", "action": "submit"}
    assert client.post(URL, data=submit).status_code == 302
    db.session.expire_all()
    saved = db.session.scalar(select(Response))
    options = {o.id: o.code for o in db.session.scalars(select(Option))}
    codes = {q.id: q.code for q in db.session.scalars(select(Question))}
    rows = sorted(
        (
            codes[a.question_id],
            options.get(a.option_id),
            a.value_int,
            a.value_number,
            a.value_text,
            a.value_date,
        )
        for a in saved.answers
    )
    assert rows == [
        ("IMPROVE", "fast", None, None, None, None),
        ("IMPROVE", "other", None, None, "Mở thêm quầy", None),
        ("LATE", "yes", None, None, None, None),
        ("NOTE", None, None, None, "Cảm ơn", None),
        ("NPS", None, 9, None, None, None),
        ("SAT", "4", 4, None, None, None),
        ("STARS", None, 4, None, None, None),
        ("VISITS", None, None, 3.0, None, None),
        ("WHEN", None, None, None, None, date(2026, 10, 1)),
        ("WHY", None, None, None, "Thiếu giấy tờ", None),
    ]
    assert all(a.response is saved for a in saved.answers)
