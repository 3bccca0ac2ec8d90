"""Field work on the command line: cases in, invitation waves, contact data."""

from __future__ import annotations

import csv
import json
import os
from datetime import datetime

import click
from sqlalchemy import select

from survey.domain.cases import CaseRowError, normalise_phone
from survey.domain.statistics import sample_size
from survey.extensions import db
from survey.models import Survey, Unit, Wave
from survey.models.waves import WaveError
from survey.services.audit import record_event
from survey.services.fieldwork import waves as wave_service
from survey.services.fieldwork.cases import CaseFileError, import_cases, read_case_csv

MAX_REPORTED = 50


def _read_rows(path: str) -> tuple[list[dict[str, str]], int]:
    """The rows of a UTF-8 CSV file (comma or semicolon), keys trimmed, lower."""
    with open(path, "rb") as handle:
        data = handle.read()
    try:
        rows = read_case_csv(data)
    except CaseFileError as error:
        if error.kind == "encoding":
            message = (
                f"{path} is not UTF-8 text ({error.detail}); "
                "save it as 'CSV UTF-8' and try again"
            )
        elif error.kind == "columns":
            message = f"{path} lacks the column(s) {error.detail}"
        else:
            message = f"{path} line {error.line}: {error.detail}"
        raise click.ClickException(message) from None
    return rows, len(rows)


@click.command("import-cases")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--all-or-nothing",
    is_flag=True,
    help="Import nothing when any row is bad (default: import the good rows).",
)
def import_cases_command(file: str, all_or_nothing: bool) -> None:
    """Import completed service cases from a CSV export of the one-stop system.

    Columns: reference, unit_code, procedure_group, applicant_type
    (citizen|business), submission_channel (counter|online|postal|other),
    outcome (approved|rejected|returned|withdrawn), received_on, due_on,
    returned_on (YYYY-MM-DD or DD/MM/YYYY), phone, supplement_requests.
    A reference imported before is skipped.
    """
    rows, total = _read_rows(file)
    with click.progressbar(length=total, label="Importing cases") as bar:
        report = import_cases(rows, all_or_nothing=all_or_nothing, progress=bar.update)
    for row in report.rejected[:MAX_REPORTED]:
        click.echo(f"line {row.line}: {row.reason}", err=True)
    if len(report.rejected) > MAX_REPORTED:
        click.echo(f"... and {len(report.rejected) - MAX_REPORTED} more", err=True)
    if report.aborted:
        db.session.rollback()
        raise click.ClickException(
            f"{len(report.rejected)} bad row(s): nothing imported (--all-or-nothing)"
        )
    record_event(
        None,
        "import",
        "service_cases",
        via="cli",
        file=file,
        added=report.added,
        duplicates=report.duplicates,
        rejected=len(report.rejected),
    )
    db.session.commit()
    click.echo(
        f"Added {report.added} case(s); skipped {report.duplicates} already "
        f"imported; rejected {len(report.rejected)} row(s)."
    )
    if report.rejected:
        raise SystemExit(1)


def _wave_or_fail(wave_id: int) -> Wave:
    wave = db.session.get(Wave, wave_id)
    if wave is None:
        raise click.ClickException(f"no wave with id {wave_id}")
    return wave


@click.command("create-wave")
@click.option("--survey", "slug", required=True, help="Slug of the survey.")
@click.option(
    "--units",
    "unit_codes",
    default="",
    help="Comma-separated unit codes (default: every unit of the survey).",
)
@click.option(
    "--start",
    type=click.DateTime(["%Y-%m-%d"]),
    required=True,
    help="First result date.",
)
@click.option(
    "--end", type=click.DateTime(["%Y-%m-%d"]), required=True, help="Last result date."
)
@click.option(
    "--per-unit", type=click.IntRange(1, 100_000), help="Sample size per unit."
)
@click.option(
    "--moe",
    type=click.FloatRange(0.005, 0.5),
    help="Target margin of error (e.g. 0.07): sets the sample size at p = 0.85.",
)
@click.option(
    "--oversample",
    type=click.FloatRange(1.0, 10.0),
    default=2.0,
    show_default=True,
    help="Weight of rejected and late cases in the draw.",
)
@click.option("--no-stratify", is_flag=True, help="One stratum per unit.")
@click.option(
    "--seed", type=click.IntRange(0, 2**31 - 1), help="Random seed (default: random)."
)
@click.option("--name", default="", help="A name for the wave.")
def create_wave_command(
    slug: str,
    unit_codes: str,
    start: datetime,
    end: datetime,
    per_unit: int | None,
    moe: float | None,
    oversample: float,
    no_stratify: bool,
    seed: int | None,
    name: str,
) -> None:
    """Define an invitation wave over the cases of a period (not drawn yet)."""
    import secrets

    survey = db.session.scalar(select(Survey).where(Survey.slug == slug))
    if survey is None:
        raise click.BadParameter(f"no survey {slug!r}", param_hint="--survey")
    if (per_unit is None) == (moe is None):
        raise click.UsageError("give exactly one of --per-unit and --moe")
    if moe is not None:
        per_unit = sample_size(moe)
        click.echo(f"A margin of error of {moe:.1%} needs {per_unit} responses a unit.")
    units = list(survey.units)
    if unit_codes:
        codes = [c.strip() for c in unit_codes.split(",") if c.strip()]
        units = list(db.session.scalars(select(Unit).where(Unit.code.in_(codes))))
        unknown = set(codes) - {u.code for u in units}
        if unknown:
            raise click.BadParameter(
                f"unknown unit(s) {', '.join(sorted(unknown))}", param_hint="--units"
            )
    try:
        wave = wave_service.create_wave(
            survey,
            units,
            start.date(),
            end.date(),
            per_unit or 0,
            seed=secrets.randbelow(2**31) if seed is None else seed,
            stratify=not no_stratify,
            oversample_factor=oversample,
            name=name,
        )
    except wave_service.WaveInputError as error:
        raise click.ClickException(str(error)) from None
    record_event(None, "create", "wave", wave.id, survey=slug, via="cli")
    db.session.commit()
    click.echo(f"Created wave {wave.id} (seed {wave.seed}) over {len(units)} unit(s).")


@click.command("draw-wave")
@click.argument("wave_id", type=int)
def draw_wave_command(wave_id: int) -> None:
    """Draw a wave's random sample and issue its one-time invitations."""
    wave = _wave_or_fail(wave_id)
    try:
        report = wave_service.draw_wave(wave)
    except WaveError as error:
        raise click.ClickException(str(error)) from None
    db.session.commit()
    total = sum(report.invited.values())
    click.echo(f"Invited {total} case(s) in {len(report.invited)} unit(s).")
    for code, missing in sorted(report.short.items()):
        click.echo(f"{code}: {missing} place(s) left empty (too few cases)")


@click.command("export-wave-contacts")
@click.argument("wave_id", type=int)
@click.argument("file", type=click.Path(dir_okay=False, writable=True))
@click.option(
    "--base-url",
    default=lambda: os.environ.get("SURVEY_BASE_URL", ""),
    help="Public address of the site, e.g. https://khaosat.tphcm.gov.vn "
    "(default: $SURVEY_BASE_URL).",
)
def export_wave_contacts_command(wave_id: int, file: str, base_url: str) -> None:
    """Write phone,link for the SMS or chat gateway (personal data: audited)."""
    wave = _wave_or_fail(wave_id)
    if wave.status != "drawn":
        raise click.ClickException(f"wave {wave_id} is {wave.status}, not drawn")
    if not base_url.startswith(("https://", "http://")):
        raise click.UsageError("give --base-url (or SURVEY_BASE_URL) as https://...")
    rows = 0
    with open(file, "x", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["phone", "link"])
        for phone, link in wave_service.export_contacts(wave, base_url):
            writer.writerow([phone, link])
            rows += 1
    db.session.commit()
    click.echo(f"Wrote {rows} contact(s) to {file}. Delete the file once sent.")


@click.command("close-wave")
@click.argument("wave_id", type=int)
def close_wave_command(wave_id: int) -> None:
    """Close a wave: its links stop working and its phone numbers are erased."""
    wave = _wave_or_fail(wave_id)
    try:
        erased = wave_service.close_wave(wave)
    except WaveError as error:
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(f"Closed wave {wave_id}; erased {erased} phone number(s).")


@click.command("contact-data")
@click.argument("action", type=click.Choice(["export", "erase"]))
@click.argument("phone")
def contact_data_command(action: str, phone: str) -> None:
    """A person's request: export or erase what is kept about their number."""
    try:
        number = normalise_phone(phone)
    except CaseRowError as error:
        raise click.BadParameter(str(error), param_hint="PHONE") from None
    if action == "export":
        records = wave_service.person_contact_data(number)
        db.session.commit()
        click.echo(json.dumps(records, ensure_ascii=False, indent=2))
        return
    erased = wave_service.erase_person(number)
    db.session.commit()
    click.echo(f"Erased the number from {erased} case contact(s).")
