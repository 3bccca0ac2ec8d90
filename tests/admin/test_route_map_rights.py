"""Every route of the admin and results blueprints, for every role and scope.

The walk reads ``app.url_map``: a route added without a line in ROUTES fails
the test, so nobody can add a page and forget to decide who may open it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import Rule

from survey.extensions import db
from survey.models import (
    BackCheck,
    DataRequest,
    ExportJob,
    Reform,
    Response,
    UnitReview,
    User,
)
from survey.services.design.designer import new_draft_from
from survey.services.fieldwork.cases import create_api_client, import_cases
from survey.services.fieldwork.waves import create_wave, draw_wave
from tests.conftest import csrf_token
from tests.trust.conftest import case_row

# What each endpoint acts on:
#   global  - no object in the URL; any user of the blueprint's roles
#   survey  - a survey (and perhaps its page, question or unit) in the URL
#   unit    - a unit in the URL
#   admins  - administrators only, whatever the scope
ROUTES: dict[str, str] = {
    "admin.index": "global",
    "admin.create_survey": "global",
    "admin.import_survey": "global",
    "admin.list_units": "global",
    "admin.add_unit": "global",
    "admin.import_units": "global",
    "admin.show_survey": "survey",
    "admin.distribute_survey": "survey",
    "admin.new_draft": "survey",
    "admin.export_survey": "survey",
    "admin.export_survey_xlsform": "survey",
    "admin.add_page": "survey",
    "admin.edit_page": "survey",
    "admin.delete_page": "survey",
    "admin.show_poster": "survey",
    "admin.print_posters": "survey",
    "admin.preview_survey": "survey",
    "admin.preview_frame": "survey",
    "admin.publish_survey": "survey",
    "admin.confirm_publish": "survey",
    "admin.confirm_delete_question": "survey",
    "admin.confirm_close": "survey",
    "admin.qr_png": "survey",
    "admin.qr_svg": "survey",
    "admin.edit_question": "survey",
    "admin.delete_question": "survey",
    "admin.move_question": "survey",
    "admin.add_question": "survey",
    "admin.change_state": "survey",
    "admin.edit_texts": "survey",
    "admin.translations": "survey",
    "admin.duplicate_survey": "survey",
    "admin.question_library": "survey",
    "admin.confirm_discard": "survey",
    "admin.discard_draft": "survey",
    "admin.confirm_delete_survey": "survey",
    "admin.delete_survey": "survey",
    "admin.translation_sheet": "survey",
    "admin.import_translations": "survey",
    "admin.assign_units": "survey",
    "admin.pick_units": "survey",
    "admin.unassign_unit": "survey",
    "admin.set_window": "survey",
    "admin.save_settings": "survey",
    "admin.edit_unit": "unit",
    "admin.set_unit_active": "unit",
    "admin.move_unit": "unit",
    "admin.list_users": "admins",
    "admin.edit_user": "admins",
    "admin.create_user": "admins",
    "admin.show_audit": "admins",
    # Trust: cases, API clients, waves, phone interviews, personal data, reviews.
    "admin.list_cases": "admins",
    "admin.import_cases": "admins",
    "admin.list_api_clients": "admins",
    "admin.revoke_api_client": "admins",
    "admin.contact_data": "admins",
    "admin.list_waves": "admins",
    "admin.create_wave": "admins",
    "admin.show_wave": "admins",
    "admin.draw_wave": "admins",
    "admin.export_wave_contacts": "admins",
    "admin.close_wave": "admins",
    "admin.save_outreach": "admins",
    "admin.start_sending": "admins",
    "admin.interview": "admins",
    "admin.list_reviews": "admins",
    "admin.decide_review": "admins",
    "admin.recompute_quality": "admins",
    "admin.list_reforms": "admins",
    "admin.import_reform": "admins",
    "admin.import_reform_2025": "admins",
    "admin.undo_reform": "admins",
    # Field work and the request desk: city-wide administrators only.
    "admin.show_fieldwork": "admins",
    "admin.draw_backchecks": "admins",
    "admin.backcheck": "admins",
    "admin.list_requests": "admins",
    "admin.create_request": "admins",
    "admin.update_request": "admins",
    # Large raw exports as jobs: administrators (their own jobs only).
    "admin.start_export": "admins",
    "admin.show_export": "admins",
    "admin.export_status": "admins",
    "admin.download_export": "admins",
    "results.index": "global",
    "results.overview": "survey",
    "results.questions": "survey",
    "results.comments": "survey",
    "results.export_aggregates": "survey",
    "results.export_raw": "admins",  # raw responses: administrators only
    "results.method": "global",
    "results.unit_history": "survey",
}
# POSTs that change what later requests of the walk load: they go last.
LAST = ("admin.delete_question", "admin.unassign_unit", "admin.publish_survey")
# ... and those that take the draft away go after them.
FINAL = ("admin.discard_draft",)


@dataclass
class Objects:
    """The values that fill the URL parameters of one walk."""

    slug: str
    code: str
    page_id: int
    question_id: int
    last_question_id: int
    user_id: int
    wave_id: int
    invitation_id: int
    review_id: int
    client_id: int
    reform_id: int
    check_id: int
    request_id: int
    job_id: int

    def values(self, rule: Rule) -> dict[str, object]:
        given = {
            "slug": self.slug,
            "code": self.code,
            "page_id": self.page_id,
            "question_id": self.question_id,
            "user_id": self.user_id,
            "wave_id": self.wave_id,
            "invitation_id": self.invitation_id,
            "review_id": self.review_id,
            "client_id": self.client_id,
            "reform_id": self.reform_id,
            "check_id": self.check_id,
            "request_id": self.request_id,
            "job_id": self.job_id,
            "question_code": "NOTE",
            "fmt": "csv",
        }
        if rule.endpoint == "admin.delete_question":
            given["question_id"] = self.last_question_id  # nothing depends on it
        missing = rule.arguments - set(given)
        assert not missing, f"{rule.rule}: no value for {missing}"
        return {name: given[name] for name in rule.arguments}


@pytest.fixture
def city(make_unit, make_survey, make_user):
    hcm = make_unit("HCM", kind="city")
    ward = make_unit("P-SAI-GON", hcm)
    dept = make_unit("S-NN-MT", hcm, kind="department")
    branch = make_unit("S-NN-MT-CN1", dept, kind="branch")
    city_survey = make_survey("city", units=[ward], owner=hcm)
    dept_survey = make_survey("dept", units=[branch], owner=dept)
    for survey in (city_survey, dept_survey):
        new_draft_from(survey.published_version)
    db.session.commit()
    admin = make_user("admin@hcm.gov.vn", "admin", hcm)
    make_user("designer@hcm.gov.vn", "designer", dept)
    make_user("leader@hcm.gov.vn", "leader", hcm)
    trust = trust_objects(city_survey, ward)

    def objects(survey, code: str) -> Objects:
        draft = survey.draft_version
        return Objects(
            slug=survey.slug,
            code=code,
            page_id=draft.pages[0].id,
            question_id=draft.questions[0].id,
            last_question_id=draft.questions[-1].id,
            user_id=admin.id,
            **trust,
        )

    return {
        "hcm": objects(city_survey, "P-SAI-GON"),
        "dept": objects(dept_survey, "S-NN-MT-CN1"),
    }


def trust_objects(survey, ward) -> dict[str, int]:
    """Cases, a drawn wave, a unit under review and an API client."""
    today = date.today()
    report = import_cases(
        [
            case_row(f"R-{i}", unit_code=ward.code, phone=f"090000{i:04d}")
            for i in range(5)
        ]
    )
    assert report.ok, report.rejected
    wave = create_wave(survey, [ward], today - timedelta(days=29), today, 3, seed=1)
    draw_wave(wave)
    review = UnitReview(
        survey_id=survey.id,
        unit_id=ward.id,
        period_start=today - timedelta(days=364),
        period_end=today,
        reason="all_top: made up for the walk",
    )
    db.session.add(review)
    client, _token = create_api_client("one-stop")
    reform = Reform(name="Next year's reform", effective_on=today + timedelta(days=365))
    db.session.add(reform)
    # A phone interview by someone else, drawn for a back-check; a data request.
    interviewer = db.session.query(User).filter_by(role="designer").first()
    invitation = wave.invitations[1]  # [0] is the one the walk interviews
    interview = Response(
        survey_id=survey.id,
        version_id=wave.version_id,
        unit_id=ward.id,
        channel="phone",
        token="route-walk",
        invitation_id=invitation.id,
        interviewer_id=interviewer.id,
    )
    db.session.add(interview)
    db.session.flush()
    check = BackCheck(
        wave_id=wave.id, response_id=interview.id, interviewer_id=interviewer.id
    )
    data_request = DataRequest(
        kind="export", contact="walk", received_on=today, due_on=today
    )
    admin = db.session.query(User).filter_by(role="admin").first()
    job = ExportJob(user_id=admin.id, survey_id=survey.id, unit_id=ward.id)
    db.session.add_all([check, data_request, job])
    db.session.commit()
    return {
        "reform_id": reform.id,
        "check_id": check.id,
        "request_id": data_request.id,
        "job_id": job.id,
        "wave_id": wave.id,
        "invitation_id": wave.invitations[0].id,
        "review_id": review.id,
        "client_id": client.id,
    }


def walked_rules(app: Flask) -> list[tuple[Rule, str]]:
    """(rule, method) of both blueprints: GETs first, state-changing POSTs last."""
    rules = [
        rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint.split(".")[0] in ("admin", "results")
    ]
    unknown = sorted({r.endpoint for r in rules} - set(ROUTES))
    assert not unknown, f"classify these routes in ROUTES: {unknown}"
    stale = sorted(set(ROUTES) - {r.endpoint for r in rules})
    assert not stale, f"these routes are gone, drop them from ROUTES: {stale}"
    pairs = [
        (rule, method)
        for rule in rules
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"})
    ]
    return sorted(
        pairs,
        key=lambda p: (
            p[1] == "POST",
            p[0].endpoint in LAST + FINAL,
            p[0].endpoint in FINAL,
            p[0].rule,
        ),
    )


def request(
    client: FlaskClient, app: Flask, rule: Rule, method: str, objects, token: str
):
    with app.test_request_context():
        from flask import url_for

        url = url_for(rule.endpoint, _external=False, **objects.values(rule))
    if method == "GET":
        return url, client.get(url)
    return url, client.post(url, data={"csrf_token": token})


def expected(role: str, scope: str, blueprint: str, own: bool) -> str:
    """'login', 'forbidden' or 'allowed' for one role on one kind of route."""
    if role == "anonymous":
        return "login"
    if role == "leader":
        return (
            "allowed" if blueprint == "results" and scope != "admins" else "forbidden"
        )
    if role == "designer":
        if scope == "admins":
            return "forbidden"
        return "allowed" if scope == "global" or own else "forbidden"
    return "allowed"


def outcome(response, method: str) -> str:
    status = response.status_code
    location = response.headers.get("Location", "")
    if status == 302 and "/login" in location:
        return "login"
    if status == 403:
        return "forbidden"
    assert status < 500 and status not in (400, 401, 404, 405), status
    if method == "GET":
        assert status == 200, status
    return "allowed"


def walk(client, app, role: str, objects: Objects, own: bool) -> list[str]:
    wrong = []
    # A valid token, so a refusal comes from the rights check, never from CSRF.
    token = csrf_token(client, "/login" if role == "anonymous" else "/results/")
    for rule, method in walked_rules(app):
        url, response = request(client, app, rule, method, objects, token)
        blueprint = rule.endpoint.split(".")[0]
        want = expected(role, ROUTES[rule.endpoint], blueprint, own)
        try:
            got = outcome(response, method)
        except AssertionError as error:
            got = f"status {error}"
        if got != want:
            wrong.append(f"{method} {url}: {got}, expected {want}")
    return wrong


def test_anonymous_visitors_are_sent_to_the_login_everywhere(client, app, city):
    assert walk(client, app, "anonymous", city["hcm"], own=False) == []


def test_a_leader_is_refused_every_admin_route(client, app, city, login):
    login("leader@hcm.gov.vn")
    assert walk(client, app, "leader", city["hcm"], own=True) == []


def test_a_designer_of_a_department_cannot_reach_the_citys_objects(
    client, app, city, login
):
    login("designer@hcm.gov.vn")
    assert walk(client, app, "designer", city["hcm"], own=False) == []


def test_a_designer_works_on_the_departments_own_objects(client, app, city, login):
    login("designer@hcm.gov.vn")
    assert walk(client, app, "designer", city["dept"], own=True) == []


def test_an_administrator_reaches_every_route(client, app, city, login):
    login("admin@hcm.gov.vn")
    assert walk(client, app, "admin", city["hcm"], own=True) == []
