"""``import-units``: units of the tree from a CSV file."""

from __future__ import annotations

import sys

import click
from flask_babel import force_locale
from sqlalchemy import select

from survey.cli.common import read_limited, unit_or_fail
from survey.extensions import db
from survey.models import Unit


@click.command("import-units")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--scope",
    "scope_code",
    default="",
    help="Only accept parents within this unit's subtree (default: the whole tree).",
)
def import_units_command(csv_file: str, scope_code: str) -> None:
    """Add units from a CSV file: code,parent_code,name_vi,name_en,kind.

    Rows that can be added are added and committed; every rejected row is
    listed, and the command then exits with status 1.
    """
    import csv
    import io

    from survey.services.city import units as unit_service

    if scope_code:
        scope = unit_or_fail(scope_code, "--scope")
    else:
        roots = list(db.session.scalars(select(Unit).where(Unit.parent_id.is_(None))))
        if len(roots) != 1:
            raise click.ClickException("give --scope: the tree has no single root unit")
        scope = roots[0]
    data = read_limited(csv_file, 5 * 1024 * 1024)
    try:
        rows = sum(1 for _ in csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    except (UnicodeDecodeError, csv.Error):
        rows = 0
    bar = click.progressbar(length=max(rows - 1, 0), label="Importing units")
    # The services' messages in English, the language of the command line.
    with bar, force_locale("en"):
        report = unit_service.import_units_csv(None, data, scope, progress=bar.update)
    db.session.commit()
    click.echo(f"{len(report.added)} units added.")
    if report.rejected:
        click.echo(f"{len(report.rejected)} rows rejected:", err=True)
        for line, reason in report.rejected:
            click.echo(f"  line {line}: {reason}", err=True)
        sys.exit(1)
