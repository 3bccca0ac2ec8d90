"""Waves: a reproducible stratified draw, one phone per 30 days, export, erasure."""

from __future__ import annotations

import csv
from datetime import date, timedelta

from sqlalchemy import func, select

from survey.extensions import db
from survey.models import (
    AuditEvent,
    CaseContact,
    Invitation,
    ServiceCase,
    Survey,
    Wave,
)
from survey.services.fieldwork.waves import (
    create_wave,
    draw_wave,
    erase_person,
    invitation_token,
    person_contact_data,
)
from tests.trust.conftest import case_row


def many_cases(add_cases, count: int = 60, prefix: str = "C") -> None:
    rows = []
    for i in range(count):
        outcome = "rejected" if i % 5 == 0 else "approved"
        group = "land" if i % 2 else "civil_status"
        rows.append(
            case_row(
                f"{prefix}-{i}",
                unit_code="W1" if i % 3 else "W2",
                outcome=outcome,
                procedure_group=group,
                phone=f"09{i:08d}",
            )
        )
    add_cases(rows)


def new_wave(survey: Survey, seed: int = 7, per_unit: int = 8, **kwargs):
    today = date.today()
    wave = create_wave(
        survey,
        survey.units,
        today - timedelta(days=29),
        today,
        per_unit,
        seed=seed,
        oversample_factor=kwargs.pop("oversample_factor", 2.0),
        **kwargs,
    )
    db.session.commit()
    return wave


def drawn_cases(wave) -> list[int]:
    return sorted(i.case_id for i in wave.invitations)


def test_the_same_seed_draws_the_same_cases(app, make_survey, add_cases):
    survey = make_survey()
    many_cases(add_cases)
    first = new_wave(survey, seed=42)
    report = draw_wave(first)
    db.session.commit()
    assert report.invited == {"W1": 8, "W2": 8}
    chosen = drawn_cases(first)
    assert len(set(chosen)) == 16
    # Undo the draw and draw again: same seed, same cases.
    for invitation in first.invitations:
        db.session.delete(invitation)
    first.status = "draft"
    db.session.commit()
    draw_wave(first)
    db.session.commit()
    db.session.expire_all()
    assert drawn_cases(first) == chosen
    assert (
        db.session.scalar(
            select(func.count(AuditEvent.id)).where(AuditEvent.action == "draw")
        )
        == 2
    )


def test_a_phone_is_not_invited_twice_within_30_days(app, make_survey, add_cases):
    survey = make_survey()
    # Every case of the second batch shares a phone with one of the first.
    add_cases([case_row(f"A-{i}", phone=f"0900000{i:03d}") for i in range(10)])
    add_cases([case_row(f"B-{i}", phone=f"0900000{i:03d}") for i in range(10)])
    wave = new_wave(survey, per_unit=10)
    draw_wave(wave)
    db.session.commit()
    phones = [i.case.contact.phone for i in wave.invitations]
    assert len(phones) == 10 == len(set(phones))  # never twice in one wave
    second = new_wave(survey, seed=8, per_unit=10)
    report = draw_wave(second)
    db.session.commit()
    assert report.invited["W1"] == 0 and report.short["W1"] == 10


def test_the_draw_keeps_to_units_period_and_strata(app, make_survey, add_cases):
    survey = make_survey()
    many_cases(add_cases)
    old = date.today() - timedelta(days=200)
    add_cases(
        [
            case_row(
                f"OLD-{i}",
                returned_on=old.isoformat(),
                received_on=(old - timedelta(days=3)).isoformat(),
                due_on="",
            )
            for i in range(20)
        ]
    )
    wave = new_wave(survey, per_unit=10, oversample_factor=3.0)
    draw_wave(wave)
    db.session.commit()
    cases = [i.case for i in wave.invitations]
    assert all(c.returned_on >= date.today() - timedelta(days=29) for c in cases)
    assert {c.unit.code for c in cases} == {"W1", "W2"}
    # Both procedure groups and both outcomes are drawn; rejected cases (a
    # fifth of the frame) are oversampled threefold.
    assert {c.procedure_group for c in cases} == {"land", "civil_status"}
    rejected = sum(c.outcome == "rejected" for c in cases)
    assert rejected / len(cases) > 0.3


def test_export_links_open_the_invitation_and_closing_erases_phones(
    app, runner, make_survey, add_cases, tmp_path
):
    survey = make_survey()
    many_cases(add_cases, count=12)
    wave = new_wave(survey, per_unit=3)
    assert runner.invoke(args=["draw-wave", str(wave.id)]).exit_code == 0
    target = tmp_path / "sms.csv"
    result = runner.invoke(
        args=[
            "export-wave-contacts",
            str(wave.id),
            str(target),
            "--base-url",
            "https://khaosat.example.vn/",
        ]
    )
    assert result.exit_code == 0, result.output
    with target.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 6
    assert [r["phone"] for r in rows] == sorted(r["phone"] for r in rows)
    first = db.session.scalar(select(Invitation).order_by(Invitation.id))
    (row,) = [r for r in rows if r["phone"] == first.case.contact.phone]
    assert row["link"] == f"https://khaosat.example.vn/i/{invitation_token(first.id)}"
    assert (
        db.session.scalar(
            select(func.count(AuditEvent.id)).where(
                AuditEvent.object_type == "wave_contacts"
            )
        )
        == 1
    )
    result = runner.invoke(args=["close-wave", str(wave.id)])
    assert result.exit_code == 0 and "erased 6 phone" in result.output
    db.session.expire_all()
    erased = db.session.scalars(
        select(CaseContact).join(Invitation, Invitation.case_id == CaseContact.case_id)
    ).all()
    assert all(c.phone is None and c.erased_at for c in erased)
    assert all(c.phone_hash for c in erased)  # still honours the 30-day rule
    # Contacts of cases not drawn are kept for a later wave.
    kept = db.session.scalar(
        select(func.count(CaseContact.id)).where(CaseContact.phone.is_not(None))
    )
    assert kept == 6
    again = runner.invoke(args=["export-wave-contacts", str(wave.id), str(target)])
    assert again.exit_code != 0


def test_a_person_can_export_and_erase_their_contact_data(
    app, runner, make_survey, add_cases
):
    make_survey()
    add_cases(
        [case_row("P-1", phone="0912345678"), case_row("P-2", phone="0912345678")]
    )
    records = person_contact_data("0912345678")
    assert [r["phone"] for r in records] == ["0912345678", "0912345678"]
    result = runner.invoke(args=["contact-data", "erase", "+84 912 345 678"])
    assert result.exit_code == 0 and "2 case contact" in result.output
    db.session.expire_all()
    contacts = db.session.scalars(select(CaseContact)).all()
    assert all(c.phone is None and c.phone_hash is None for c in contacts)
    assert db.session.scalar(select(func.count(ServiceCase.id))) == 2
    assert erase_person("0912345678") == 0
    logged = db.session.scalars(
        select(AuditEvent).where(AuditEvent.object_type == "person_contact_data")
    ).all()
    assert {e.action for e in logged} == {"export", "erase"}
    assert all("0912345678" not in str(e.details) for e in logged)


def test_create_wave_from_a_margin_of_error(runner, make_survey):
    make_survey()
    today = date.today()
    result = runner.invoke(
        args=[
            "create-wave",
            "--survey",
            "test",
            "--start",
            (today - timedelta(days=20)).isoformat(),
            "--end",
            today.isoformat(),
            "--moe",
            "0.07",
            "--seed",
            "5",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "needs 100 responses a unit" in result.output
    wave = db.session.scalar(select(Wave))
    assert wave.sample_per_unit == 100 and wave.seed == 5 and len(wave.units) == 2
