"""One comparison model per survey and filter: one verdict per unit.

Every unit is compared with the city (the whole survey under the same filter)
by the same test, and the multiple-comparison control runs once over every
comparable unit of the survey, so that a unit's verdict does not depend on the
page it is read on (docs/methodology-comparison.md):

- the test: the unit's share against the city's share p0, two-sided; a normal
  z-test from n = 30 on, the exact binomial test below (the same switch as the
  funnel limits of ``statistics.funnel_limits``);
- the control: Benjamini-Hochberg at a false-discovery rate of 5 % over the
  whole family of compared units (every unit's subtree, and the answers given
  at a unit that also has sub-units): at most about one flag in twenty is a
  unit that does not really differ from the city;
- overdispersion: phi is estimated once, over the units' own answers (a
  partition of the city's answers, so no answer counts twice). It does not
  widen the limits; it says whether units differ more than chance explains.

Pure: no Flask, no database.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from survey.domain import statistics as st

FDR = 0.05  # the Benjamini-Hochberg false-discovery rate
P95 = 0.05  # two-sided tail outside the 95 % funnel limits
P998 = 0.002  # two-sided tail outside the 99.8 % funnel limits


@dataclass(frozen=True)
class UnitTest:
    """One unit against the city."""

    successes: float
    n: float
    p_value: float  # two-sided, against p0, before the control
    verdict: st.Band  # "below", "above" or "expected" (no clear difference)
    fifth: int  # 1 (lowest fifth of the compared units) .. 5 (highest)

    @property
    def share(self) -> float:
        return self.successes / self.n if self.n > 0 else 0.0

    @property
    def outside95(self) -> bool:
        return self.p_value < P95

    @property
    def outside998(self) -> bool:
        return self.p_value < P998


@dataclass(frozen=True)
class Comparison:
    """The verdicts of every compared unit of a survey under one filter."""

    p0: float | None  # the city's share; None: nothing to compare with
    phi: float  # overdispersion over the units' own answers (1.0: none beyond chance)
    fdr: float
    threshold: float | None  # the largest p-value still flagged; None: none is
    tests: Mapping[str, UnitTest] = field(default_factory=dict)

    @property
    def family(self) -> int:
        """How many units were compared (the m of Benjamini-Hochberg)."""
        return len(self.tests)

    @property
    def overdispersed(self) -> bool:
        return self.phi > 1.0

    def verdict(self, key: str) -> st.Band | None:
        test = self.tests.get(key)
        return test.verdict if test is not None else None

    def count(self, verdict: st.Band) -> int:
        return sum(1 for t in self.tests.values() if t.verdict == verdict)


def _binomial_cdf(k: int, n: int, p: float) -> float:
    """P(X <= k) for X ~ Binomial(n, p)."""
    if k < 0:
        return 0.0
    if k >= n:
        return 1.0
    return st.regularized_incomplete_beta(1.0 - p, n - k, k + 1)


def two_sided_p_value(successes: float, n: float, p0: float) -> float:
    """P-value of "the unit's share equals p0": z-test from n = 30, exact below."""
    if not n > 0:
        return 1.0
    share = successes / n
    if not 0.0 < p0 < 1.0:
        return 1.0 if share == p0 else 0.0
    if n >= st.EXACT_FUNNEL_N:
        z = (share - p0) / math.sqrt(p0 * (1.0 - p0) / n)
        return min(1.0, 2.0 * st.normal_upper_tail(abs(z)))
    trials, k = round(n), round(successes)
    lower = _binomial_cdf(k, trials, p0)
    upper = 1.0 - _binomial_cdf(k - 1, trials, p0)
    return min(1.0, 2.0 * min(lower, upper))


def benjamini_hochberg(p_values: Mapping[str, float], fdr: float = FDR) -> float | None:
    """The largest p-value that the step-up procedure still rejects (None: none).

    Sorted p_(1) <= ... <= p_(m): reject every p <= p_(k) for the largest k
    with p_(k) <= k q / m. Ties get the same decision.
    """
    ordered = sorted(p_values.values())
    m = len(ordered)
    threshold: float | None = None
    for rank, p in enumerate(ordered, start=1):
        if p <= rank * fdr / m:
            threshold = p
    return threshold


def fifth_of(value: float, values: Sequence[float]) -> int:
    """Which fifth of ``values`` ``value`` falls in: 1 lowest .. 5 highest."""
    if not values:
        return 3
    below = sum(1 for v in values if v < value)
    ties = sum(1 for v in values if v == value)
    position = (below + ties / 2.0) / len(values)  # mid-rank, in [0, 1]
    return min(5, int(position * 5) + 1)


def compare_units(
    family: Mapping[str, tuple[float, float]],
    partition: Sequence[tuple[float, float]],
    p0: float | None,
    fdr: float = FDR,
) -> Comparison:
    """Verdicts of every unit of ``family`` ((successes, n) each) against p0.

    ``partition`` are the units' own answers (no answer in two of them): phi is
    estimated on them, once. Units with n = 0 are left out of the family.
    """
    if p0 is None:
        return Comparison(None, 1.0, fdr, None, {})
    usable = {k: (x, n) for k, (x, n) in family.items() if n > 0}
    p_values = {k: two_sided_p_value(x, n, p0) for k, (x, n) in usable.items()}
    threshold = benjamini_hochberg(p_values, fdr)
    shares = [x / n for x, n in usable.values()]
    tests: dict[str, UnitTest] = {}
    for key, (x, n) in usable.items():
        verdict: st.Band = "expected"
        if threshold is not None and p_values[key] <= threshold and x / n != p0:
            verdict = "below" if x / n < p0 else "above"
        tests[key] = UnitTest(x, n, p_values[key], verdict, fifth_of(x / n, shares))
    phi = st.overdispersion_phi([u for u in partition if u[1] > 0], p0)
    return Comparison(p0, phi, fdr, threshold, tests)
