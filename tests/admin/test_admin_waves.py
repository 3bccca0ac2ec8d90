"""Waves through the admin pages: create, draw, export, close; phone interviews."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta

from sqlalchemy import func, select

from survey.extensions import db
from survey.models import AuditEvent, CaseContact, Invitation, Response, Wave
from survey.services.fieldwork.cases import import_cases
from survey.services.fieldwork.waves import invitation_token
from tests.admin.helpers import post, switch_user
from tests.public.helpers import form_fields, good_answers
from tests.trust.conftest import case_row


def add_cases(count: int = 12) -> None:
    rows = [
        case_row(f"C-{i}", "W1" if i % 2 else "W2", phone=f"0912{i:06d}")
        for i in range(count)
    ]
    assert import_cases(rows).ok
    db.session.commit()


def wave_form(world, **changes) -> dict:
    today = date.today()
    data = {
        "name": "Tháng 11",
        "version": str(world.survey.published_version.id),
        "period_start": (today - timedelta(days=29)).isoformat(),
        "period_end": today.isoformat(),
        "units": [str(world.w1.id), str(world.w2.id)],
        "sample_mode": "per_unit",
        "per_unit": "3",
        "moe": "",
        "stratify": "y",
        "oversample": "2",
        "action": "create",
    }
    data.update(changes)
    return data


def create(client, world, **changes):
    return post(
        client,
        f"/admin/surveys/{world.survey.slug}/waves/new",
        wave_form(world, **changes),
    )


def waves() -> list[Wave]:
    db.session.expire_all()
    return list(db.session.scalars(select(Wave)))


def test_a_wave_is_created_drawn_exported_and_closed_in_the_browser(client, as_admin):
    world = as_admin
    add_cases()
    page = client.get(f"/admin/surveys/{world.survey.slug}/waves/new")
    assert page.status_code == 200 and "js/wave." in page.get_data(as_text=True)
    created = create(client, world)
    assert created.status_code == 302
    (wave,) = waves()
    assert (wave.sample_per_unit, wave.status) == (3, "draft")
    assert wave.stratify and wave.oversample_factor == 2.0
    assert {u.code for u in wave.units} == {"W1", "W2"}
    url = created.headers["Location"]
    assert url.endswith(f"/admin/waves/{wave.id}")
    shown = client.get(url).get_data(as_text=True)
    assert f"<code>{wave.seed}</code>" in shown

    assert post(client, f"{url}/draw").status_code == 302
    wave = waves()[0]
    assert wave.status == "drawn" and len(wave.invitations) == 6
    again = post(client, f"{url}/draw", follow_redirects=True)
    assert "drawn already" in again.get_data(as_text=True)
    assert len(waves()[0].invitations) == 6

    exported = post(
        client, f"{url}/contacts", {"base_url": "https://khaosat.example.vn"}
    )
    assert exported.status_code == 200 and exported.mimetype == "text/csv"
    assert exported.headers["Cache-Control"] == "no-store"
    rows = list(
        csv.reader(io.StringIO(exported.get_data(as_text=True).lstrip("\ufeff")))
    )
    assert rows[0] == ["phone", "link"] and len(rows) == 7
    assert all(link.startswith("https://khaosat.example.vn/i/") for _, link in rows[1:])
    assert not any(
        cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row
    )
    bad_base = post(client, f"{url}/contacts", {"base_url": "=cmd|' /C calc'!A0"})
    assert bad_base.status_code == 302

    assert post(client, f"{url}/close").status_code == 302
    assert waves()[0].status == "closed"
    kept = db.session.scalar(
        select(func.count(CaseContact.id))
        .join(Invitation, Invitation.case_id == CaseContact.case_id)
        .where(CaseContact.phone.is_not(None))
    )
    assert kept == 0
    after = post(client, f"{url}/contacts", {"base_url": "https://khaosat.example.vn"})
    assert after.status_code == 302
    actions = db.session.scalars(
        select(AuditEvent.action).where(
            AuditEvent.object_type.in_(("wave", "wave_contacts"))
        )
    ).all()
    assert sorted(actions) == ["close", "create", "draw", "export"]


def test_a_margin_of_error_sets_the_sample_size_shown_before_creating(client, as_admin):
    world = as_admin
    computed = create(
        client, world, sample_mode="moe", per_unit="", moe="7", action="compute"
    )
    assert computed.status_code == 200
    assert "needs 100 responses per unit" in computed.get_data(as_text=True)
    assert waves() == []
    assert (
        create(client, world, sample_mode="moe", per_unit="", moe="7").status_code
        == 302
    )
    assert waves()[0].sample_per_unit == 100


def test_a_posted_seed_is_ignored_and_the_drawn_seed_is_recorded(client, as_admin):
    world = as_admin
    add_cases()
    form = client.get(f"/admin/surveys/{world.survey.slug}/waves/new")
    assert 'name="seed"' not in form.get_data(as_text=True)
    for _ in range(2):
        assert create(client, world, seed="42").status_code == 302
    first, second = sorted(waves(), key=lambda w: w.id)
    assert 42 not in (first.seed, second.seed) and first.seed != second.seed
    assert post(client, f"/admin/waves/{first.id}/draw").status_code == 302
    events = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.object_type == "wave")
        .where(AuditEvent.object_id == str(first.id))
        .order_by(AuditEvent.id)
    ).all()
    assert [(e.action, e.details["seed"]) for e in events] == [
        ("create", first.seed),
        ("draw", first.seed),
    ]


def test_bad_wave_input_is_refused_with_a_message(client, as_admin):
    world = as_admin
    cases = {
        "no size": {"per_unit": ""},
        "no margin": {"sample_mode": "moe", "moe": ""},
        "NaN margin": {"sample_mode": "moe", "moe": "sNaN"},
        "backwards": {"period_end": "2000-01-01"},
        "no unit": {"units": []},
        "not a number": {"units": ["abc"]},
        "oversample": {"oversample": "11"},
        "bad date": {"period_start": "2025-13-45"},
        "other version": {"version": "999999"},
    }
    for name, change in cases.items():
        response = create(client, world, **change)
        assert response.status_code == 422, name
    assert waves() == []


def test_units_outside_the_scope_or_the_survey_are_refused(
    client, world, make_user, login
):
    # Separation of duties: only a city-wide administrator plans a wave
    # (tests/security/test_separation_of_duties.py); a ward's cannot, even
    # for its own ward.
    make_user("w1-admin@city.gov.vn", "admin", world.w1)
    login("w1-admin@city.gov.vn")
    page = client.get(f"/admin/surveys/{world.survey.slug}/waves/new")
    assert page.status_code == 403
    assert create(client, world, units=[str(world.w1.id)]).status_code == 403
    assert waves() == []


def test_a_ward_administrator_cannot_open_a_city_wide_wave(
    client, world, make_user, login
):
    login("admin@city.gov.vn")
    add_cases()
    create(client, world)
    wave = waves()[0]
    make_user("w1-admin@city.gov.vn", "admin", world.w1)
    switch_user(client, login, "w1-admin@city.gov.vn")
    assert client.get(f"/admin/waves/{wave.id}").status_code == 403
    assert post(client, f"/admin/waves/{wave.id}/draw").status_code == 403
    assert f"/admin/waves/{wave.id}" not in client.get("/admin/waves").get_data(
        as_text=True
    )
    assert client.get("/admin/waves/99999").status_code == 404


def test_hostile_text_is_escaped_on_the_wave_pages(client, as_admin):
    world = as_admin
    hostile = '<script>alert("x")</script>'
    assert create(client, world, name=hostile).status_code == 302
    for url in ("/admin/waves", f"/admin/waves/{waves()[0].id}"):
        html = client.get(url).get_data(as_text=True)
        assert hostile not in html and "&lt;script&gt;" in html


# --- the phone interview -------------------------------------------------------


def drawn_invitation(client, world) -> Invitation:
    add_cases(2)
    create(client, world, per_unit="1", units=[str(world.w1.id)])
    post(client, f"/admin/waves/{waves()[0].id}/draw")
    return db.session.scalar(select(Invitation))


def interview(client, invitation: Invitation):
    url = f"/admin/invitations/{invitation.id}/interview"
    page = client.get(url)
    assert page.status_code == 200, page.status_code
    data = {**form_fields(page.get_data(as_text=True)), **good_answers()}
    return page, client.post(url, data={**data, "page": "1", "action": "submit"})


def test_a_phone_interview_is_stored_once_with_its_interviewer(client, as_admin):
    world = as_admin
    invitation = drawn_invitation(client, world)
    page, done = interview(client, invitation)
    html = page.get_data(as_text=True)
    assert invitation.case.contact.phone in html
    assert page.headers["Cache-Control"] == "no-store"
    assert "Anonymous: we do not store" not in html  # the staff layout, not the public
    assert done.status_code == 302
    assert done.headers["Location"].endswith(f"/admin/waves/{invitation.wave_id}")

    db.session.expire_all()
    (stored,) = db.session.scalars(select(Response)).all()
    assert stored.channel == "phone"
    assert stored.interviewer_id == world.admin.id
    assert stored.invitation_id == invitation.id
    assert stored.device_hash is None
    assert db.session.get(Invitation, invitation.id).status == "answered"

    # A second interview of the same invitation is refused, even from a form
    # opened before the first was saved.
    url = f"/admin/invitations/{invitation.id}/interview"
    assert client.get(url).status_code == 302
    again = client.post(
        url,
        data={**form_fields(html), **good_answers(), "page": "1", "action": "submit"},
        follow_redirects=True,
    )
    assert "already been answered" in again.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Response.id))) == 1
    opened = db.session.scalar(
        select(func.count(AuditEvent.id)).where(
            AuditEvent.object_type == "phone_interview"
        )
    )
    assert opened == 2  # the page was opened once, the interview entered once


def test_a_second_response_for_one_invitation_is_refused_by_the_database(
    client, as_admin
):
    """Two interviewers with the form open at once: only one response is kept."""
    world = as_admin
    invitation = drawn_invitation(client, world)
    url = f"/admin/invitations/{invitation.id}/interview"
    first = form_fields(client.get(url).get_data(as_text=True))
    second = form_fields(client.get(url).get_data(as_text=True))
    for fields in (first, second):
        # Undo the answered mark, as if the second post raced the first.
        db.session.execute(
            Invitation.__table__.update().values(status="invited", answered_at=None)
        )
        db.session.commit()
        client.post(
            url, data={**fields, **good_answers(), "page": "1", "action": "submit"}
        )
    assert db.session.scalar(select(func.count(Response.id))) == 1


def test_interviews_stay_in_the_interviewers_scope(client, world, make_user, login):
    login("admin@city.gov.vn")
    invitation = drawn_invitation(client, world)
    make_user("w2-admin@city.gov.vn", "admin", world.w2)
    switch_user(client, login, "w2-admin@city.gov.vn")
    assert (
        client.get(f"/admin/invitations/{invitation.id}/interview").status_code == 403
    )
    switch_user(client, login, "designer@city.gov.vn")
    assert (
        client.get(f"/admin/invitations/{invitation.id}/interview").status_code == 403
    )
    assert client.get("/admin/invitations/424242/interview").status_code in (403, 404)


def test_a_post_without_the_form_restarts_the_interview(client, as_admin):
    invitation = drawn_invitation(client, as_admin)
    url = f"/admin/invitations/{invitation.id}/interview"
    restarted = post(client, url, {})
    assert restarted.status_code == 302 and restarted.headers["Location"].endswith(url)
    tampered = post(client, url, {"ticket": "x", "page": "0"})
    assert tampered.status_code == 400
    assert db.session.scalar(select(func.count(Response.id))) == 0


def test_a_units_administrator_cannot_join_a_phone_number_to_an_answer(
    app, client, as_admin, make_user, login
):
    world = as_admin
    add_cases()
    assert create(client, world, units=[str(world.w1.id)]).status_code == 302
    (wave,) = waves()
    assert post(client, f"/admin/waves/{wave.id}/draw").status_code == 302
    db.session.expire_all()
    answered = min(wave.invitations, key=lambda i: i.id)
    phone = answered.case.contact.phone
    citizen = app.test_client()
    link = f"/i/{invitation_token(answered.id)}"
    data = {**form_fields(citizen.get(link).get_data(as_text=True)), **good_answers()}
    done = citizen.post(link, data={**data, "page": "1", "action": "submit"})
    assert done.status_code == 302
    seen = client.get(f"/admin/waves/{wave.id}").get_data(as_text=True)
    row = re.compile(rf'<td class="num">{answered.id}</td>\s*<td>W1</td>')
    assert row.search(seen) and "badge-green" in seen

    make_user("w1-admin@city.gov.vn", "admin", world.w1)
    switch_user(client, login, "w1-admin@city.gov.vn")
    page = client.get(f"/admin/waves/{wave.id}").get_data(as_text=True)
    assert not row.search(page)
    assert "badge-green" not in page
    assert "chỉ hiển thị cho quản trị viên cấp thành phố" in page
    assert '<td class="num">1</td>' in page  # the unit's answered count stays
    contacts = post(
        client,
        f"/admin/waves/{wave.id}/contacts",
        {"base_url": "https://khaosat.example.vn"},
    )
    assert contacts.status_code == 200
    rows = list(csv.DictReader(io.StringIO(contacts.get_data(as_text=True)[1:])))
    phones = [row["phone"] for row in rows]
    assert phone in phones and phones == sorted(phones)  # no invitation order
    found = post(client, "/admin/contact-data", {"phone": phone, "action": "export"})
    text = found.get_data(as_text=True)
    assert found.status_code == 200 and phone in text
    assert "answered" not in text.lower() and "invited" in text
