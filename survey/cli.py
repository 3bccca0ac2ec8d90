"""Command-line tools: ``flask --app wsgi <command>``."""

from __future__ import annotations

import sys

import click
from flask import Flask
from flask_babel import force_locale
from sqlalchemy import func, select

from survey.extensions import db
from survey.models import Response, Survey, Unit, User
from survey.models.users import ROLES
from survey.quality_cli import simulate_integrity_command
from survey.reform_cli import reform_group
from survey.services import demo, tallies
from survey.services import users as user_service
from survey.services.audit import record_event
from survey.trust.commands import register_trust_commands


def register_commands(app: Flask) -> None:
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(create_user_command)
    app.cli.add_command(backup_command)
    register_trust_commands(app)
    app.cli.add_command(import_units_command)
    app.cli.add_command(import_survey_command)
    app.cli.add_command(generate_responses_command)
    app.cli.add_command(export_raw_command)
    app.cli.add_command(tallies_group)
    app.cli.add_command(reform_group)
    app.cli.add_command(simulate_integrity_command)


@click.command("seed-demo")
@click.option(
    "--responses",
    default=None,
    type=click.IntRange(0, 20_000_000),
    help="Number of synthetic responses (default 5,000; 40,000 with --real-city).",
)
@click.option(
    "--real-city",
    is_flag=True,
    help="Ho Chi Minh City's 168 units and 442 former ones, two years of answers.",
)
@click.option(
    "--if-empty",
    is_flag=True,
    help="Do nothing (and succeed) when the database already holds units.",
)
@click.option("--seed", default=2025, show_default=True, help="Random seed.")
def seed_demo_command(
    responses: int | None, real_city: bool, if_empty: bool, seed: int
) -> None:
    """Create the demo city, its SIPAS survey, demo users and responses."""
    from flask import current_app

    from survey.services import demo_city, demo_short

    if current_app.config["SURVEY_ENV"] == "production":
        raise click.ClickException(
            "the demo (with its known logins) is not for production"
        )
    if not demo.is_empty():
        if if_empty:
            click.echo("The database already holds data; demo not seeded.")
            return
        raise click.ClickException("the database is not empty; use a fresh database")
    if responses is None:
        responses = demo_city.DEFAULT_RESPONSES if real_city else 5000
    population = demo_city.REAL_CITY if real_city else None
    with click.progressbar(length=responses, label="Generating responses") as bar:
        if real_city:
            summary = demo_city.seed_real_city(responses, seed, progress=bar.update)
        else:
            summary = demo.seed_demo(responses, seed=seed, progress=bar.update)
    units = {u.code: u for u in db.session.scalars(select(Unit))}
    users = {}
    for email, password, role, unit_code in demo.iter_demo_logins():
        user = User(
            email=email, role=role, unit=units[unit_code], name=email.split("@")[0]
        )
        user.set_password(password)
        db.session.add(user)
        users[role] = users.get(role, user)
    db.session.flush()
    trust = None
    if responses:  # a bare city (for benchmarks) gets no cases and no wave either
        click.echo("Adding service cases, a drawn wave and the quality checks ...")
        trust = demo.seed_trust_demo(
            summary.survey,
            responses,
            seed=seed,
            interviewer=users["admin"],
            population=population,
        )
        short = demo_short.add_short_form(
            summary.survey.owner_unit,
            list(summary.survey.units),
            responses,
            seed=seed,
            population=population,
        )
    db.session.commit()
    click.echo(
        f"Seeded {summary.units} units, survey '{summary.survey.slug}' "
        f"and {summary.responses:,} responses."
    )
    if responses:
        click.echo(f"The two-minute form {short.slug!r} is open on QR and kiosks.")
    if trust is not None:
        under_review = ", ".join(trust.reviews) or "none"
        click.echo(
            f"Added {trust.cases:,} service cases and one drawn wave: "
            f"{trust.answered} of {trust.invitations} invitations answered. "
            f"Units under review: {under_review}."
        )


@click.command("generate-responses")
@click.argument("count", type=click.IntRange(1, 100_000_000))
@click.option(
    "--survey",
    "slug",
    default=demo.DEMO_SLUG,
    show_default=True,
    help="Slug of the published survey to fill.",
)
@click.option(
    "--seed", default=2025, show_default=True, help="Random seed (reproducible)."
)
@click.option(
    "--first-id",
    type=click.IntRange(1),
    help="First response id (default: after the highest). Loads run side by "
    "side on PostgreSQL need ranges of their own.",
)
def generate_responses_command(
    count: int, slug: str, seed: int, first_id: int | None
) -> None:
    """Bulk-insert COUNT synthetic responses (for benchmarks and demos).

    Committed every 100,000 responses, counted into the results' tallies in
    the same transaction: an interrupted run keeps what it committed.
    """
    import time

    survey = db.session.scalar(select(Survey).where(Survey.slug == slug))
    if survey is None or survey.published_version is None:
        raise click.ClickException(f"no published survey with slug {slug!r}")
    before = db.session.scalar(select(func.count(Response.id))) or 0
    started = time.perf_counter()

    with click.progressbar(length=count, label="Generating responses") as bar:
        demo.generate_responses(
            survey,
            count,
            seed=seed,
            progress=bar.update,
            tally=True,
            checkpoint=db.session.commit,
            first_id=first_id,
        )
    tallies.after_bulk(count)
    seconds = time.perf_counter() - started
    total = before + count
    click.echo(
        f"Generated {count:,} responses in {seconds:.1f} s "
        f"({count / seconds:,.0f} per second); the database holds {total:,}."
    )
    _fold_with_progress()


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

    from survey.results.exports import raw_file
    from survey.services import raw_export
    from survey.services.results import ResultFilter

    survey = db.session.scalar(select(Survey).where(Survey.slug == slug))
    if survey is None:
        raise click.ClickException(f"no survey with slug {slug!r}")
    scope = _unit_or_fail(unit_code, "--unit") if unit_code else survey.owner_unit
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


@click.group("tallies")
def tallies_group() -> None:
    """The results pages' pre-aggregated counts (see survey/services/tallies.py)."""


def _fold_with_progress() -> None:
    waiting = tallies.waiting()
    if not waiting:
        click.echo("The tallies are up to date.")
        return
    with click.progressbar(length=waiting, label="Folding into the tallies") as bar:
        folded = tallies.fold_all(progress=bar.update)
    click.echo(f"Folded {folded:,} responses into the tallies.")


@tallies_group.command("fold")
def tallies_fold_command() -> None:
    """Count the responses not yet in the tallies into them."""
    _fold_with_progress()


@tallies_group.command("rebuild")
def tallies_rebuild_command() -> None:
    """Recount the tallies from every response."""
    tallies.clear()
    db.session.commit()
    _fold_with_progress()


@tallies_group.command("check")
def tallies_check_command() -> None:
    """Compare every survey's tallied counts with the straight counts."""
    differences = tallies.check()
    for difference in differences:
        click.echo(difference, err=True)
    if differences:
        raise click.ClickException(f"{len(differences)} counts differ")
    click.echo("The tallies agree with the responses.")


@click.command("create-user")
@click.argument("email")
@click.option(
    "--role", required=True, type=click.Choice(ROLES), help="The user's role."
)
@click.option(
    "--unit", "unit_code", required=True, help="Code of the unit the user is scoped to."
)
@click.option("--name", default="", help="Display name.")
def create_user_command(email: str, role: str, unit_code: str, name: str) -> None:
    """Create a user; the password is read from standard input or a prompt."""
    email = email.strip().lower()
    if "@" not in email or len(email) > 254:
        raise click.BadParameter("not an e-mail address", param_hint="EMAIL")
    unit = db.session.scalar(select(Unit).where(Unit.code == unit_code))
    if unit is None:
        raise click.BadParameter(
            f"no unit with code {unit_code!r}", param_hint="--unit"
        )
    if user_service.email_taken(email):
        raise click.ClickException(f"a user with e-mail {email} exists already")
    if sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\n")
    from survey.auth.passwords import password_problem

    problem = password_problem(password)
    if problem:
        raise click.ClickException(problem)
    try:  # the same write, and the same audit line, as the admin's form
        user_service.create_user(None, email, name, role, unit, password)
    except user_service.UserError as error:
        raise click.ClickException(f"cannot create the user: {error}") from None
    db.session.commit()
    click.echo(f"Created {role} {email} scoped to {unit.code}.")


@click.command("backup")
@click.argument("target", type=click.Path(dir_okay=False, writable=True))
def backup_command(target: str) -> None:
    """Copy the SQLite database consistently while the app keeps running.

    Uses SQLite's online backup: readers and writers go on, and the copy is a
    snapshot of one moment. For PostgreSQL use pg_dump (see the README).
    """
    import sqlite3
    from pathlib import Path

    engine = db.engine
    if engine.dialect.name != "sqlite":
        raise click.ClickException(
            "backup copies SQLite only; use pg_dump for PostgreSQL"
        )
    source_path = engine.url.database
    if not source_path or not Path(source_path).exists():
        raise click.ClickException(f"no SQLite database at {source_path}")
    if Path(target).exists():
        raise click.ClickException(f"{target} exists already; choose a new file")
    source = sqlite3.connect(source_path, timeout=30)
    Path(target).touch(mode=0o600)  # the copy is as private as the database
    copy = sqlite3.connect(target)
    try:
        with click.progressbar(length=100, label="Copying") as bar:

            def report(_status: int, remaining: int, total: int) -> None:
                bar.update(int(100 * (total - remaining) / max(total, 1)) - bar.pos)

            source.backup(copy, pages=1024, progress=report)
    finally:
        copy.close()
        source.close()
    click.echo(f"Backed up {source_path} to {target}.")


def _unit_or_fail(code: str, option: str) -> Unit:
    unit = db.session.scalar(select(Unit).where(Unit.code == code))
    if unit is None:
        raise click.BadParameter(f"no unit with code {code!r}", param_hint=option)
    return unit


def _read_limited(path: str, limit: int) -> bytes:
    """The file's bytes, one past ``limit`` at most, so the service sees 'too large'."""
    with open(path, "rb") as handle:
        return handle.read(limit + 1)


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

    from survey.services import units as unit_service

    if scope_code:
        scope = _unit_or_fail(scope_code, "--scope")
    else:
        roots = list(db.session.scalars(select(Unit).where(Unit.parent_id.is_(None))))
        if len(roots) != 1:
            raise click.ClickException("give --scope: the tree has no single root unit")
        scope = roots[0]
    data = _read_limited(csv_file, 5 * 1024 * 1024)
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

    from survey.services import exchange, xlsform
    from survey.services.designer import slug_taken

    if not re.match(r"^[a-z0-9]+(?:-[a-z0-9]+)*$", slug) or len(slug) > 80:
        raise click.BadParameter(
            "lowercase letters, digits and hyphens, at most 80", param_hint="--slug"
        )
    if slug_taken(slug):
        raise click.BadParameter(f"a survey at {slug!r} exists", param_hint="--slug")
    owner = _unit_or_fail(owner_code, "--owner")
    path = Path(definition)
    kind = path.suffix.lower()
    if kind not in (".json", ".xlsx", ".xls"):
        raise click.BadParameter("a .json, .xlsx or .xls file", param_hint="DEFINITION")
    raw = _read_limited(definition, exchange.MAX_BYTES)
    skipped: list[xlsform.Skipped] = []
    try:
        with force_locale("en"):  # the services' messages in the CLI's language
            if kind in (".xlsx", ".xls"):
                result = xlsform.import_xlsform(
                    None, slug, raw, owner, path.stem, kind[1:]
                )
                skipped = result.skipped
            else:
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
