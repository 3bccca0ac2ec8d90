"""Power and false alarms of the unit score on the simulated city (issue 25).

``measure`` builds a city of honest units, then, for each manipulation
scenario, units of the same sizes that manipulate their last four weeks;
every unit is judged by ``quality_evidence.city_evidence`` together with
the honest city (whose references it uses), exactly as the service judges
counts read from SQL. A scenario is *detected* when the unit's level (the
published rule, ``unit_level``) is red within those four weeks.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

from survey.domain.quality_evidence import UnitEvidence, city_evidence, unit_level
from survey.domain.simulation import (
    ITEM_LOADING,
    ONE_COLUMN,
    Item,
    Plan,
    simulate_unit,
    sipas_items,
)
from survey.domain.simulation_counts import evidence_of

SIZES = (40, 400)  # honest responses per four weeks, log-uniform
SIZE_BANDS = ((0, 100), (100, 200), (200, 10_000))
LEVEL_MEAN, LEVEL_SD = 0.3, 0.3


@dataclass(frozen=True)
class Scenario:
    family: str
    strength: float
    spread: str
    shift: float = 0.5

    @property
    def label(self) -> str:
        extra = f", p = {self.shift:g}" if self.family == "subtle" else ""
        return f"{self.family} {self.strength:.0%} over {self.spread}{extra}"


SCENARIOS: tuple[Scenario, ...] = (
    Scenario("crude", 0.10, "minutes"),
    Scenario("crude", 0.10, "day"),
    Scenario("careful", 0.10, "day"),
    Scenario("careful", 0.10, "week"),
    Scenario("careful", 0.10, "month"),
    Scenario("careful", 0.05, "month"),
    Scenario("careful", 0.25, "month"),
    Scenario("subtle", 0.25, "month", 0.5),
    Scenario("subtle", 0.50, "month", 0.5),
    Scenario("subtle", 0.50, "month", 1.0),
    Scenario("coaching", 0.25, "month"),
    Scenario("coaching", 0.50, "month"),
    Scenario("selective", 0.50, "month"),
    Scenario("selective", 1.00, "month"),
)


@dataclass(frozen=True)
class Row:
    label: str
    units: int
    red: int
    flagged: int  # amber or red
    red_by_size: tuple[tuple[int, int], ...]  # (red, units) per size band

    @property
    def red_share(self) -> float:
        return self.red / self.units if self.units else 0.0

    @property
    def flagged_share(self) -> float:
        return self.flagged / self.units if self.units else 0.0


@dataclass(frozen=True)
class Population:
    """How honest respondents answer: see ``simulation``'s module docstring."""

    label: str
    loading: float = ITEM_LOADING
    one_column: float = ONE_COLUMN


POPULATIONS = (
    Population("items strongly correlated (loading 0.6), 6 % tick one column"),
    Population("items weakly correlated (loading 0.3), 3 % tick one column", 0.3, 0.03),
)


def _plan(
    rng: random.Random, name: str, scenario: Scenario | None, people: Population
) -> Plan:
    low, high = SIZES
    monthly = round(math.exp(rng.uniform(math.log(low), math.log(high))))
    level = rng.gauss(LEVEL_MEAN, LEVEL_SD)
    base = Plan(name, monthly, level, loading=people.loading)
    base = replace(base, one_column=people.one_column)
    if scenario is None:
        return base
    return replace(
        base,
        family=scenario.family,
        strength=scenario.strength,
        spread=scenario.spread,
        shift=scenario.shift,
    )


def _row(
    label: str,
    plans: Sequence[Plan],
    judged: Mapping[str, Sequence[str]],
) -> Row:
    levels = [judged[p.name] for p in plans]
    red = sum(level[0] == "red" for level in levels)
    flagged = sum(level[0] in ("red", "amber") for level in levels)
    by_size = []
    for low, high in SIZE_BANDS:
        band = [
            level
            for p, level in zip(plans, levels, strict=True)
            if low <= p.monthly < high
        ]
        by_size.append((sum(level[0] == "red" for level in band), len(band)))
    return Row(label, len(plans), red, flagged, tuple(by_size))


def measure(
    honest_units: int,
    units_per_scenario: int,
    seed: int = 25,
    scenarios: Sequence[Scenario] = SCENARIOS,
    progress: Callable[[int], None] | None = None,
    items: Sequence[Item] = (),
    people: Population = POPULATIONS[0],
) -> list[Row]:
    """The honest row (false alarms), then one row per scenario (power)."""
    items = items or sipas_items()
    rng = random.Random(seed)
    honest = [_plan(rng, f"honest-{i}", None, people) for i in range(honest_units)]
    city: dict[str, UnitEvidence] = {}
    for plan in honest:
        unit = simulate_unit(rng, plan, items)
        city[plan.name] = evidence_of(unit.responses, items)
        if progress:
            progress(1)
    rows = [_judge_honest(honest, city)]
    for s, scenario in enumerate(scenarios):
        plans = [
            _plan(rng, f"s{s}-{i}", scenario, people) for i in range(units_per_scenario)
        ]
        units = dict(city)
        for plan in plans:
            unit = simulate_unit(rng, plan, items)
            units[plan.name] = evidence_of(unit.responses, items)
            if progress:
                progress(1)
        judged = {
            name: [unit_level(found)] for name, found in city_evidence(units).items()
        }
        rows.append(_row(scenario.label, plans, judged))
    return rows


def _judge_honest(plans: Sequence[Plan], city: dict[str, UnitEvidence]) -> Row:
    judged = {name: [unit_level(found)] for name, found in city_evidence(city).items()}
    return _row("honest units (false alarms)", plans, judged)


def table(rows: Sequence[Row]) -> str:
    """The rows as a Markdown table."""
    bands = [f"red, n {low}-{high - 1}" for low, high in SIZE_BANDS[:-1]]
    bands.append(f"red, n >= {SIZE_BANDS[-1][0]}")
    head = ["scenario (last four weeks)", "units", "red", "amber or red", *bands]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for row in rows:
        cells = [
            row.label,
            str(row.units),
            f"{row.red_share:.1%}",
            f"{row.flagged_share:.1%}",
            *(f"{red / n:.0%} of {n}" if n else "–" for red, n in row.red_by_size),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
