"""Service cases in: from a CSV export or the one-stop system's JSON posts.

Both paths go through ``import_cases``: every row is parsed by the domain,
its unit resolved, its reference hashed with the app's key; a reference seen
before is skipped (so a re-import adds nothing), a bad row is reported by its
line with the reason.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import secrets
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from flask import current_app
from sqlalchemy import extract, func, select

from survey.domain.cases import (
    CaseRecord,
    CaseRowError,
    missing_columns,
    parse_case,
)
from survey.domain.errors import DomainError
from survey.extensions import db
from survey.models import ApiClient, CaseContact, ServiceCase, Unit, User
from survey.models._time import utcnow

CHUNK = 1000


class CaseFileError(ValueError):
    """A CSV file that cannot be read at all; ``kind`` names the problem."""

    def __init__(self, kind: str, detail: str, line: int = 0) -> None:
        super().__init__(detail)
        self.kind = kind  # "encoding", "columns" or "syntax"
        self.detail = detail
        self.line = line


def read_case_csv(data: bytes) -> list[dict[str, str]]:
    """The rows of a UTF-8 CSV file (comma or semicolon), keys trimmed and lower.

    Raises CaseFileError when the file is not UTF-8, lacks a required column
    or is not CSV; single bad rows are left to ``import_cases`` to report.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise CaseFileError("encoding", f"byte {error.start}") from None
    sample = text[:4096]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [name.strip().lower() for name in reader.fieldnames or []]
    except csv.Error as error:
        raise CaseFileError("syntax", str(error), 1) from None
    missing = missing_columns(header)
    if missing:
        raise CaseFileError(
            "columns",
            f"{', '.join(missing)}; found: {', '.join(header) or 'no header'}",
        )
    reader.fieldnames = header
    try:
        return [dict(row) for row in reader]
    except csv.Error as error:
        raise CaseFileError("syntax", str(error), reader.line_num) from None


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
    scope: Unit | None = None,
) -> ImportReport:
    """Add the cases of ``rows``; report added, duplicates and rejected rows.

    Rows are numbered from ``first_line`` (2 for a CSV file under its header).
    With ``all_or_nothing`` a single rejected row means nothing is added.
    With ``scope`` (an administrator's unit) a row of a unit outside that
    subtree is rejected. Flushes; the caller commits.
    """
    today = today or utcnow().date()
    units = {code: id_ for code, id_ in db.session.execute(select(Unit.code, Unit.id))}
    in_scope = (
        set(db.session.scalars(Unit.subtree_ids(scope))) if scope is not None else None
    )
    report = ImportReport()
    parsed: list[tuple[str, CaseRecord]] = []
    first_seen: dict[str, int] = {}
    for line, row in enumerate(rows, start=first_line):
        try:
            record = parse_case(row, today)
            if record.unit_code not in units:
                raise CaseRowError(f"unit_code {record.unit_code!r} is unknown")
            if in_scope is not None and units[record.unit_code] not in in_scope:
                raise CaseRowError(
                    f"unit_code {record.unit_code!r} is outside your scope"
                )
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
            phone=record.phone,
            phone_hash=phone_hash(record.phone),
            email=record.email,
            created_at=now,
        )
    return case


@dataclass(frozen=True)
class UnitCases:
    unit: Unit
    per_month: list[int]  # in the order of ``CaseTable.months``
    total: int
    with_phone: int  # contacts whose number is still kept


@dataclass(frozen=True)
class CaseTable:
    months: list[tuple[int, int]]  # (year, month), newest first
    rows: list[UnitCases]


def case_counts(scope: Unit, months: int = 12) -> CaseTable:
    """Cases per unit of ``scope`` and month of result, grouped in SQL.

    Only the ``months`` most recent months that hold cases; a unit's total
    and phone numbers kept count over those months.
    """
    year = extract("year", ServiceCase.returned_on)
    month = extract("month", ServiceCase.returned_on)
    rows = db.session.execute(
        select(
            ServiceCase.unit_id,
            year,
            month,
            func.count(ServiceCase.id),
            func.count(CaseContact.phone),
        )
        .outerjoin(CaseContact, CaseContact.case_id == ServiceCase.id)
        .where(ServiceCase.unit_id.in_(Unit.subtree_ids(scope)))
        .group_by(ServiceCase.unit_id, year, month)
    ).all()
    wanted = sorted({(int(y), int(m)) for _, y, m, _, _ in rows}, reverse=True)
    wanted = wanted[:months]
    column = {key: i for i, key in enumerate(wanted)}
    cells: dict[int, list[int]] = {}
    phones: dict[int, int] = {}
    for unit_id, y, m, total, kept in rows:
        key = (int(y), int(m))
        if key in column:
            cells.setdefault(unit_id, [0] * len(wanted))[column[key]] += total
            phones[unit_id] = phones.get(unit_id, 0) + kept
    units = db.session.scalars(
        select(Unit).where(Unit.id.in_(list(cells))).order_by(Unit.code)
    )
    return CaseTable(
        wanted,
        [UnitCases(u, cells[u.id], sum(cells[u.id]), phones[u.id]) for u in units],
    )


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


class ApiClientError(DomainError):
    """A system that cannot be registered under the name given."""

    codes = frozenset({"name_taken", "name_length"})


MAX_CLIENT_NAME = 100


def register_api_client(actor: User | None, name: str) -> tuple[ApiClient, str]:
    """A new, audited client and its token: the one write behind the admin's
    page and ``flask create-api-client`` (``actor`` is None from the CLI)."""
    from survey.services.audit import record_event

    name = name.strip()
    if not name or len(name) > MAX_CLIENT_NAME:
        raise ApiClientError("name_length")
    if db.session.scalar(select(ApiClient.id).where(ApiClient.name == name)):
        raise ApiClientError("name_taken", f"an API client named {name!r} exists")
    client, token = create_api_client(name)
    record_event(actor, "create", "api_client", client.id, name=name)
    return client, token


def api_clients() -> list[ApiClient]:
    """Every client, the enabled ones first."""
    return list(
        db.session.scalars(
            select(ApiClient).order_by(
                ApiClient.disabled_at.is_not(None), ApiClient.name
            )
        )
    )


def revoke_api_client(client: ApiClient, now: datetime | None = None) -> bool:
    """Disable the client's token for good; False when it was revoked already."""
    if client.disabled_at is not None:
        return False
    client.disabled_at = now or utcnow()
    db.session.flush()
    return True


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
