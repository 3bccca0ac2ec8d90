"""Cases in from a CSV export: good rows, duplicates, bad rows, all or nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from survey.extensions import db
from survey.models import AuditEvent, CaseContact, ServiceCase
from survey.services.fieldwork.cases import case_reference_hash
from tests.trust.conftest import case_row


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(model.id)))


def test_a_file_is_imported_once_and_the_reference_is_not_stored(
    runner, make_survey, write_csv
):
    make_survey()
    path = write_csv([case_row(f"HS-{i:04d}") for i in range(30)])
    result = runner.invoke(args=["import-cases", str(path)])
    assert result.exit_code == 0, result.output
    assert "Added 30 case(s); skipped 0" in result.output
    assert count(ServiceCase) == 30 and count(CaseContact) == 30
    case = db.session.scalar(select(ServiceCase).order_by(ServiceCase.id))
    assert case.reference_hash == case_reference_hash("HS-0000")
    assert "HS-0000" not in case.reference_hash
    assert case.unit.code == "W1" and case.outcome == "approved"

    again = runner.invoke(args=["import-cases", str(path)])
    assert again.exit_code == 0, again.output
    assert "Added 0 case(s); skipped 30 already imported" in again.output
    assert count(ServiceCase) == 30
    assert (
        db.session.scalar(
            select(func.count(AuditEvent.id)).where(
                AuditEvent.object_type == "service_cases"
            )
        )
        == 2
    )


def test_bad_rows_are_reported_by_line_and_the_good_ones_go_in(
    runner, make_survey, write_csv
):
    make_survey()
    rows = [
        case_row("A-1"),
        case_row("A-2", unit_code="NOWHERE"),
        case_row("A-3", returned_on="31/02/2026"),
        case_row("A-4", outcome="lost"),
        case_row("A-1"),  # the same reference twice in one file
        case_row("A-6", phone="12345"),
        case_row("A-7", received_on="2099-01-01"),
        case_row("A-8", applicant_type="Business"),
    ]
    result = runner.invoke(args=["import-cases", str(write_csv(rows))])
    assert result.exit_code == 1
    out = result.output
    assert "line 3: unit_code 'NOWHERE' is unknown" in out
    assert "line 4: returned_on '31/02/2026' is not a date" in out
    assert "line 5: outcome 'lost' is not one of" in out
    assert "line 6: the same reference as line 2" in out
    assert "line 7: phone '12345' is not a 10-digit Vietnamese number" in out
    assert "line 8: returned_on is before received_on" in out
    assert "Added 2 case(s)" in out
    assert count(ServiceCase) == 2  # A-1 and A-8 (case-insensitive choice)


def test_all_or_nothing_imports_nothing_when_a_row_is_bad(
    runner, make_survey, write_csv
):
    make_survey()
    rows = [case_row("B-1"), case_row("B-2", received_on="")]
    path = write_csv(rows)
    result = runner.invoke(args=["import-cases", str(path), "--all-or-nothing"])
    assert result.exit_code != 0
    assert "line 3: received_on is missing" in result.output
    assert "nothing imported" in result.output
    assert count(ServiceCase) == 0


def test_wrong_columns_and_a_wrong_encoding_are_refused_clearly(
    runner, make_survey, tmp_path, write_csv
):
    make_survey()
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("ref,unit\nX,W1\n", encoding="utf-8")
    result = runner.invoke(args=["import-cases", str(wrong)])
    assert result.exit_code != 0
    assert "lacks the column(s) reference, unit_code" in result.output
    latin = write_csv(
        [case_row("C-1", procedure_group="état civil")],
        name="l1.csv",
        encoding="latin-1",
    )
    result = runner.invoke(args=["import-cases", str(latin)])
    assert result.exit_code != 0 and "is not UTF-8 text" in result.output
    assert count(ServiceCase) == 0


def test_a_semicolon_file_with_vietnamese_dates_is_read(runner, make_survey, tmp_path):
    make_survey()
    path = tmp_path / "semi.csv"
    path.write_text(
        "Reference;Unit_Code;procedure_group;applicant_type;submission_channel;"
        "outcome;received_on;returned_on;phone\n"
        "HS 9;W2;land;business;online;rejected;01/03/2026;15/03/2026;+84 912 345 678\n",
        encoding="utf-8-sig",
    )
    result = runner.invoke(args=["import-cases", str(path)])
    assert result.exit_code == 0, result.output
    case = db.session.scalar(select(ServiceCase))
    assert case.outcome == "rejected" and case.due_on is None
    assert case.contact.phone == "0912345678"
