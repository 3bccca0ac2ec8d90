"""``recompute-quality`` and ``review-unit``: quality flags and units under review."""

from __future__ import annotations

import click
from sqlalchemy import select

from survey.extensions import db
from survey.models import Survey, Unit, UnitReview, User
from survey.models.reviews import ReviewError
from survey.services.integrity import quality as quality_service
from survey.services.integrity.period import Period


@click.command("recompute-quality")
@click.option("--survey", "slug", required=True, help="Slug of the survey.")
@click.option(
    "--days",
    type=click.IntRange(1, 3660),
    default=365,
    show_default=True,
    help="The period: this many days up to today.",
)
def recompute_quality_command(slug: str, days: int) -> None:
    """Store soft flags, compute integrity indicators, put red units under review."""
    from datetime import timedelta

    from survey.models._time import utcnow

    survey = db.session.scalar(select(Survey).where(Survey.slug == slug))
    if survey is None:
        raise click.BadParameter(f"no survey {slug!r}", param_hint="--survey")
    today = utcnow().date()
    period = Period(today - timedelta(days=days - 1), today)
    report = quality_service.recompute_quality(survey, period)
    db.session.commit()
    added = ", ".join(f"{code} {n}" for code, n in report.flags_added.items())
    click.echo(f"Soft flags added: {added}.")
    for code, indicators in report.indicators.items():
        marks = " ".join(f"{i.code}={i.level}" for i in indicators)
        click.echo(f"{code}: {marks}")
        for indicator in indicators:
            if indicator.level in ("red", "amber"):
                click.echo(f"    {indicator.code}: {indicator.reason}")
    opened = ", ".join(report.reviews_opened) or "none"
    click.echo(f"Units put under review: {opened}.")


@click.command("review-unit")
@click.argument("decision", type=click.Choice(["clear", "confirm"]))
@click.argument("unit_code")
@click.option("--survey", "slug", required=True, help="Slug of the survey.")
@click.option("--reason", required=True, help="Why (written into the audit log).")
@click.option("--by", "email", required=True, help="E-mail of the deciding admin.")
def review_unit_command(
    decision: str, unit_code: str, slug: str, reason: str, email: str
) -> None:
    """Clear or confirm a unit under review, with a written reason (audited)."""
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or user.role != "admin":
        raise click.BadParameter("not an administrator", param_hint="--by")
    review = db.session.scalar(
        select(UnitReview)
        .join(UnitReview.unit)
        .join(Survey, Survey.id == UnitReview.survey_id)
        .where(
            Unit.code == unit_code,
            Survey.slug == slug,
            UnitReview.status == "under_review",
        )
    )
    if review is None:
        raise click.ClickException(f"{unit_code} is not under review for {slug}")
    outcome = {"clear": "cleared", "confirm": "confirmed"}[decision]
    try:
        quality_service.decide_review(review, outcome, user, reason)
    except ReviewError as error:
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(f"{unit_code}: review {outcome}.")
