"""``seed-demo`` and ``generate-responses``: the demo city and synthetic answers."""

from __future__ import annotations

import click
from sqlalchemy import func, select

from survey.cli.tallies import fold_with_progress
from survey.extensions import db
from survey.models import Response, Survey, Unit, User
from survey.services import demo
from survey.services.reporting import tallies


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

    from survey.services.demo import city as demo_city
    from survey.services.demo import short as demo_short

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
    users: dict[str, User] = {}
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
    fold_with_progress()
