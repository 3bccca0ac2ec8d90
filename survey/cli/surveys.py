"""``import-survey``: a draft survey from a JSON export or an XLSForm."""

from __future__ import annotations

import sys

import click
from flask_babel import force_locale

from survey.cli.common import read_limited, unit_or_fail
from survey.extensions import db


@click.command("import-survey")
@click.argument("definition", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--owner", "owner_code", required=True, help="Code of the unit owning the survey."
)
@click.option(
    "--slug", required=True, help="The new survey's address: /s/<slug>/<unit>."
)
def import_survey_command(definition: str, owner_code: str, slug: str) -> None:
    """Import a survey as a draft from a JSON export or an XLSForm (.xlsx, .xls).

    A refused file leaves nothing behind; what an XLSForm holds that the
    platform cannot ask is listed after the import.
    """
    import re
    from pathlib import Path

    from survey.services.design import exchange, xlsform
    from survey.services.design.designer import slug_taken

    if not re.match(r"^[a-z0-9]+(?:-[a-z0-9]+)*$", slug) or len(slug) > 80:
        raise click.BadParameter(
            "lowercase letters, digits and hyphens, at most 80", param_hint="--slug"
        )
    if slug_taken(slug):
        raise click.BadParameter(f"a survey at {slug!r} exists", param_hint="--slug")
    owner = unit_or_fail(owner_code, "--owner")
    path = Path(definition)
    kind = path.suffix.lower()
    if kind not in (".json", ".xlsx", ".xls"):
        raise click.BadParameter("a .json, .xlsx or .xls file", param_hint="DEFINITION")
    raw = read_limited(definition, exchange.MAX_BYTES)
    skipped: list[xlsform.Skipped] = []
    try:
        with force_locale("en"):  # the services' messages in the CLI's language
            if kind in (".xlsx", ".xls"):
                result = xlsform.import_xlsform(
                    None, slug, raw, owner, path.stem, kind[1:]
                )
                skipped = result.skipped
            else:
                # No user: the CLI's import is audited without one (record_event
                # takes None), but the service's signature asks for a User.
                exchange.import_definition(None, slug, raw, owner)  # type: ignore[arg-type]
    except exchange.ExchangeError as error:
        db.session.rollback()
        click.echo(f"{definition} was not imported:", err=True)
        for reason in error.reasons:
            click.echo(f"  {reason}", err=True)
        sys.exit(1)
    db.session.commit()
    click.echo(f"Imported {definition} as a draft at /s/{slug}, owned by {owner.code}.")
    if skipped:
        click.echo(f"Not imported ({len(skipped)}):")
        for item in skipped:
            where = f"{item.sheet} sheet, row {item.row}" if item.row else "file"
            click.echo(f"  {where}: {item.reason}")
