"""Invitation waves: draw, links, the contact export, closing and erasure.

Contacts are personal data (Law No. 91/2025/QH15): they are read only to
draw and to export the gateway's list, both audited, and erased when the wave
closes or when the person asks.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import exists, select
from sqlalchemy.orm import aliased

from survey.domain.errors import DomainError
from survey.domain.sampling import Candidate, draw_sample
from survey.extensions import db
from survey.models import CaseContact, Invitation, ServiceCase, Unit, User, Wave
from survey.models._time import utcnow
from survey.models.surveys import Survey, SurveyVersion
from survey.services.audit import record_event
from survey.services.fieldwork import not_null
from survey.services.fieldwork.cases import phone_hash
from survey.services.fieldwork.wave_progress import (
    UnitProgress,
    wave_counts,
    wave_counts_by_wave,
    wave_invitations,
    wave_progress,
    waves_in_scope,
)

__all__ = [
    "UnitProgress",
    "wave_counts",
    "wave_counts_by_wave",
    "wave_invitations",
    "wave_progress",
    "waves_in_scope",
]


INVITATION_DAYS = 30  # a link expires 30 days after the case's result
PHONE_REST_DAYS = 30  # a phone is invited at most once in 30 days


class WaveInputError(DomainError):
    """A wave that cannot be defined as asked."""

    codes = frozenset(
        {
            "no_published_version",
            "period_order",
            "sample_size",
            "oversampling",
            "no_units",
        }
    )


def create_wave(
    survey: Survey,
    units: Sequence[Unit],
    period_start: date,
    period_end: date,
    sample_per_unit: int,
    seed: int,
    version: SurveyVersion | None = None,
    stratify: bool = True,
    oversample_factor: float = 1.0,
    name: str = "",
) -> Wave:
    version = version or survey.published_version
    if version is None or not version.is_published or version.survey_id != survey.id:
        raise WaveInputError(
            "no_published_version", "the wave needs a published version of the survey"
        )
    if period_end < period_start:
        raise WaveInputError("period_order", "the period ends before it starts")
    if sample_per_unit < 1:
        raise WaveInputError("sample_size", "the sample per unit must be at least 1")
    if not 1.0 <= oversample_factor <= 10.0:
        raise WaveInputError(
            "oversampling", "the oversampling factor must be between 1 and 10"
        )
    if not units:
        raise WaveInputError("no_units", "the wave needs at least one unit")
    wave = Wave(
        survey=survey,
        version=version,
        name=name,
        period_start=period_start,
        period_end=period_end,
        sample_per_unit=sample_per_unit,
        stratify=stratify,
        oversample_factor=oversample_factor,
        seed=seed,
        units=list(units),
    )
    db.session.add(wave)
    db.session.flush()
    return wave


def invitation_token(invitation_id: int) -> str:
    """The link's token, HMAC(SECRET_KEY, "invite:<id>"): re-creatable, unguessable."""
    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(key, f"invite:{invitation_id}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(digest.digest()).decode().rstrip("=")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_for_token(token: str) -> Invitation | None:
    if not token or len(token) > 100:
        return None
    return db.session.scalar(
        select(Invitation).where(Invitation.token_hash == token_hash(token))
    )


def _recently_invited_phones(now: datetime) -> frozenset[str]:
    rows = db.session.scalars(
        select(CaseContact.phone_hash)
        .join(Invitation, Invitation.case_id == CaseContact.case_id)
        .where(
            Invitation.created_at >= now - timedelta(days=PHONE_REST_DAYS),
            CaseContact.phone_hash.is_not(None),
        )
        .distinct()
    )
    return frozenset(h for h in rows if h)


def _candidates(wave: Wave, unit: Unit, today: date) -> list[Candidate]:
    earliest_result = today - timedelta(days=INVITATION_DAYS)
    invited = aliased(Invitation)
    rows = db.session.execute(
        select(
            ServiceCase.id,
            ServiceCase.procedure_group,
            ServiceCase.outcome,
            ServiceCase.returned_on,
            ServiceCase.due_on,
            CaseContact.phone_hash,
        )
        .join(CaseContact, CaseContact.case_id == ServiceCase.id)
        .where(
            ServiceCase.unit_id == unit.id,
            ServiceCase.returned_on >= max(wave.period_start, earliest_result),
            ServiceCase.returned_on <= wave.period_end,
            CaseContact.phone.is_not(None),
            ~exists().where(invited.case_id == ServiceCase.id),
        )
    )
    candidates = []
    for case_id, group, outcome, returned, due, phone_key in rows:
        late = due is not None and returned > due
        stratum = (group, outcome) if wave.stratify else ()
        boosted = outcome == "rejected" or late
        candidates.append(Candidate(case_id, stratum, boosted, phone_key or ""))
    return candidates


@dataclass(frozen=True)
class DrawReport:
    invited: dict[str, int]  # unit code -> invitations issued
    short: dict[str, int]  # unit code -> places left empty (too few cases)


def draw_wave(
    wave: Wave, user: User | None = None, now: datetime | None = None
) -> DrawReport:
    """Draw the wave's sample and issue one invitation per drawn case."""
    now = now or utcnow()
    wave.mark_drawn(now)
    used = _recently_invited_phones(now)
    invited: dict[str, int] = {}
    short: dict[str, int] = {}
    for unit in sorted(wave.units, key=lambda u: u.id):
        candidates = _candidates(wave, unit, now.date())
        chosen = draw_sample(
            candidates,
            wave.sample_per_unit,
            seed=f"{wave.seed}:{unit.id}",
            oversample_factor=wave.oversample_factor if wave.stratify else 1.0,
            used_phones=used,
        )
        phones = {c.case_id: c.phone_key for c in candidates}
        used = used | {phones[case_id] for case_id in chosen}
        cases = {
            c.id: c
            for c in db.session.scalars(
                select(ServiceCase).where(ServiceCase.id.in_(chosen))
            )
        }
        batch = [
            Invitation(
                wave=wave,
                case_id=case_id,
                unit_id=unit.id,
                expires_at=datetime.combine(cases[case_id].returned_on, time())
                + timedelta(days=INVITATION_DAYS),
                created_at=now,
            )
            for case_id in chosen
        ]
        db.session.add_all(batch)
        db.session.flush()
        for invitation in batch:
            invitation.token_hash = token_hash(invitation_token(invitation.id))
        invited[unit.code] = len(batch)
        if len(batch) < wave.sample_per_unit:
            short[unit.code] = wave.sample_per_unit - len(batch)
    db.session.flush()
    record_event(
        user, "draw", "wave", wave.id, seed=wave.seed, invited=sum(invited.values())
    )
    return DrawReport(invited, short)


def export_contacts(
    wave: Wave, base_url: str, user: User | None = None
) -> Iterator[tuple[str, str]]:
    """(phone, link) for every invitation of the wave whose number is kept.

    The export is audited when it starts; the caller writes the rows out.
    """
    record_event(user, "export", "wave_contacts", wave.id)
    rows = db.session.execute(
        select(Invitation.id, CaseContact.phone)
        .join(CaseContact, CaseContact.case_id == Invitation.case_id)
        .where(Invitation.wave_id == wave.id, CaseContact.phone.is_not(None))
        # By number, not by invitation: the file's order must not tell which
        # invitation (and so which answer) a number belongs to.
        .order_by(CaseContact.phone, Invitation.id)
    )
    root = base_url.rstrip("/")
    for invitation_id, phone in rows:
        yield not_null(phone), f"{root}/i/{invitation_token(invitation_id)}"


def close_wave(
    wave: Wave, user: User | None = None, now: datetime | None = None
) -> int:
    """Close the wave and erase its contacts' numbers; returns how many."""
    now = now or utcnow()
    wave.close(now)
    from survey.services.fieldwork.outbox import cancel_wave

    cancelled = cancel_wave(wave)
    contacts = db.session.scalars(
        select(CaseContact)
        .join(Invitation, Invitation.case_id == CaseContact.case_id)
        .where(
            Invitation.wave_id == wave.id,
            CaseContact.phone.is_not(None) | CaseContact.email.is_not(None),
        )
    ).all()
    for contact in contacts:
        contact.erase(now)
    record_event(
        user,
        "close",
        "wave",
        wave.id,
        erased_contacts=len(contacts),
        cancelled_messages=cancelled,
    )
    db.session.flush()
    return len(contacts)


# --- a person's request ------------------------------------------------------


def _contacts_of(phone: str, scope: Unit | None = None) -> list[CaseContact]:
    key = phone_hash(phone)
    query = select(CaseContact).where(CaseContact.phone_hash == key)
    if scope is not None:
        query = query.join(ServiceCase, ServiceCase.id == CaseContact.case_id).where(
            ServiceCase.unit_id.in_(Unit.subtree_ids(scope))
        )
    return list(db.session.scalars(query.order_by(CaseContact.id)))


def person_contact_data(
    phone: str, user: User | None = None, scope: Unit | None = None
) -> list[dict[str, str]]:
    """Everything kept about the person with this (normalised) number; audited.

    With ``scope``, only the cases of units in that subtree.
    """
    records = []
    for contact in _contacts_of(phone, scope):
        case = contact.case
        invitation = db.session.scalar(
            select(Invitation).where(Invitation.case_id == case.id)
        )
        records.append(
            {
                "phone": contact.phone or "(erased)",
                "unit": case.unit.code,
                "procedure_group": case.procedure_group,
                "outcome": case.outcome,
                "returned_on": case.returned_on.isoformat(),
                "contact_kept_since": contact.created_at.isoformat(timespec="seconds"),
                "erased_at": contact.erased_at.isoformat(timespec="seconds")
                if contact.erased_at
                else "",
                # Invited or not, never whether they answered: that would
                # join the number to an answer while the wave is open.
                "invitation": "invited" if invitation else "",
            }
        )
    # The audit line names the request, never the number.
    record_event(user, "export", "person_contact_data", records=len(records))
    return records


def erase_person(
    phone: str,
    user: User | None = None,
    now: datetime | None = None,
    scope: Unit | None = None,
) -> int:
    """Erase the number and its hash from every case; returns how many contacts.

    With ``scope``, only from the cases of units in that subtree.
    """
    now = now or utcnow()
    contacts = _contacts_of(phone, scope)
    for contact in contacts:
        contact.erase(now, forget_hash=True)
    record_event(user, "erase", "person_contact_data", contacts=len(contacts))
    db.session.flush()
    return len(contacts)
