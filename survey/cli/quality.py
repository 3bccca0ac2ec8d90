"""``flask --app wsgi simulate-integrity``: power and false alarms, measured."""

from __future__ import annotations

import click

from survey.domain import simulation_power


@click.command("simulate-integrity")
@click.option(
    "--honest",
    type=click.IntRange(1, 100_000),
    default=1000,
    show_default=True,
    help="Honest units in the simulated city (the false-alarm row).",
)
@click.option(
    "--per-scenario",
    type=click.IntRange(1, 100_000),
    default=200,
    show_default=True,
    help="Manipulating units per scenario (the power rows).",
)
@click.option("--seed", type=int, default=25, show_default=True, help="Random seed.")
@click.option(
    "--population",
    type=click.Choice(["strong", "weak", "both"]),
    default="both",
    show_default=True,
    help="How strongly honest answers hang together (see the docs): strong "
    "makes all-favourable honest forms common, weak rare.",
)
def simulate_integrity_command(
    honest: int, per_scenario: int, seed: int, population: str
) -> None:
    """Run the integrity harness and print its table of power and false alarms.

    Units are generated with known truth, counted as the service counts
    them and judged by the same evidence and the same red and amber rule;
    the table gives, per manipulation, the share of units red within the
    four weeks it happened, and the share of honest units amber or red.
    """
    chosen = {
        "strong": simulation_power.POPULATIONS[:1],
        "weak": simulation_power.POPULATIONS[1:],
        "both": simulation_power.POPULATIONS,
    }[population]
    scenarios = simulation_power.SCENARIOS
    for people in chosen:
        total = honest + per_scenario * len(scenarios)
        with click.progressbar(length=total, label=people.label) as bar:
            rows = simulation_power.measure(
                honest, per_scenario, seed, scenarios, bar.update, people=people
            )
        click.echo(f"\nHonest respondents: {people.label}.\n")
        click.echo(simulation_power.table(rows))
        click.echo("")
