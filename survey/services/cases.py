"""Service cases in: from a CSV export or the one-stop system's JSON posts.

Both paths go through ``import_cases``: every row is parsed by the domain,
its unit resolved, its reference hashed with the app's key; a reference seen
before is skipped (so a re-import adds nothing), a bad row is reported by its
line with the reason.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from flask import current_app
from sqlalchemy import select

from survey.domain.cases import CaseRecord, CaseRowError, parse_case
from survey.extensions import db
from survey.models import ApiClient, CaseContact, ServiceCase, Unit
from survey.models._time import utcnow

CHUNK = 1000


@dataclass(frozen=True)
class RejectedRow:
    line: int
    reason: str


@dataclass
class ImportReport:
    added: int = 0
    duplicates: int = 0
    rejected: list[RejectedRow] = field(default_factory=list)
    # True when "all or nothing" was asked and a bad row stopped the import.
    aborted: bool = False

    @property
    def ok(self) -> bool:
        return not self.rejected


def _keyed_hash(purpose: str, value: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()


def case_reference_hash(reference: str) -> str:
    """The stored form of a case reference: keyed, so it cannot be guessed back."""
    return _keyed_hash("case", reference.strip())


def phone_hash(phone: str) -> str:
    """Keyed hash of a normalised phone number."""
    return _keyed_hash("phone", phone)


def _existing_hashes(hashes: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(hashes), CHUNK):
        chunk = hashes[start : start + CHUNK]
        found.update(
            db.session.scalars(
                select(ServiceCase.reference_hash).where(
                    ServiceCase.reference_hash.in_(chunk)
                )
            )
        )
    return found


def import_cases(
    rows: Iterable[Mapping[str, object]],
    all_or_nothing: bool = False,
    source: str = "csv",
    first_line: int = 2,
    progress: Callable[[int], None] | None = None,
    today: date | None = None,
) -> ImportReport:
    """Add the cases of ``rows``; report added, duplicates and rejected rows.

    Rows are numbered from ``first_line`` (2 for a CSV file under its header).
    With ``all_or_nothing`` a single rejected row means nothing is added.
    Flushes; the caller commits.
    """
    today = today or utcnow().date()
    units = {code: id_ for code, id_ in db.session.execute(select(Unit.code, Unit.id))}
    report = ImportReport()
    parsed: list[tuple[str, CaseRecord]] = []
    first_seen: dict[str, int] = {}
    for line, row in enumerate(rows, start=first_line):
        try:
            record = parse_case(row, today)
            if record.unit_code not in units:
                raise CaseRowError(f"unit_code {record.unit_code!r} is unknown")
            reference_hash = case_reference_hash(record.reference)
            if reference_hash in first_seen:
                raise CaseRowError(
                    f"the same reference as line {first_seen[reference_hash]}"
                )
        except CaseRowError as error:
            report.rejected.append(RejectedRow(line, str(error)))
            continue
        first_seen[reference_hash] = line
        parsed.append((reference_hash, record))
    if report.rejected and all_or_nothing:
        report.aborted = True
        return report
    known = _existing_hashes([h for h, _ in parsed])
    fresh = [(h, r) for h, r in parsed if h not in known]
    report.duplicates = len(parsed) - len(fresh)
    if progress:
        progress(report.duplicates + len(report.rejected))
    now = utcnow()
    for start in range(0, len(fresh), CHUNK):
        chunk = fresh[start : start + CHUNK]
        db.session.add_all(
            _case(reference_hash, record, units[record.unit_code], source, now)
            for reference_hash, record in chunk
        )
        db.session.flush()
        report.added += len(chunk)
        if progress:
            progress(len(chunk))
    return report


def _case(
    reference_hash: str, record: CaseRecord, unit_id: int, source: str, now: datetime
) -> ServiceCase:
    case = ServiceCase(
        reference_hash=reference_hash,
        unit_id=unit_id,
        procedure_group=record.procedure_group,
        applicant_type=record.applicant_type,
        submission_channel=record.submission_channel,
        outcome=record.outcome,
        received_on=record.received_on,
        due_on=record.due_on,
        returned_on=record.returned_on,
        supplement_requests=record.supplement_requests,
        source=source,
        imported_at=now,
    )
    if record.phone:
        case.contact = CaseContact(
            phone=record.phone, phone_hash=phone_hash(record.phone), created_at=now
        )
    return case


# --- API clients -------------------------------------------------------------


def _token_digest(token: str) -> str:
    # The token is 256 random bits: a plain hash is enough to keep it unreadable.
    return hashlib.sha256(token.encode()).hexdigest()


def create_api_client(name: str) -> tuple[ApiClient, str]:
    """A new client and its token; only the token's hash is stored."""
    token = secrets.token_urlsafe(32)
    client = ApiClient(name=name, token_hash=_token_digest(token))
    db.session.add(client)
    db.session.flush()
    return client, token


def api_client_for_token(token: str) -> ApiClient | None:
    """The enabled client holding ``token``, or None."""
    if not token or len(token) > 200:
        return None
    client = db.session.scalar(
        select(ApiClient).where(ApiClient.token_hash == _token_digest(token))
    )
    if client is None or client.disabled_at is not None:
        return None
    return client
