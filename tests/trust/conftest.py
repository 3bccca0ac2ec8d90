"""Fixtures of the trust side: case rows, CSV files, cases in the database."""

from __future__ import annotations

import csv
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import pytest

from survey.domain.cases import OPTIONAL_COLUMNS, REQUIRED_COLUMNS
from survey.extensions import db
from survey.services.fieldwork.cases import import_cases

COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS


def case_row(reference: str, unit_code: str = "W1", **changes: object) -> dict:
    """A valid case row, returned ten days ago, with a phone number."""
    returned = date.today() - timedelta(days=10)
    row = {
        "reference": reference,
        "unit_code": unit_code,
        "procedure_group": "civil_status",
        "applicant_type": "citizen",
        "submission_channel": "counter",
        "outcome": "approved",
        "received_on": (returned - timedelta(days=5)).isoformat(),
        "due_on": (returned + timedelta(days=1)).isoformat(),
        "returned_on": returned.isoformat(),
        "phone": f"09{abs(hash(reference)) % 10**8:08d}",
        "supplement_requests": "0",
    }
    row.update({k: str(v) for k, v in changes.items()})
    return row


@pytest.fixture
def write_csv(tmp_path: Path) -> Callable[..., Path]:
    def write(rows: list[dict], name: str = "cases.csv", encoding="utf-8") -> Path:
        path = tmp_path / name
        with path.open("w", encoding=encoding, newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=COLUMNS)
            writer.writeheader()
            writer.writerows(rows)
        return path

    return write


@pytest.fixture
def add_cases(app) -> Callable[[list[dict]], None]:
    """Import rows straight through the service and commit."""

    def add(rows: list[dict]) -> None:
        report = import_cases(rows, all_or_nothing=True)
        assert report.ok, report.rejected
        db.session.commit()

    return add
