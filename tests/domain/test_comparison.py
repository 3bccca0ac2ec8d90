"""survey.domain.comparison: one test, one control, one verdict per unit.

Properties (Hypothesis) of the p-values, of Benjamini-Hochberg and of the
verdicts, then simulated cities of 168 units with known true rates: the share
of falsely flagged units stays at or below the false-discovery rate.
"""

from __future__ import annotations

import math
import random

from hypothesis import given, settings
from hypothesis import strategies as hs

from survey.domain.comparison import (
    FDR,
    benjamini_hochberg,
    compare_units,
    fifth_of,
    two_sided_p_value,
)
from survey.domain.statistics import Z95, Z998, funnel_limits


@hs.composite
def unit_counts(draw: hs.DrawFn) -> tuple[int, int]:
    n = draw(hs.integers(1, 2000))
    return draw(hs.integers(0, n)), n


P0 = hs.floats(0.02, 0.98)


@given(unit_counts(), P0)
def test_p_values_are_probabilities_and_mirror(counts, p0) -> None:
    x, n = counts
    p = two_sided_p_value(x, n, p0)
    assert 0.0 <= p <= 1.0
    assert math.isclose(p, two_sided_p_value(n - x, n, 1.0 - p0), abs_tol=1e-9)


@given(hs.integers(30, 3000), P0)
def test_a_unit_at_the_limits_has_a_p_value_at_their_level(n, p0) -> None:
    # From n = 30 the test and the plain funnel limits are one and the same.
    for z, tail in ((Z95, 0.05), (Z998, 0.002)):
        low, high = funnel_limits(p0, n, z)
        if 0.0 < low and high < 1.0:
            assert math.isclose(two_sided_p_value(high * n, n, p0), tail, rel_tol=1e-3)
            assert math.isclose(two_sided_p_value(low * n, n, p0), tail, rel_tol=1e-3)


def test_exact_test_for_small_units() -> None:
    # 20 answers, all satisfied, against a city of 60 %: 2 * 0.6^20.
    assert math.isclose(two_sided_p_value(20, 20, 0.6), 2 * 0.6**20, rel_tol=1e-6)
    assert two_sided_p_value(12, 20, 0.6) == 1.0
    assert two_sided_p_value(0, 0, 0.6) == 1.0


P_VALUES = hs.dictionaries(
    hs.text("abcdefgh", min_size=1, max_size=4), hs.floats(0.0, 1.0), max_size=40
)


@given(P_VALUES, hs.floats(0.001, 0.5))
def test_benjamini_hochberg_lies_between_bonferroni_and_no_control(p_values, q) -> None:
    threshold = benjamini_hochberg(p_values, q)
    cut = -1.0 if threshold is None else threshold
    rejected = {k for k, p in p_values.items() if p <= cut}
    m = len(p_values)
    bonferroni = {k for k, p in p_values.items() if p <= q / m}
    uncorrected = {k for k, p in p_values.items() if p <= q}
    assert bonferroni <= rejected <= uncorrected
    # the step-up condition holds at the threshold, and for no larger p-value
    if threshold is not None:
        assert threshold <= len(rejected) * q / m + 1e-12
    for k, p in p_values.items():
        if k not in rejected:
            larger = sum(1 for v in p_values.values() if v <= p)
            assert p > larger * q / m


@given(P_VALUES, hs.floats(0.001, 0.2), hs.floats(0.001, 0.2))
def test_a_stricter_rate_never_flags_more(p_values, q1, q2) -> None:
    low, high = sorted((q1, q2))
    t_low = benjamini_hochberg(p_values, low)
    t_high = benjamini_hochberg(p_values, high)
    if t_low is not None:
        assert t_high is not None and t_high >= t_low


FAMILIES = hs.dictionaries(
    hs.text("abcdefghij", min_size=1, max_size=3), unit_counts(), max_size=30
)


@settings(max_examples=60)
@given(FAMILIES, P0)
def test_verdicts_follow_the_direction_and_ignore_the_order(family, p0) -> None:
    model = compare_units(family, list(family.values()), p0)
    reversed_model = compare_units(
        dict(reversed(list(family.items()))), list(family.values()), p0
    )
    for key, (x, n) in family.items():
        test = model.tests[key]
        assert reversed_model.tests[key].verdict == test.verdict
        assert 1 <= test.fifth <= 5
        if test.verdict == "below":
            assert x / n < p0 and test.p_value <= FDR
        if test.verdict == "above":
            assert x / n > p0 and test.p_value <= FDR
    assert model.family == len(family)
    assert model.phi >= 1.0


def test_no_reference_no_verdict() -> None:
    model = compare_units({"a": (5, 10)}, [(5, 10)], None)
    assert model.tests == {} and model.verdict("a") is None


def test_fifths() -> None:
    values = [0.1 * i for i in range(10)]
    assert fifth_of(0.0, values) == 1
    assert fifth_of(0.9, values) == 5
    assert fifth_of(0.45, values) == 3
    assert fifth_of(0.5, []) == 3


# --------------------------------------------------------------------------- #
# Simulated cities of 168 units with known true rates
# --------------------------------------------------------------------------- #

UNITS = 168
CITY_RATE = 0.65


def simulated_city(rng: random.Random, shift: float, differing: int):
    """168 units: ``differing`` of them shift up or down, in pairs of equal size
    so that the true city rate stays exactly 0.65; the others are at the city."""
    units: dict[str, tuple[int, int]] = {}
    truth: dict[str, float] = {}
    for i in range(UNITS):
        if i % 2 == 0:
            n = rng.randint(30, 600)
        rate = CITY_RATE
        if i < differing:
            rate = CITY_RATE + (shift if i % 2 == 0 else -shift)
        x = sum(1 for _ in range(n) if rng.random() < rate)
        units[f"u{i}"] = (x, n)
        truth[f"u{i}"] = rate
    return units, truth


def city_p0(units: dict[str, tuple[int, int]]) -> float:
    return sum(x for x, _ in units.values()) / sum(n for _, n in units.values())


def test_false_discoveries_stay_at_or_below_the_rate() -> None:
    rng = random.Random(168)
    proportions = []
    flagged_real = 0
    for _ in range(60):
        units, truth = simulated_city(rng, shift=0.12, differing=48)
        model = compare_units(units, list(units.values()), city_p0(units))
        flagged = [k for k, t in model.tests.items() if t.verdict != "expected"]
        false = [k for k in flagged if truth[k] == CITY_RATE]
        proportions.append(len(false) / max(1, len(flagged)))
        flagged_real += len(flagged) - len(false)
    assert sum(proportions) / len(proportions) <= FDR
    # and the control still finds most of the 48 units that really differ
    assert flagged_real / (60 * 48) > 0.8


def test_a_city_where_no_unit_differs_rarely_flags_any() -> None:
    rng = random.Random(2026)
    cities_with_a_flag = 0
    uncontrolled = 0
    for _ in range(60):
        units, _truth = simulated_city(rng, shift=0.0, differing=0)
        p0 = city_p0(units)
        model = compare_units(units, list(units.values()), p0)
        cities_with_a_flag += model.count("below") + model.count("above") > 0
        uncontrolled += sum(1 for t in model.tests.values() if t.outside95)
        assert not model.overdispersed or model.phi < 1.6
    # Benjamini-Hochberg under the global null: at most about 5 % of cities.
    assert cities_with_a_flag / 60 <= 0.1
    # Without the control, about 5 % of all 168 units would be flagged.
    assert 0.03 < uncontrolled / (60 * UNITS) < 0.07


def test_shrunk_estimates_err_less_than_raw_ones_for_small_units() -> None:
    from survey.domain.statistics import fit_beta_prior, shrink

    rng = random.Random(6)
    raw_error = shrunk_error = 0.0
    small = 0
    for _ in range(10):
        truth = [rng.betavariate(26, 14) for _ in range(UNITS)]  # mean 0.65
        sizes = [rng.choice((12, 20, 40, 80, 300, 600)) for _ in range(UNITS)]
        counts = [
            (sum(1 for _ in range(n) if rng.random() < p), n)
            for p, n in zip(truth, sizes, strict=True)
        ]
        prior = fit_beta_prior(counts)
        assert prior is not None
        for (x, n), p in zip(counts, truth, strict=True):
            if n > 40:
                continue
            small += 1
            raw_error += (x / n - p) ** 2
            shrunk_error += (shrink(x, n, *prior).estimate - p) ** 2
    assert shrunk_error < 0.7 * raw_error, (shrunk_error / small, raw_error / small)


def test_rank_intervals_cover_the_true_ranks_at_about_their_rate() -> None:
    from survey.domain.statistics import fit_beta_prior, posterior_rank_intervals

    rng = random.Random(7)
    covered = total = 0
    for city in range(3):
        truth = [rng.betavariate(26, 14) for _ in range(UNITS)]
        counts = {
            f"u{i}": (sum(1 for _ in range(n) if rng.random() < p), n)
            for i, p in enumerate(truth)
            for n in (rng.randint(30, 600),)
        }
        prior = fit_beta_prior(list(counts.values()))
        assert prior is not None
        ranks = posterior_rank_intervals(counts, *prior, draws=400, seed=city)
        order = sorted(range(UNITS), key=lambda i: -truth[i])
        true_rank = {f"u{i}": r for r, i in enumerate(order, start=1)}
        for key, interval in ranks.items():
            total += 1
            covered += interval.low <= true_rank[key] <= interval.high
    assert 0.88 <= covered / total <= 0.995, covered / total
