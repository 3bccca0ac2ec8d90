"""``tallies fold|rebuild|check``: the results pages' pre-aggregated counts."""

from __future__ import annotations

import click

from survey import jobs
from survey.extensions import db
from survey.services.reporting import tallies, tally_check


@click.group("tallies")
def tallies_group() -> None:
    """The results pages' pre-aggregated counts (survey/services/reporting/tallies)."""


def fold_with_progress() -> None:
    waiting = tallies.waiting()
    if not waiting:
        click.echo("The tallies are up to date.")
        return
    with click.progressbar(length=waiting, label="Folding into the tallies") as bar:
        folded = jobs.fold_waiting(progress=bar.update)
    click.echo(f"Folded {folded:,} responses into the tallies.")


@tallies_group.command("fold")
def tallies_fold_command() -> None:
    """Count the responses not yet in the tallies into them."""
    fold_with_progress()


@tallies_group.command("rebuild")
def tallies_rebuild_command() -> None:
    """Recount the tallies from every response."""
    tallies.clear()
    db.session.commit()
    fold_with_progress()


@tallies_group.command("check")
def tallies_check_command() -> None:
    """Compare every survey's tallied counts with the straight counts."""
    differences = tally_check.check()
    for difference in differences:
        click.echo(difference, err=True)
    if differences:
        raise click.ClickException(f"{len(differences)} counts differ")
    click.echo("The tallies agree with the responses.")
