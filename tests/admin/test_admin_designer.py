"""The survey designer: create, edit a draft, version, publish, open and close."""

from sqlalchemy import func, select

from survey.extensions import db
from survey.models import AuditEvent, Question, Response, Survey
from tests.admin.helpers import post

HOSTILE = "<script>alert(1)</script>"


def survey(slug: str) -> Survey:
    db.session.expire_all()
    return db.session.scalar(select(Survey).where(Survey.slug == slug))


def events(action: str) -> int:
    return db.session.scalar(
        select(func.count(AuditEvent.id)).where(AuditEvent.action == action)
    )


def create(client, slug: str, template: str = "", title: str = "Khảo sát"):
    return post(
        client,
        "/admin/surveys/new",
        {"slug": slug, "template": template, "title_vi": title, "title_en": ""},
    )


def test_create_blank_and_from_templates(client, as_admin):
    response = create(client, "blank-one")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/admin/surveys/blank-one")
    blank = survey("blank-one")
    assert blank.status == "draft" and blank.owner_unit.code == "CITY"
    assert blank.draft_version.questions == []
    assert create(client, "sipas-2026", "sipas", "").status_code == 302
    sipas = survey("sipas-2026")
    assert len(sipas.draft_version.questions) > 20
    assert sipas.title_en  # the template's titles when none is typed
    assert create(client, "a11", "a11_v2", "").status_code == 302
    assert events("create_survey") == 3
    page = client.get("/admin/surveys/sipas-2026").get_data(as_text=True)
    assert "C6" in page or "X1" in page or "Publish version 1" in page


def test_bad_slugs_and_titles_get_the_form_again(client, as_admin):
    for slug in ["Bad Slug", "có-dấu", "-x", "a" * 81, "", "<script>"]:
        response = create(client, slug)
        assert response.status_code == 200
        assert (
            "lowercase" in response.get_data(as_text=True)
            or slug == ""
            or ("80" in response.get_data(as_text=True))
        )
    taken = create(client, "city-survey")
    assert "taken" in taken.get_data(as_text=True)
    no_title = create(client, "no-title", "", "")
    assert "needs a Vietnamese title" in no_title.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Survey.id))) == 1


def question_form(**overrides):
    data = {
        "code": "Q1",
        "type": "single",
        "text_vi": "Câu hỏi",
        "text_en": "Question",
        "help_vi": "",
        "help_en": "",
        "required": "y",
        "dimension": "",
        "options": "a|Một|One\nb|Hai|Two",
        "condition_question": "0",
    }
    data.update(overrides)
    return data


def test_every_question_type_can_be_added_and_edited(client, as_admin):
    create(client, "draft")
    page_id = survey("draft").draft_version.pages[0].id
    url = "/admin/surveys/draft/questions/new"
    types = ["likert5", "single", "multiple", "nps", "rating5"]
    types += ["short_text", "long_text", "number", "date"]
    for i, kind in enumerate(types):
        options = "" if kind == "likert5" else "a|Một|One\nb|Hai|Two|other"
        response = post(
            client,
            url,
            question_form(
                code=f"Q{i}", type=kind, options=options, page=str(page_id),
                min_value="1" if kind == "number" else "",
                max_value="9" if kind == "number" else "",
            ),
        )  # fmt: skip
        assert response.status_code == 302, response.get_data(as_text=True)
    questions = survey("draft").draft_version.questions
    assert [q.type for q in questions] == types
    assert [o.code for o in questions[0].options] == ["1", "2", "3", "4", "5", "9"]
    assert questions[1].options[1].is_other
    assert questions[7].min_value == 1 and questions[7].max_value == 9
    assert questions[3].options == []  # a scale has no stored options
    q = questions[1]
    response = post(
        client,
        f"/admin/surveys/draft/questions/{q.id}",
        question_form(
            code="Q1", text_vi="Mới", options="x|X vi|X en", required="",
            dimension="trust", help_vi="Giúp", page=str(page_id),
        ),
    )  # fmt: skip
    assert response.status_code == 302
    q = db.session.get(Question, q.id)
    db.session.refresh(q)
    assert (q.text_vi, q.required, q.dimension, q.help_vi) == (
        "Mới", False, "trust", "Giúp"
    )  # fmt: skip
    assert [o.code for o in q.options] == ["x"]
    assert events("add_question") == 9 and events("edit_question") == 1


def test_question_input_is_checked(client, as_admin):
    create(client, "draft")
    url = "/admin/surveys/draft/questions/new"
    page_id = str(survey("draft").draft_version.pages[0].id)
    cases = [
        (question_form(code="", page=page_id), "code"),
        (question_form(code="bad code!", page=page_id), "letters"),
        (question_form(text_vi="", page=page_id), "write the question"),
        (question_form(text_vi="x" * 2001, page=page_id), "2,000"),
        (question_form(options="", page=page_id), "at least one option"),
        (question_form(options="a|A\na|B", page=page_id), "used twice"),
        (question_form(options="justone", page=page_id), "code|label"),
        (question_form(type="nonsense", page=page_id), "valid choice"),
        (question_form(page="999999"), "valid choice"),
        (question_form(condition_question="424242", page=page_id), "valid choice"),
    ]
    for data, message in cases:
        response = post(client, url, data)
        assert response.status_code == 422, data
        assert message in response.get_data(as_text=True), message
    assert post(client, url, question_form(page=page_id)).status_code == 302
    duplicate = post(client, url, question_form(page=page_id))
    assert "already has this code" in duplicate.get_data(as_text=True)
    assert len(survey("draft").draft_version.questions) == 1


def test_hostile_text_is_stored_as_typed_and_shown_escaped(client, as_admin):
    create(client, "hostile")
    page_id = str(survey("hostile").draft_version.pages[0].id)
    post(
        client,
        "/admin/surveys/hostile/questions/new",
        question_form(text_vi=HOSTILE, options=f"a|{HOSTILE}|x", page=page_id),
    )
    q = survey("hostile").draft_version.questions[0]
    assert q.text_vi == HOSTILE and q.options[0].label_vi == HOSTILE
    for url in [
        "/admin/surveys/hostile?lang=vi",
        "/admin/surveys/hostile/preview/frame?lang=vi",
    ]:
        html = client.get(url).get_data(as_text=True)
        assert HOSTILE not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    post(client, "/admin/surveys/hostile/publish")
    post(client, "/admin/surveys/hostile/units", {"unit_code": "W1"})
    post(client, "/admin/surveys/hostile/state", {"action": "open"})
    public = client.get("/s/hostile/W1?lang=vi")
    assert public.status_code == 200
    assert HOSTILE not in public.get_data(as_text=True)
    assert "&lt;script&gt;" in public.get_data(as_text=True)


def test_conditions_must_point_back_at_real_codes(client, as_admin):
    create(client, "cond")
    url = "/admin/surveys/cond/questions/new"
    page_id = str(survey("cond").draft_version.pages[0].id)
    post(client, url, question_form(code="LATE", page=page_id))
    late = survey("cond").draft_version.questions[0]
    wrong = post(
        client,
        url,
        question_form(
            code="WHY", type="short_text", options="", page=page_id,
            condition_question=str(late.id), condition_options=f"{late.id}:zzz",
        ),
    )  # fmt: skip
    assert "must be options of the earlier question" in wrong.get_data(as_text=True)
    ok = post(
        client,
        url,
        question_form(
            code="WHY", type="short_text", options="", page=page_id,
            condition_question=str(late.id), condition_options=f"{late.id}:a",
        ),
    )  # fmt: skip
    assert ok.status_code == 302
    why = survey("cond").draft_version.questions[1]
    assert why.condition_question_id == late.id
    assert why.condition_option_codes == ["a"]
    # Moving the dependent question above its source is refused.
    post(client, f"/admin/surveys/cond/questions/{why.id}/move", {"direction": "up"})
    assert [q.code for q in survey("cond").draft_version.questions] == ["LATE", "WHY"]
    # The source cannot be deleted while a question depends on it.
    post(client, f"/admin/surveys/cond/questions/{late.id}/delete")
    assert len(survey("cond").draft_version.questions) == 2


def test_move_and_delete_questions_and_pages(client, as_admin):
    create(client, "order")
    version = survey("order").draft_version
    first_page = str(version.pages[0].id)
    for code in ["A", "B", "C"]:
        post(
            client,
            "/admin/surveys/order/questions/new",
            question_form(code=code, page=first_page),
        )
    post(client, "/admin/surveys/order/pages", {"title_vi": "Hai", "title_en": "Two"})
    codes = lambda: [q.code for q in survey("order").draft_version.questions]  # noqa: E731
    ids = {q.code: q.id for q in survey("order").draft_version.questions}
    post(client, f"/admin/surveys/order/questions/{ids['C']}/move", {"direction": "up"})
    assert codes() == ["A", "C", "B"]
    post(client, f"/admin/surveys/order/questions/{ids['A']}/move", {"direction": "up"})
    assert codes() == ["A", "C", "B"]  # already first: nothing moves
    post(
        client, f"/admin/surveys/order/questions/{ids['B']}/move", {"direction": "down"}
    )
    version = survey("order").draft_version
    assert version.questions[-1].page_id == version.pages[1].id  # onto page two
    page_two = version.pages[1]
    refused = post(client, f"/admin/surveys/order/pages/{page_two.id}/delete")
    assert refused.status_code == 302
    assert len(survey("order").draft_version.pages) == 2  # not empty: kept
    post(client, f"/admin/surveys/order/questions/{ids['B']}/delete")
    assert codes() == ["A", "C"]
    post(
        client,
        f"/admin/surveys/order/pages/{page_two.id}",
        {"title_vi": "Trang 2", "title_en": "Page 2"},
    )
    assert survey("order").draft_version.pages[1].title_vi == "Trang 2"
    post(client, f"/admin/surveys/order/pages/{page_two.id}/delete")
    assert len(survey("order").draft_version.pages) == 1
    assert [q.position for q in survey("order").draft_version.questions] == [0, 1]


def test_texts_are_edited_in_both_languages(client, as_admin):
    create(client, "texts")
    data = {
        "title_vi": "Tiêu đề",
        "title_en": "Title",
        "intro_vi": "Chào",
        "intro_en": "Hello",
        "thanks_vi": "Cảm ơn",
        "thanks_en": "Thanks",
    }
    assert post(client, "/admin/surveys/texts/texts", data).status_code == 302
    version = survey("texts").draft_version
    assert (version.title_en, version.intro_vi, version.thanks_en) == (
        "Title", "Chào", "Thanks"
    )  # fmt: skip
    assert survey("texts").title_en == "Title"
    missing = post(client, "/admin/surveys/texts/texts", {**data, "title_vi": ""})
    assert "Please enter a title" in missing.get_data(as_text=True)


def test_publish_freezes_and_editing_live_makes_a_new_draft(client, as_admin):
    live = as_admin.survey  # published v1, open
    v1 = live.published_version
    response = Response(
        survey_id=live.id, version_id=v1.id, unit_id=as_admin.w1.id, token="t1"
    )
    db.session.add(response)
    db.session.commit()
    # No draft: edits are refused until a new draft exists.
    q = v1.questions[0]
    refused = post(client, f"/admin/surveys/city-survey/questions/{q.id}/delete")
    assert refused.status_code == 302
    assert len(survey("city-survey").versions[0].questions) == 9
    assert post(client, "/admin/surveys/city-survey/draft").status_code == 302
    live = survey("city-survey")
    draft = live.draft_version
    assert draft.number == 2 and len(draft.questions) == 9
    why = next(q for q in draft.questions if q.code == "WHY")
    assert why.condition_question.version_id == draft.id  # copied, not shared
    assert post(client, "/admin/surveys/city-survey/draft").status_code == 302
    assert len(survey("city-survey").versions) == 2  # one draft at a time
    note = next(q for q in draft.questions if q.code == "NOTE")
    post(client, f"/admin/surveys/city-survey/questions/{note.id}/delete")
    assert survey("city-survey").published_version.number == 1
    post(client, "/admin/surveys/city-survey/publish")
    live = survey("city-survey")
    assert live.published_version.number == 2 and live.draft_version is None
    assert len(live.versions[0].questions) == 9  # v1 untouched
    assert len(live.versions[1].questions) == 8
    assert db.session.get(Response, response.id).version_id == v1.id
    assert events("publish") == 1 and events("new_draft") == 1


def test_open_close_and_window(client, as_admin):
    create(client, "states")
    post(client, "/admin/surveys/states/state", {"action": "open"})
    assert survey("states").status == "draft"  # nothing published yet
    page_id = str(survey("states").draft_version.pages[0].id)
    post(client, "/admin/surveys/states/publish")
    assert survey("states").published_version is None  # no questions yet
    post(client, "/admin/surveys/states/questions/new", question_form(page=page_id))
    post(client, "/admin/surveys/states/publish")
    post(client, "/admin/surveys/states/state", {"action": "open"})
    assert survey("states").status == "open"
    post(client, "/admin/surveys/states/state", {"action": "close"})
    assert survey("states").status == "closed"
    window = {"opens_at": "2027-01-01T08:00", "closes_at": "2027-02-01T17:00"}
    post(client, "/admin/surveys/states/window", window)
    s = survey("states")
    assert s.opens_at.isoformat() == "2027-01-01T01:00:00"  # 08:00 in Vietnam
    assert s.closes_at.isoformat() == "2027-02-01T10:00:00"
    backwards = {"opens_at": "2027-03-01T08:00", "closes_at": "2027-02-01T17:00"}
    post(client, "/admin/surveys/states/window", backwards)
    assert survey("states").opens_at.month == 1
    garbage = {"opens_at": "tomorrow", "closes_at": ""}
    assert post(client, "/admin/surveys/states/window", garbage).status_code == 302
    assert events("window_survey") == 1
    # Year 1 and year 9999 overflowed on the way to UTC (a 500, found by fuzzing).
    for far in ("0001-01-01T03:00", "9999-12-31T23:59", "1999-12-31T23:59"):
        refused = post(client, "/admin/surveys/states/window", {"opens_at": far})
        assert refused.status_code == 302
        page = client.get(refused.headers["Location"]).get_data(as_text=True)
        assert "between the years 2000 and 2100" in page
    assert survey("states").opens_at.year == 2027 and events("window_survey") == 1


def test_preview_shows_the_draft_without_a_way_to_send(client, as_admin):
    for lang, text in [("vi", "Hài lòng?"), ("en", "Satisfied?")]:
        page = client.get(f"/admin/surveys/city-survey/preview?show={lang}")
        assert page.status_code == 200
        assert "phone-screen" in page.get_data(as_text=True)
        assert f"/preview/frame?show={lang}" in page.get_data(as_text=True)
        frame = client.get(f"/admin/surveys/city-survey/preview/frame?show={lang}")
        html = frame.get_data(as_text=True)
        assert text in html and f'<html lang="{lang}"' in html
        # The admin's own pages stay in the admin's language (English here).
        admin = client.get("/admin/").get_data(as_text=True)
        assert '<html lang="en"' in admin
        assert 'type="submit"' not in html.split("answer-form", 1)[1]
        assert (
            'method="post"' not in html.split("answer-form", 1)[1].split("</form>")[0]
        )


def test_five_point_questions_keep_the_scale_codes(client, as_admin):
    create(client, "scale")
    page_id = str(survey("scale").draft_version.pages[0].id)
    response = post(
        client,
        "/admin/surveys/scale/questions/new",
        question_form(type="likert5", options="a|Tốt|Good\nb|Xấu|Bad", page=page_id),
    )
    assert "five-point question's codes are 1 to 5" in response.get_data(as_text=True)
    assert survey("scale").draft_version.questions == []


def test_open_data_and_the_threshold_are_set_per_survey(client, as_admin):
    assert client.get("/open/city-survey").status_code == 404
    response = post(
        client,
        "/admin/surveys/city-survey/settings",
        {"publish_results": "y", "min_n": "25"},
    )
    assert response.status_code == 302
    assert survey("city-survey").publish_results is True
    assert survey("city-survey").min_n == 25
    assert client.get("/open/city-survey").status_code == 200
    assert events("survey_settings") == 1
    too_low = post(client, "/admin/surveys/city-survey/settings", {"min_n": "3"})
    assert too_low.status_code == 302 and survey("city-survey").min_n == 25
