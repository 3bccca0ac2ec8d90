"""Roles and scopes hold on the server, whatever the URL or the form says."""

import pytest
from sqlalchemy import select

from survey.extensions import db
from survey.models import Question, Survey, Unit
from tests.admin.helpers import post

CITY_SURVEY_URLS = [
    "/admin/surveys/city-survey",
    "/admin/surveys/city-survey/texts",
    "/admin/surveys/city-survey/preview",
    "/admin/surveys/city-survey/preview/frame",
    "/admin/surveys/city-survey/export.json",
    "/admin/surveys/city-survey/distribute",
    "/admin/surveys/city-survey/qr/W1.svg",
    "/admin/surveys/city-survey/poster/W1",
    "/admin/surveys/city-survey/posters",
    "/admin/units/W1",
]


def test_anonymous_visitors_are_sent_to_the_login(client, world):
    for url in ["/admin/", "/admin/units", "/admin/users", *CITY_SURVEY_URLS]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert "/login" in response.headers["Location"]


def test_a_leader_reaches_no_admin_page(client, world, login):
    login("leader@city.gov.vn")
    for url in ["/admin/", "/admin/units", "/admin/surveys/new", *CITY_SURVEY_URLS]:
        assert client.get(url).status_code == 403, url


def test_a_designer_cannot_see_or_change_another_units_survey(client, as_designer):
    assert "city-survey" not in client.get("/admin/").get_data(as_text=True)
    for url in CITY_SURVEY_URLS:
        assert client.get(url).status_code == 403, url
    survey = as_designer.survey
    question = survey.published_version.questions[0]
    forged = [
        ("/admin/surveys/city-survey/draft", {}),
        ("/admin/surveys/city-survey/publish", {}),
        ("/admin/surveys/city-survey/state", {"action": "close"}),
        ("/admin/surveys/city-survey/units", {"unit_code": "S-NN-MT"}),
        ("/admin/surveys/city-survey/units/W1/remove", {}),
        (f"/admin/surveys/city-survey/questions/{question.id}/delete", {}),
        ("/admin/units/W1/move", {"parent_code": "S-NN-MT"}),
        ("/admin/units/W1/active", {}),
        ("/admin/units/new", {"code": "Z", "parent_code": "CITY", "name_vi": "Z",
                              "name_en": "", "kind": "ward"}),
    ]  # fmt: skip
    for url, data in forged:
        response = post(client, url, data)
        assert response.status_code in (403, 422), url
    db.session.expire_all()
    survey = db.session.get(Survey, survey.id)
    assert survey.status == "open" and len(survey.versions) == 1
    assert db.session.get(Question, question.id) is not None
    assert db.session.scalar(select(Unit).where(Unit.code == "Z")) is None
    assert db.session.scalar(select(Unit).where(Unit.code == "W1")).active


def test_a_designer_works_inside_their_scope(client, as_designer):
    response = post(
        client,
        "/admin/surveys/new",
        {"slug": "dept", "template": "a11_v2", "title_vi": "", "title_en": ""},
    )
    assert response.status_code == 302
    assert client.get("/admin/surveys/dept").status_code == 200
    post(client, "/admin/surveys/dept/units", {"unit_code": "B1"})
    assert client.get("/admin/surveys/dept/poster/B1").status_code == 200
    # A unit outside the scope cannot be assigned to the designer's survey, by
    # code or through the search; it reads as unknown, not as a bare 403.
    response = post(client, "/admin/surveys/dept/units", {"unit_code": "W1"})
    assert response.status_code == 302 and "units/pick" in response.location
    post(client, "/admin/surveys/dept/units/pick", {"codes": ["W1", "B1"]})
    search = client.get("/admin/surveys/dept/units/pick?q=W").get_data(as_text=True)
    assert 'value="W1"' not in search
    db.session.expire_all()
    dept = db.session.scalar(select(Survey).where(Survey.slug == "dept"))
    assert {u.code for u in dept.units} == {"B1"}
    tree = client.get("/admin/units").get_data(as_text=True)
    assert "B1" in tree and "W2" not in tree


@pytest.mark.parametrize("url", ["/admin/users", "/admin/users/new", "/admin/audit"])
def test_a_designer_cannot_manage_users(client, as_designer, url):
    assert client.get(url).status_code == 403
    assert post(client, "/admin/users/new", {"email": "x@y.vn"}).status_code == 403
    assert client.get(f"/admin/users/{as_designer.admin.id}").status_code == 403


def test_every_admin_page_opens_for_an_admin(client, as_admin):
    post(client, "/admin/surveys/city-survey/draft")
    db.session.expire_all()
    draft = db.session.get(Survey, as_admin.survey.id).draft_version
    urls = [
        "/admin/",
        "/admin/surveys/new",
        "/admin/surveys/import",
        "/admin/units",
        "/admin/units/new",
        "/admin/units/import",
        "/admin/users",
        "/admin/users/new",
        f"/admin/users/{as_admin.designer.id}",
        "/admin/audit",
        f"/admin/surveys/city-survey/pages/{draft.pages[0].id}",
        f"/admin/surveys/city-survey/questions/{draft.questions[2].id}",
        f"/admin/surveys/city-survey/questions/new?page={draft.pages[1].id}",
        *CITY_SURVEY_URLS,
    ]
    for lang in ("vi", "en"):
        for url in urls:
            joiner = "&" if "?" in url else "?"
            response = client.get(f"{url}{joiner}lang={lang}")
            assert response.status_code == 200, url
