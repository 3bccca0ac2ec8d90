"""``export-raw``: the raw responses to a file, as the results pages' download."""

from __future__ import annotations

import click
from sqlalchemy import select

from survey.cli.common import unit_or_fail
from survey.extensions import db
from survey.models import Survey
from survey.services import demo
from survey.services.audit import record_event


@click.command("export-raw")
@click.argument("target", type=click.Path(dir_okay=False, writable=True))
@click.option(
    "--survey",
    "slug",
    default=demo.DEMO_SLUG,
    show_default=True,
    help="Slug of the survey.",
)
@click.option("--unit", "unit_code", help="Only this unit and the units under it.")
@click.option("--from", "date_from", help="First day (YYYY-MM-DD, local time).")
@click.option("--to", "date_to", help="Last day (YYYY-MM-DD, local time).")
@click.option("--channel", type=click.Choice(["invited", "optin"]))
@click.option(
    "--include-flagged", is_flag=True, help="Keep hard-flagged responses too."
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "xlsx", "sav"]),
    help="Default: from TARGET's extension, else csv.",
)
def export_raw_command(
    target: str,
    slug: str,
    unit_code: str | None,
    date_from: str | None,
    date_to: str | None,
    channel: str | None,
    include_flagged: bool,
    fmt: str | None,
) -> None:
    """Write the raw responses to TARGET, the same file as the results
    pages' raw download (for exports too long for a web request).

    Audited like the download, as done from the command line.
    """
    from pathlib import Path

    from survey.results.raw_download import raw_file
    from survey.services.reporting import raw_export
    from survey.services.reporting.result_filter import ResultFilter

    survey = db.session.scalar(select(Survey).where(Survey.slug == slug))
    if survey is None:
        raise click.ClickException(f"no survey with slug {slug!r}")
    scope = unit_or_fail(unit_code, "--unit") if unit_code else survey.owner_unit
    if Path(target).exists():
        raise click.ClickException(f"{target} exists already; choose a new file")
    suffix = Path(target).suffix.lstrip(".").lower()
    fmt = fmt or (suffix if suffix in ("csv", "xlsx", "sav") else "csv")
    args = {"from": date_from or "", "to": date_to or "", "channel": channel or ""}
    flt = ResultFilter.from_args({**args, "flagged": "1" if include_flagged else ""})
    record_event(
        None,
        "export_raw",
        "survey",
        survey.id,
        unit=scope.code,
        filters=flt.to_args(),
        format=fmt,
        via="cli",
    )
    db.session.commit()
    total = raw_export.count_rows(survey, scope, flt)
    with click.progressbar(length=total, label="Exporting responses") as bar:
        with open(target, "wb") as out:
            for chunk in raw_file(survey, scope, flt, fmt, progress=bar.update):
                out.write(chunk.encode() if isinstance(chunk, str) else chunk)
    click.echo(f"Wrote {total:,} responses of {slug} ({scope.code}) to {target}.")
