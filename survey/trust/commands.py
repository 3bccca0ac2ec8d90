"""Command-line tools of the trust side: cases in, API clients."""

from __future__ import annotations

import csv
import io

import click
from flask import Flask
from sqlalchemy import select

from survey.domain.cases import missing_columns
from survey.extensions import db
from survey.models import ApiClient
from survey.services.audit import record_event
from survey.services.cases import create_api_client, import_cases

MAX_REPORTED = 50


def register_trust_commands(app: Flask) -> None:
    app.cli.add_command(import_cases_command)
    app.cli.add_command(create_api_client_command)


def _read_rows(path: str) -> tuple[list[dict[str, str]], int]:
    """The rows of a UTF-8 CSV file (comma or semicolon), keys trimmed, lower."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            text = handle.read()
    except UnicodeDecodeError as error:
        raise click.ClickException(
            f"{path} is not UTF-8 text (byte {error.start}); "
            "save it as 'CSV UTF-8' and try again"
        ) from None
    sample = text[:4096]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    header = [name.strip().lower() for name in reader.fieldnames or []]
    missing = missing_columns(header)
    if missing:
        raise click.ClickException(
            f"{path} lacks the column(s) {', '.join(missing)}; "
            f"found: {', '.join(header) or 'no header'}"
        )
    reader.fieldnames = header
    try:
        rows = [dict(row) for row in reader]
    except csv.Error as error:
        raise click.ClickException(f"{path} line {reader.line_num}: {error}") from None
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


@click.command("create-api-client")
@click.argument("name")
def create_api_client_command(name: str) -> None:
    """Create a system allowed to POST /api/cases; prints its token once."""
    name = name.strip()
    if not name or len(name) > 100:
        raise click.BadParameter("1 to 100 characters", param_hint="NAME")
    if db.session.scalar(select(ApiClient.id).where(ApiClient.name == name)):
        raise click.ClickException(f"an API client named {name!r} exists already")
    client, token = create_api_client(name)
    record_event(None, "create", "api_client", client.id, name=name, via="cli")
    db.session.commit()
    click.echo(f"Created API client {name!r}. Its token (shown only this once):")
    click.echo(token)
