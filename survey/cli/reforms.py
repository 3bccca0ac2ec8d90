"""``flask --app wsgi reform ...``: import, list and undo reforms of the unit tree."""

from __future__ import annotations

import sys

import click
from flask_babel import force_locale
from sqlalchemy import select

from survey.extensions import db
from survey.models import Reform, Unit
from survey.services.city import reform_data, reforms
from survey.services.city.reforms import ReformReport


@click.group("reform")
def reform_group() -> None:
    """Reforms: former units linked to their successors, with shares."""


def _root(code: str) -> Unit:
    if code:
        unit = db.session.scalar(select(Unit).where(Unit.code == code))
        if unit is None:
            raise click.BadParameter(f"no unit with code {code!r}", param_hint="--root")
        return unit
    roots = list(db.session.scalars(select(Unit).where(Unit.parent_id.is_(None))))
    if len(roots) != 1:
        raise click.ClickException("give --root: the tree has no single root unit")
    return roots[0]


def _finish(report: ReformReport) -> None:
    for note in report.notes:
        click.echo(f"  note: {note}")
    if report.rejected or report.reform is None:
        db.session.rollback()
        click.echo(f"Nothing imported: {len(report.rejected)} problems.", err=True)
        for line, reason in report.rejected:
            click.echo(f"  line {line}: {reason}" if line else f"  {reason}", err=True)
        sys.exit(1)
    db.session.commit()
    click.echo(
        f"Reform {report.reform.id} ({report.reform.effective_on}): "
        f"{report.links} links imported."
    )


@reform_group.command("import-csv")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False))
@click.option("--name", required=True, help="What the reform is called.")
@click.option("--root", "root_code", default="", help="Scope (default: the root).")
def import_csv_command(csv_file: str, name: str, root_code: str) -> None:
    """Import a mapping: former_code,new_code,share,effective_date (all or nothing)."""
    with open(csv_file, "rb") as handle:
        data = handle.read(5 * 1024 * 1024 + 1)
    with force_locale("en"):
        _finish(reforms.import_reform_csv(None, data, name, _root(root_code)))


@reform_group.command("import-vn2025")
@click.option(
    "--province",
    default="thanhphohochiminh",
    show_default=True,
    help="The new province's key in the vietnamadminunits data.",
)
@click.option("--root", "root_code", default="", help="The province's unit.")
@click.option(
    "--create-missing/--no-create-missing",
    default=True,
    show_default=True,
    help="Create new units that the tree lacks.",
)
def import_vn2025_command(province: str, root_code: str, create_missing: bool) -> None:
    """Vietnam's reform of 1 July 2025 for one province (from vietnamadminunits)."""
    root = _root(root_code)
    try:
        links = len(reform_data.mapping(province))
    except reform_data.ReformDataError as error:
        raise click.ClickException(f"reform data: {error}") from error
    bar = click.progressbar(length=links, label="Linking former units")
    with bar, force_locale("en"):
        try:
            report = reform_data.import_vn2025(
                None, province, root, create_missing=create_missing, progress=bar.update
            )
        except reform_data.ReformDataError as error:
            raise click.ClickException(f"reform data: {error}") from error
    _finish(report)


@reform_group.command("list")
def list_command() -> None:
    """Every reform with its date and number of links."""
    for reform in db.session.scalars(select(Reform).order_by(Reform.effective_on)):
        click.echo(
            f"{reform.id}\t{reform.effective_on}\t"
            f"{len(reform.links)} links\t{reform.name}"
        )


@reform_group.command("undo")
@click.argument("reform_id", type=click.IntRange(1, 2**62))
def undo_command(reform_id: int) -> None:
    """Remove a reform that has not taken effect yet."""
    reform = db.session.get(Reform, reform_id)
    if reform is None:
        raise click.ClickException(f"no reform {reform_id}")
    try:
        reforms.undo_reform(None, reform)
    except reforms.ReformError as error:
        raise click.ClickException("the reform is in effect already") from error
    db.session.commit()
    click.echo(f"Reform {reform_id} removed.")
