"""Command-line tools: ``flask --app wsgi <command>``."""

from __future__ import annotations

import sys

import click
from flask import Flask
from sqlalchemy import func, select

from survey.extensions import db
from survey.models import Response, Survey, Unit, User
from survey.models.users import ROLES
from survey.services import demo
from survey.services.audit import record_event


def register_commands(app: Flask) -> None:
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(create_user_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(generate_responses_command)


@click.command("seed-demo")
@click.option(
    "--responses",
    default=5000,
    show_default=True,
    type=click.IntRange(0, 20_000_000),
    help="Number of synthetic responses to generate.",
)
@click.option(
    "--if-empty",
    is_flag=True,
    help="Do nothing (and succeed) when the database already holds units.",
)
@click.option("--seed", default=2025, show_default=True, help="Random seed.")
def seed_demo_command(responses: int, if_empty: bool, seed: int) -> None:
    """Create the demo city, its SIPAS survey, demo users and responses."""
    if not demo.is_empty():
        if if_empty:
            click.echo("The database already holds data; demo not seeded.")
            return
        raise click.ClickException("the database is not empty; use a fresh database")
    with click.progressbar(length=responses, label="Generating responses") as bar:
        summary = demo.seed_demo(responses, seed=seed, progress=bar.update)
    units = {u.code: u for u in db.session.scalars(select(Unit))}
    for email, password, role, unit_code in demo.iter_demo_logins():
        user = User(
            email=email, role=role, unit=units[unit_code], name=email.split("@")[0]
        )
        user.set_password(password)
        db.session.add(user)
    db.session.commit()
    click.echo(
        f"Seeded {summary.units} units, survey '{summary.survey.slug}' "
        f"and {summary.responses:,} responses."
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
def generate_responses_command(count: int, slug: str, seed: int) -> None:
    """Bulk-insert COUNT synthetic responses (for benchmarks and demos).

    Committed chunk by chunk: an interrupted run keeps the chunks it finished.
    """
    import time

    survey = db.session.scalar(select(Survey).where(Survey.slug == slug))
    if survey is None or survey.published_version is None:
        raise click.ClickException(f"no published survey with slug {slug!r}")
    before = db.session.scalar(select(func.count(Response.id))) or 0
    started = time.perf_counter()

    def chunk_done(size: int) -> None:
        db.session.commit()
        bar.update(size)

    with click.progressbar(length=count, label="Generating responses") as bar:
        demo.generate_responses(survey, count, seed=seed, progress=chunk_done)
        db.session.commit()
    seconds = time.perf_counter() - started
    total = before + count
    click.echo(
        f"Generated {count:,} responses in {seconds:.1f} s "
        f"({count / seconds:,.0f} per second); the database holds {total:,}."
    )


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
    if db.session.scalar(select(User.id).where(func.lower(User.email) == email)):
        raise click.ClickException(f"a user with e-mail {email} exists already")
    if sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\n")
    if len(password) < 10:
        raise click.ClickException("the password must be at least 10 characters long")
    user = User(email=email, role=role, unit=unit, name=name)
    user.set_password(password)
    db.session.add(user)
    record_event(None, "create", "user", email, role=role, unit=unit.code, via="cli")
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
