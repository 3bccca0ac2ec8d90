"""The command line imports: units from CSV, a survey from JSON or XLSForm."""

import json

from sqlalchemy import func, select

from survey.extensions import db
from survey.models import AuditEvent, Survey, Unit
from tests.admin.test_admin_xlsform import PLAIN_CHOICES, PLAIN_SURVEY, workbook

HEADER = "code,parent_code,name_vi,name_en,kind\n"


def unit_codes() -> set[str]:
    return set(db.session.scalars(select(Unit.code)))


def test_import_units_adds_every_good_row(runner, make_unit, tmp_path):
    make_unit("HCM", kind="city")
    csv_file = tmp_path / "units.csv"
    csv_file.write_text(
        HEADER + "P-A,HCM,Phường A,Ward A,ward\nP-A1,P-A,Tổ 1,Group 1,branch\n",
        encoding="utf-8",
    )
    result = runner.invoke(args=["import-units", str(csv_file)])
    assert result.exit_code == 0, result.output
    assert "2 units added" in result.output and "Importing units" in result.output
    db.session.expire_all()
    assert unit_codes() == {"HCM", "P-A", "P-A1"}
    added = db.session.scalar(select(Unit).where(Unit.code == "P-A1"))
    assert added.parent.code == "P-A"


def test_import_units_reports_rejected_rows_and_fails(runner, make_unit, tmp_path):
    make_unit("HCM", kind="city")
    csv_file = tmp_path / "units.csv"
    csv_file.write_text(
        HEADER
        + "P-A,HCM,Phường A,Ward A,ward\n"
        + "P-B,NOWHERE,Phường B,Ward B,ward\n"
        + "P-A,HCM,Again,Again,ward\n",
        encoding="utf-8",
    )
    result = runner.invoke(args=["import-units", str(csv_file)])
    assert result.exit_code == 1
    assert "1 units added" in result.output
    assert "line 3: Unknown parent NOWHERE" in result.output
    assert "line 4: The code P-A exists already" in result.output
    db.session.expire_all()
    assert unit_codes() == {"HCM", "P-A"}


def test_import_units_refuses_a_file_that_is_not_csv(runner, make_unit, tmp_path):
    make_unit("HCM", kind="city")
    bad = tmp_path / "units.csv"
    bad.write_bytes(b"\xff\xfe\x00binary")
    result = runner.invoke(args=["import-units", str(bad)])
    assert result.exit_code == 1 and "not UTF-8" in result.output
    missing = runner.invoke(args=["import-units", str(tmp_path / "nope.csv")])
    assert missing.exit_code != 0
    scope = runner.invoke(args=["import-units", str(bad), "--scope", "NOPE"])
    assert scope.exit_code != 0 and "no unit" in scope.output


def test_import_survey_from_xlsform_lists_what_it_left_out(runner, make_unit, tmp_path):
    make_unit("HCM", kind="city")
    form = tmp_path / "khao-sat.xlsx"
    form.write_bytes(workbook(PLAIN_SURVEY, PLAIN_CHOICES))
    result = runner.invoke(
        args=["import-survey", str(form), "--owner", "HCM", "--slug", "khao-sat"]
    )
    assert result.exit_code == 0, result.output
    assert "survey sheet, row 12: The type geopoint is not supported" in result.output
    db.session.expire_all()
    survey = db.session.scalar(select(Survey).where(Survey.slug == "khao-sat"))
    assert survey.status == "draft" and survey.owner_unit.code == "HCM"
    assert len(survey.versions[0].questions) == 6  # the repeat's, asked once
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.object_id == "khao-sat")
    )
    assert event.action == "import_survey" and event.user_id is None


def test_import_survey_from_json_and_its_refusals(
    runner, make_survey, make_unit, tmp_path
):
    from survey.services.design.exchange import export_definition

    make_survey("source")
    document = export_definition(db.session.scalar(select(Survey)))
    good = tmp_path / "source.json"
    good.write_text(json.dumps(document), encoding="utf-8")
    args = ["import-survey", str(good), "--owner", "CITY", "--slug"]
    assert runner.invoke(args=[*args, "copy"]).exit_code == 0
    before = db.session.scalar(select(func.count(Survey.id)))
    taken = runner.invoke(args=[*args, "copy"])
    assert taken.exit_code != 0 and "exists" in taken.output
    bad_slug = runner.invoke(args=[*args, "Not A Slug"])
    assert bad_slug.exit_code != 0 and "lowercase" in bad_slug.output
    nobody = runner.invoke(
        args=["import-survey", str(good), "--owner", "NOPE", "--slug", "x"]
    )
    assert nobody.exit_code != 0 and "no unit" in nobody.output
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    refused = runner.invoke(
        args=["import-survey", str(broken), "--owner", "CITY", "--slug", "x"]
    )
    assert refused.exit_code == 1 and "not JSON" in refused.output
    fake = tmp_path / "fake.xlsx"
    fake.write_bytes(b"just text")
    refused = runner.invoke(
        args=["import-survey", str(fake), "--owner", "CITY", "--slug", "x"]
    )
    assert refused.exit_code == 1 and "not an Excel workbook" in refused.output
    other = tmp_path / "form.ods"
    other.write_bytes(b"open document")
    wrong = runner.invoke(
        args=["import-survey", str(other), "--owner", "CITY", "--slug", "x"]
    )
    assert wrong.exit_code != 0 and ".json, .xlsx or .xls" in wrong.output
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Survey.id))) == before
