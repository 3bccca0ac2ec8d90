"""M5 with its interval: a unit's share standardised for its mix of procedures.

METHODOLOGY.md section 5 (indirect standardisation): with n(u,k) answers of
unit u in procedure group k and the city's rate p(k) in that group, the
expected count is E(u) = sum_k n(u,k) p(k); the standardised rate is
O(u) / E(u) x p(city). Indirect rather than direct standardisation, because
units of different kinds handle different procedures: a ward's unit has no
rate of its own for a department's procedure, so a direct rate over the
city's whole mix is not defined for it.

The interval treats E(u) as fixed (the city's group rates rest on far more
answers than the unit's): the standardised rate is the raw share times
n(u) p(city) / E(u), so its interval is the raw share's Wilson interval
scaled by the same factor, capped at 100 %.
"""

from __future__ import annotations

from collections.abc import Mapping

from survey.domain.stats.distributions import _clamp
from survey.domain.stats.funnel import standardised_rate
from survey.domain.stats.proportions import Proportion, wilson

Groups = Mapping[str, tuple[float, float]]  # procedure group -> (satisfied, n)


def group_rates(per_unit: Mapping[object, Groups]) -> tuple[dict[str, float], float]:
    """The city's rate per procedure group and overall, from every unit's groups."""
    satisfied: dict[str, float] = {}
    answered: dict[str, float] = {}
    for groups in per_unit.values():
        for group, (x, n) in groups.items():
            satisfied[group] = satisfied.get(group, 0.0) + x
            answered[group] = answered.get(group, 0.0) + n
    total_n = sum(answered.values())
    city = sum(satisfied.values()) / total_n if total_n > 0 else 0.0
    rates = {g: satisfied[g] / n for g, n in answered.items() if n > 0}
    return rates, city


def standardised_share(
    unit_groups: Groups, city_group_rates: Mapping[str, float], city_rate: float
) -> Proportion:
    """M5 of a unit as a Proportion: estimate and 95 % interval (None if undefined).

    ``successes`` and ``n`` are the unit's raw satisfied answers and answers
    with a procedure group, so the small-n rules read the real n.
    """
    observed = sum(x for x, _ in unit_groups.values())
    n = sum(m for _, m in unit_groups.values())
    rate = standardised_rate(unit_groups, city_group_rates, city_rate)
    if rate.ratio is None or rate.rate is None or not n > 0:
        return Proportion(observed, n, None, None, None)
    raw = wilson(observed, n)
    factor = n * city_rate / rate.expected
    return Proportion(
        observed,
        n,
        rate.rate,
        _clamp((raw.low or 0.0) * factor),
        _clamp((raw.high or 0.0) * factor),
    )
