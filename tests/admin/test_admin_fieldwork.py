"""Interviewers and back-checks through the admin pages (issue 23)."""

from __future__ import annotations

import re
from datetime import date, timedelta

from sqlalchemy import select

from survey.extensions import db
from survey.models import (
    Answer,
    AuditEvent,
    BackCheck,
    Invitation,
    Question,
    Response,
    Wave,
)
from survey.services.fieldwork.cases import import_cases
from survey.services.fieldwork.waves import create_wave, draw_wave
from tests.admin.helpers import post, switch_user
from tests.public.helpers import form_fields, good_answers
from tests.trust.conftest import case_row


def drawn_wave(world, cases: int) -> Wave:
    rows = [case_row(f"F-{i}", "W1", phone=f"0913{i:06d}") for i in range(cases)]
    assert import_cases(rows).ok
    today = date.today()
    wave = create_wave(
        world.survey, [world.w1], today - timedelta(days=29), today, cases, seed=5
    )
    draw_wave(wave)
    db.session.commit()
    return wave


def enter(wave: Wave, interviewers_and_answers, flagged=()) -> None:
    """Phone interviews as the interview page stores them (overall item only)."""
    overall = db.session.scalar(
        select(Question).where(
            Question.version_id == wave.version_id, Question.dimension == "overall"
        )
    )
    invitations = iter(
        db.session.scalars(
            select(Invitation)
            .where(Invitation.wave_id == wave.id)
            .order_by(Invitation.id)
        )
    )
    count = 0
    for user, answers in interviewers_and_answers:
        for value in answers:
            invitation = next(invitations)
            response = Response(
                survey_id=wave.survey_id,
                version_id=wave.version_id,
                unit_id=invitation.unit_id,
                channel="phone",
                token=f"t-{invitation.id}",
                invitation_id=invitation.id,
                interviewer_id=user.id,
                soft_flag_count=1 if count in flagged else 0,
                duration_seconds=400,
            )
            response.answers.append(Answer(question_id=overall.id, value_int=value))
            db.session.add(response)
            invitation.status = "answered"
            count += 1
    db.session.commit()


def city_admin(world, make_user, name: str):
    return make_user(f"{name}@city.gov.vn", "admin", world.city)


def test_the_icc_on_the_page_is_the_hand_computed_one(client, as_admin, make_user):
    world = as_admin
    wave = drawn_wave(world, 12)
    b, c = city_admin(world, make_user, "b"), city_admin(world, make_user, "c")
    enter(wave, [(world.admin, [5, 5, 4, 5]), (b, [3, 2, 3, 3]), (c, [4, 4, 3, 4])])
    # From the wave page, by its link.
    assert f"/admin/waves/{wave.id}/fieldwork" in client.get(
        f"/admin/waves/{wave.id}"
    ).get_data(as_text=True)
    html = client.get(f"/admin/waves/{wave.id}/fieldwork").get_data(as_text=True)
    # MSB = 4, MSW = 0.25, n = 4: (4 - 0.25) / (4 + 3 x 0.25) = 0.789
    assert re.search(r'id="icc">0\.789<', html)
    assert 'id="icc-flag"' in html  # above 0.05, permutation p < 0.05
    row = re.search(r'data-interviewer="b@city.gov.vn">(.*?)</tr>', html).group(1)
    assert "33.3 %" in row  # a third of the interviews
    assert "2.75" in row  # their mean of the overall item


def test_no_flag_when_the_interviewers_agree(client, as_admin, make_user):
    world = as_admin
    wave = drawn_wave(world, 15)
    b, c = city_admin(world, make_user, "b"), city_admin(world, make_user, "c")
    enter(
        wave,
        [(world.admin, [1, 5, 3, 4, 2]), (b, [2, 4, 5, 1, 3]), (c, [5, 3, 1, 2, 4])],
    )
    html = client.get(f"/admin/waves/{wave.id}/fieldwork").get_data(as_text=True)
    assert 'id="icc-flag"' not in html
    icc = re.search(r'id="icc">([^<]*)<', html).group(1)
    assert icc.startswith(("-", "\u2212")), icc  # below zero: no effect at all


def test_the_back_check_sample_per_interviewer(client, as_admin, make_user):
    world = as_admin
    wave = drawn_wave(world, 38)
    b = city_admin(world, make_user, "b")
    # 34 by the admin (5 flagged), 4 by b: ceil(5 % x 34) = 2 random + 2 risky; 1.
    enter(wave, [(world.admin, [4] * 34), (b, [3] * 4)], flagged={0, 1, 2, 3, 4})
    post(client, f"/admin/waves/{wave.id}/backchecks")
    checks = list(db.session.scalars(select(BackCheck)))
    mine = [c for c in checks if c.interviewer_id == world.admin.id]
    assert sorted(c.reason for c in mine) == ["random", "random", "risk", "risk"]
    assert [c.reason for c in checks if c.interviewer_id == b.id] == ["random"]
    html = client.get(f"/admin/waves/{wave.id}/fieldwork").get_data(as_text=True)
    assert "5 waiting for a second call; 0 made." in html
    # A second draw finds no new interview: nothing is added twice.
    post(client, f"/admin/waves/{wave.id}/backchecks")
    db.session.expire_all()
    assert len(db.session.scalars(select(BackCheck)).all()) == 5


def test_the_back_check_flow(client, as_admin, make_user, login):
    world = as_admin
    wave = drawn_wave(world, 2)
    city_admin(world, make_user, "interviewer")
    switch_user(client, login, "interviewer@city.gov.vn")
    invitation = db.session.scalars(select(Invitation)).first()
    url = f"/admin/invitations/{invitation.id}/interview"
    page = client.get(url).get_data(as_text=True)
    done = client.post(
        url,
        data={**form_fields(page), **good_answers(), "page": "1", "action": "submit"},
    )
    assert done.status_code == 302
    post(client, f"/admin/waves/{wave.id}/backchecks")
    (check,) = db.session.scalars(select(BackCheck)).all()
    # The interviewer cannot check their own interview.
    own = post(client, f"/admin/backchecks/{check.id}", {"agreement": "yes"})
    assert own.status_code == 302
    db.session.expire_all()
    assert db.session.get(BackCheck, check.id).agreement is None

    switch_user(client, login, "admin@city.gov.vn")
    page = client.get(f"/admin/backchecks/{check.id}?lang=en")
    html = page.get_data(as_text=True)
    assert invitation.case.contact.phone in html  # the number to call back
    assert page.headers["Cache-Control"] == "no-store"
    assert "Satisfied?" in html  # a key item, with the answer entered
    missing = post(client, f"/admin/backchecks/{check.id}", {"agreement": ""})
    assert missing.status_code == 422
    assert "Choose one answer." in missing.get_data(as_text=True)
    post(client, f"/admin/backchecks/{check.id}", {"agreement": "partly", "note": "x"})
    db.session.expire_all()
    stored = db.session.get(BackCheck, check.id)
    assert (stored.agreement, stored.checker_id) == ("partly", world.admin.id)
    html = client.get(f"/admin/waves/{wave.id}/fieldwork").get_data(as_text=True)
    row = re.search(
        r'data-interviewer="interviewer@city.gov.vn">(.*?)</tr>', html
    ).group(1)
    assert "50.0 %" in row  # partly counts half
    assert "0 waiting for a second call; 1 made." in html
    actions = {
        (e.action, e.object_type)
        for e in db.session.scalars(select(AuditEvent))
        if e.object_type in ("back_check", "back_checks")
    }
    assert actions == {
        ("draw", "back_checks"),
        ("open", "back_check"),
        ("record", "back_check"),
    }


def test_ward_administrators_are_refused(client, world, make_user, login):
    wave = drawn_wave(world, 2)
    make_user("ward@city.gov.vn", "admin", world.w1)
    login("ward@city.gov.vn")
    assert client.get(f"/admin/waves/{wave.id}/fieldwork").status_code == 403
    assert post(client, f"/admin/waves/{wave.id}/backchecks").status_code == 403
    assert client.get("/admin/requests").status_code == 403
    assert db.session.scalars(select(BackCheck)).all() == []
