"""The integrity harness at small size (issue 25): power and false alarms.

The full-size table (``flask --app wsgi simulate-integrity``) is in
docs/methodology-integrity.md; here the same code runs on a small city with
a fixed seed, and the command itself prints its table.
"""

from __future__ import annotations

from survey.domain import simulation_power
from survey.domain.simulation_power import POPULATIONS, Scenario, measure

SCENARIOS = (
    Scenario("crude", 0.10, "minutes"),
    Scenario("crude", 0.10, "month"),
    Scenario("careful", 0.25, "month"),
    Scenario("coaching", 0.50, "month"),
    Scenario("selective", 1.00, "month"),
)


def test_crude_stuffing_is_always_red_and_honest_units_rarely_flagged():
    rows = measure(40, 8, seed=7, scenarios=SCENARIOS, people=POPULATIONS[1])
    honest, crude_minutes, crude_month, careful, coaching, selective = rows
    assert honest.units == 40 and honest.flagged <= 1, honest
    assert crude_minutes.red == crude_month.red == 8
    # heavier manipulation of content is seen most of the time
    assert careful.red >= 6 and coaching.red >= 6 and selective.red >= 6


def test_careful_stuffing_over_a_month_is_seen_at_the_measured_power():
    # Measured at this size and seed: 11 of 20 red (10 of the 10 units with
    # 200 or more responses a month), no honest unit amber or red; the
    # strongly correlated population, where honest forms favourable on
    # every item are common. Before the quick look: about 1 in 10 red.
    careful = Scenario("careful", 0.10, "month")
    honest, found = measure(40, 20, seed=7, scenarios=(careful,), people=POPULATIONS[0])
    assert honest.flagged <= 1, honest
    assert found.red >= 8, found
    red_large, large = found.red_by_size[-1]
    assert large and red_large >= large - 2, found


def test_the_table_has_a_row_per_scenario_and_size_band():
    rows = measure(5, 2, seed=1, scenarios=SCENARIOS[:2])
    text = simulation_power.table(rows)
    lines = text.splitlines()
    assert len(lines) == 2 + 3
    assert lines[2].startswith("| honest units (false alarms) | 5 |")
    assert "crude 10% over minutes" in lines[3]


def test_the_command_prints_the_table(runner):
    result = runner.invoke(
        args=[
            "simulate-integrity",
            "--honest",
            "4",
            "--per-scenario",
            "1",
            "--population",
            "weak",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "| scenario (last four weeks) | units | red |" in result.output
    assert "careful 10% over month" in result.output
