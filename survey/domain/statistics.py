"""The statistics of METHODOLOGY.md, sections 3 to 7, as pure functions.

Aggregates are counted in SQL elsewhere; these functions take the counts (or
weighted sums) and return frozen dataclasses. Shares are on 0..1, NPS and the
"0-100" means on their 100 scales. Nothing here raises on empty input: an
undefined figure is ``None``.
"""

from __future__ import annotations

import math
import random
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, TypeAlias

import numpy as np

Z95 = 1.96
Z998 = 3.09
MIN_N = 10  # below: no score, only "insufficient data" and the count
CAUTION_N = 30  # below: score with a caution label, never ranked
RANKING_N = 100  # at or above (and half-width <= RANKING_HALF_WIDTH): rankable
RANKING_HALF_WIDTH = 0.07
CAPPED_SHARE = 0.95  # 10 <= n < 30 and p > 0.95 is shown as "> 95 %"
EXACT_FUNNEL_N = 30  # funnel limits are exact binomial below this n
MIN_CELL_N = 5  # post-stratification cells smaller than this are merged
BOOTSTRAP_DRAWS = 2000  # B, resamples behind M2's percentile interval
LIKERT_CODES = (1, 2, 3, 4, 5)
NOT_APPLICABLE = 9  # "don't know / not applicable": out of every denominator
NPS_CODES = tuple(range(11))

Display: TypeAlias = Literal["suppressed", "caution", "ok"]
Band: TypeAlias = Literal["above", "expected", "below"]
Grade: TypeAlias = Literal["A", "B", "C", "-"]
FlagLevel: TypeAlias = Literal["none", "amber", "red"]

# t(0.975, df) for df = 1..30 (index 0 is df = 1).
_T975 = (
    12.7062,
    4.3027,
    3.1824,
    2.7764,
    2.5706,
    2.4469,
    2.3646,
    2.3060,
    2.2622,
    2.2281,
    2.2010,
    2.1788,
    2.1604,
    2.1448,
    2.1314,
    2.1199,
    2.1098,
    2.1009,
    2.0930,
    2.0860,
    2.0796,
    2.0739,
    2.0687,
    2.0639,
    2.0595,
    2.0555,
    2.0518,
    2.0484,
    2.0452,
    2.0423,
)
_Z975 = 1.959963984540054
_Z95_ONE_SIDED = 1.6448536269514722


# --------------------------------------------------------------------------- #
# Result types
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class Proportion:
    """A share with its interval; ``n`` is the effective n when weighted."""

    successes: float
    n: float
    estimate: float | None
    low: float | None
    high: float | None

    @property
    def half_width(self) -> float | None:
        """Half the interval's width, or None when there is no interval."""
        if self.low is None or self.high is None:
            return None
        return (self.high - self.low) / 2


@dataclass(frozen=True)
class MeanEstimate:
    """A mean with its t interval (None where undefined)."""

    estimate: float | None
    low: float | None
    high: float | None


@dataclass(frozen=True)
class ItemSummary:
    """Everything shown for one five-point item (codes 1..5, 9 = N/A)."""

    n: float  # valid answers (codes 1..5); the weight total when weighted
    n_na: float  # code 9 answers, outside every denominator
    n_eff: float  # Kish effective n of the valid answers (= n when unweighted)
    shares: tuple[float, ...] | None  # shares[0] is code 1 ... shares[4] code 5
    mean: MeanEstimate  # on the 1..5 scale
    mean_100: MeanEstimate  # (mean - 1) / 4 * 100
    top_two: Proportion  # codes 4-5
    bottom_two: Proportion  # codes 1-2

    def share_of(self, code: int) -> float | None:
        """Share of one code 1..5 among the valid answers."""
        if self.shares is None or code not in LIKERT_CODES:
            return None
        return self.shares[code - 1]


@dataclass(frozen=True)
class ChoiceShare:
    """One option of a choice question: how many ticked it, and the share."""

    option: str
    count: float
    share: Proportion


@dataclass(frozen=True)
class ChoiceSummary:
    """Shares of a single or multiple choice question among its respondents."""

    respondents: float
    options: tuple[ChoiceShare, ...]  # in the order of the input mapping
    total_share: float | None  # above 1 for multiple choice: say so on the chart

    def share_of(self, option: str) -> Proportion | None:
        """The share of one option, or None if the option is unknown."""
        for choice in self.options:
            if choice.option == option:
                return choice.share
        return None


@dataclass(frozen=True)
class NpsResult:
    """Net promoter score on -100..100 with its normal 95 % interval."""

    n: float
    promoters: float | None  # share of 9-10
    passives: float | None  # share of 7-8
    detractors: float | None  # share of 0-6
    score: float | None
    standard_error: float | None  # on the 100 scale
    low: float | None
    high: float | None


@dataclass(frozen=True)
class CompositeIndex:
    """M2: the mean of the factor top-two-box shares that have enough answers."""

    estimate: float | None
    used: tuple[int, ...]  # positions of the factors in the mean
    dropped: tuple[int, ...]  # positions dropped for n_eff < MIN_N
    low: float | None = None
    high: float | None = None

    @property
    def is_partial(self) -> bool:
        """True when a factor was dropped: the composite must be marked."""
        return bool(self.dropped)


@dataclass(frozen=True)
class ShareDisplay:
    """What a share may show: nothing, a "> 95 %" or "< 5 %" cap, or its value."""

    kind: Literal["suppressed", "capped", "value"]
    value: float | None  # None: suppressed; CAPPED_SHARE or 1 - it: capped
    caution: bool  # 10 <= n_eff < 30: show the caution label


@dataclass(frozen=True)
class Difference:
    """A difference of two shares with its Newcombe hybrid interval."""

    estimate: float | None
    low: float | None
    high: float | None
    real: bool  # the interval excludes 0


@dataclass(frozen=True)
class StandardisedRate:
    """Indirect procedure-mix standardisation of a unit's share (M5)."""

    observed: float
    expected: float
    ratio: float | None  # O / E
    rate: float | None  # ratio x city rate, capped at 1


@dataclass(frozen=True)
class RankInterval:
    """Median rank (1 = best) and its 95 % interval over posterior draws."""

    median: float
    low: int
    high: int


@dataclass(frozen=True)
class PChartPoint:
    """One period on a p-chart, with the signals to mark."""

    share: float | None
    low: float
    high: float
    outside: Literal["above", "below"] | None
    in_run: bool  # part of a run of run_length points on one side of the centre


# --------------------------------------------------------------------------- #
# Distribution helpers
# --------------------------------------------------------------------------- #


def _clamp(value: float, low: float = 0.0, high: float = 1.0) -> float:
    return min(high, max(low, value))


def normal_upper_tail(z: float) -> float:
    """P(Z > z) for a standard normal Z."""
    return 0.5 * math.erfc(z / math.sqrt(2.0))


def t_quantile_975(df: float) -> float | None:
    """t(0.975, df): a table for whole df <= 30, Cornish-Fisher beyond 30."""
    if not df >= 1:
        return None
    if df <= 30:
        if df == math.floor(df):
            return _T975[int(df) - 1]
        # a fractional df (Kish's n_eff - 1): invert P(|T| > t) = 0.05 exactly,
        # since P(|T| > t) = I_x(df / 2, 1 / 2) with x = df / (df + t^2)
        x = beta_quantile(0.05, df / 2, 0.5)
        return math.sqrt(df * (1.0 - x) / x)
    z = _Z975
    g1 = (z**3 + z) / 4
    g2 = (5 * z**5 + 16 * z**3 + 3 * z) / 96
    g3 = (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / 384
    g4 = (79 * z**9 + 776 * z**7 + 1482 * z**5 - 1920 * z**3 - 945 * z) / 92160
    return z + g1 / df + g2 / df**2 + g3 / df**3 + g4 / df**4


def chi2_quantile_95(df: float) -> float:
    """chi-square 0.95 quantile by the Wilson-Hilferty approximation."""
    if df <= 0:
        return 0.0
    c = 2 / (9 * df)
    return float(df * (1 - c + _Z95_ONE_SIDED * math.sqrt(c)) ** 3)


def _beta_continued_fraction(a: float, b: float, x: float) -> float:
    # Lentz's method as in Numerical Recipes' betacf
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c = 1.0
    d = 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 1000):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        step = d * c
        h *= step
        if abs(step - 1.0) < 1e-15:
            break
    return h


def regularized_incomplete_beta(x: float, a: float, b: float) -> float:
    """I_x(a, b), the Beta(a, b) cumulative distribution at x (a, b > 0)."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    log_front = (
        math.lgamma(a + b)
        - math.lgamma(a)
        - math.lgamma(b)
        + a * math.log(x)
        + b * math.log1p(-x)
    )
    front = math.exp(log_front)
    if x < (a + 1.0) / (a + b + 2.0):
        return _clamp(front * _beta_continued_fraction(a, b, x) / a)
    return _clamp(1.0 - front * _beta_continued_fraction(b, a, 1.0 - x) / b)


def beta_quantile(q: float, a: float, b: float) -> float:
    """The q quantile of Beta(a, b), by bisection on the incomplete beta."""
    if a <= 0.0:
        return 0.0
    if b <= 0.0:
        return 1.0
    if q <= 0.0:
        return 0.0
    if q >= 1.0:
        return 1.0
    low, high = 0.0, 1.0
    for _ in range(100):
        middle = (low + high) / 2
        if regularized_incomplete_beta(middle, a, b) < q:
            low = middle
        else:
            high = middle
        if high - low < 1e-13:
            break
    return (low + high) / 2


def _binomial_quantile(q: float, n: int, p: float) -> int:
    """Smallest k with P(X <= k) >= q for X ~ Bin(n, p)."""
    cumulative = 0.0
    for k in range(n + 1):
        cumulative += math.comb(n, k) * p**k * (1.0 - p) ** (n - k)
        if cumulative >= q:
            return k
    return n


def _quantile_of_sorted(values: Sequence[float], q: float) -> float:
    """Linear interpolation between order statistics (numpy's default)."""
    position = q * (len(values) - 1)
    below = math.floor(position)
    above = min(below + 1, len(values) - 1)
    return values[below] + (position - below) * (values[above] - values[below])


# --------------------------------------------------------------------------- #
# Proportions (section 3)
# --------------------------------------------------------------------------- #


def wilson(successes: float, n: float, z: float = Z95) -> Proportion:
    """Share x/n with its Wilson score interval; n <= 0 gives None fields."""
    if not n > 0:
        return Proportion(successes, max(n, 0.0), None, None, None)
    x = _clamp(successes, 0.0, n)
    p = x / n
    z2 = z * z
    denominator = 1.0 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    half = z * math.sqrt(p * (1.0 - p) / n + z2 / (4 * n * n)) / denominator
    # min/max: rounding must never leave the estimate outside its interval
    low = min(_clamp(centre - half), p)
    high = max(_clamp(centre + half), p)
    return Proportion(successes, n, p, low, high)


def kish_n_eff(weights: Iterable[float]) -> float:
    """Kish's effective sample size (sum w)^2 / sum w^2; 0 when all weights are 0."""
    total = 0.0
    total_sq = 0.0
    for w in weights:
        total += w
        total_sq += w * w
    if total_sq <= 0.0:
        return 0.0
    return total * total / total_sq


def weighted_wilson(
    weighted_successes: float, sum_w: float, sum_w2: float, z: float = Z95
) -> Proportion:
    """Weighted share with a Wilson interval on Kish's n_eff (x = p * n_eff)."""
    if not (sum_w > 0 and sum_w2 > 0):
        return Proportion(0.0, 0.0, None, None, None)
    n_eff = sum_w * sum_w / sum_w2
    share = _clamp(weighted_successes / sum_w)
    result = wilson(share * n_eff, n_eff, z)
    # keep the weighted share itself, not the rounding of x / n_eff
    return Proportion(result.successes, n_eff, share, result.low, result.high)


# --------------------------------------------------------------------------- #
# Items (section 3)
# --------------------------------------------------------------------------- #


def summarise_likert(
    counts: Mapping[int, float], sum_w2: float | None = None
) -> ItemSummary:
    """Shares, mean (1..5 and 0-100) and top/bottom-two boxes of a five-point item.

    ``counts`` maps codes 1..5 and 9 to counts. When weighted, pass the weight
    sums per code as ``counts`` and the sum of squared weights over the valid
    (1..5) answers as ``sum_w2``; intervals then use Kish's n_eff.
    """
    for code, count in counts.items():
        if code not in LIKERT_CODES and code != NOT_APPLICABLE:
            raise ValueError(f"unknown five-point code {code!r}")
        if count < 0:
            raise ValueError(f"negative count for code {code!r}")
    valid = {code: float(counts.get(code, 0)) for code in LIKERT_CODES}
    n = sum(valid.values())
    n_na = float(counts.get(NOT_APPLICABLE, 0))
    top = valid[4] + valid[5]
    bottom = valid[1] + valid[2]
    if sum_w2 is None:
        n_eff = n
        top_two = wilson(top, n)
        bottom_two = wilson(bottom, n)
    else:
        n_eff = n * n / sum_w2 if sum_w2 > 0 else 0.0
        top_two = weighted_wilson(top, n, sum_w2)
        bottom_two = weighted_wilson(bottom, n, sum_w2)
    empty = MeanEstimate(None, None, None)
    if not n > 0:
        return ItemSummary(n, n_na, n_eff, None, empty, empty, top_two, bottom_two)
    shares = tuple(valid[code] / n for code in LIKERT_CODES)
    mean = sum(code * valid[code] for code in LIKERT_CODES) / n
    low: float | None = None
    high: float | None = None
    t = t_quantile_975(n_eff - 1)
    if t is not None:
        spread = sum(valid[code] * (code - mean) ** 2 for code in LIKERT_CODES) / n
        sd = math.sqrt(spread * n_eff / (n_eff - 1))
        half = t * sd / math.sqrt(n_eff)
        low, high = _clamp(mean - half, 1.0, 5.0), _clamp(mean + half, 1.0, 5.0)
    on_100 = MeanEstimate(
        _to_100(mean),
        None if low is None else _to_100(low),
        None if high is None else _to_100(high),
    )
    return ItemSummary(
        n,
        n_na,
        n_eff,
        shares,
        MeanEstimate(mean, low, high),
        on_100,
        top_two,
        bottom_two,
    )


def _to_100(mean: float) -> float:
    return _clamp((mean - 1.0) / 4.0 * 100.0, 0.0, 100.0)


def summarise_choice(counts: Mapping[str, float], respondents: float) -> ChoiceSummary:
    """Share of each option among the respondents who answered (may sum past 1)."""
    options: list[ChoiceShare] = []
    for option, count in counts.items():
        if count < 0 or (respondents > 0 and count > respondents * (1 + 1e-9)):
            raise ValueError(f"count {count!r} for {option!r} outside 0..respondents")
        options.append(ChoiceShare(option, count, wilson(count, respondents)))
    total = sum(counts.values()) / respondents if respondents > 0 else None
    return ChoiceSummary(respondents, tuple(options), total)


def nps(counts: Mapping[int, float]) -> NpsResult:
    """Net promoter score of a 0-10 item with its 95 % interval, clipped to +-100."""
    for code, count in counts.items():
        if code not in NPS_CODES:
            raise ValueError(f"unknown 0-10 code {code!r}")
        if count < 0:
            raise ValueError(f"negative count for code {code!r}")
    n = float(sum(counts.values()))
    if not n > 0:
        return NpsResult(n, None, None, None, None, None, None, None)
    promoters = sum(c for code, c in counts.items() if code >= 9) / n
    passives = sum(c for code, c in counts.items() if 7 <= code <= 8) / n
    detractors = sum(c for code, c in counts.items() if code <= 6) / n
    net = promoters - detractors
    variance = max(0.0, promoters + detractors - net * net) / n
    se = 100.0 * math.sqrt(variance)
    score = 100.0 * net
    return NpsResult(
        n,
        promoters,
        passives,
        detractors,
        score,
        se,
        _clamp(score - Z95 * se, -100.0, 100.0),
        _clamp(score + Z95 * se, -100.0, 100.0),
    )


# --------------------------------------------------------------------------- #
# Composite index M2 and its bootstrap interval
# --------------------------------------------------------------------------- #


def composite_index(
    factor_props: Sequence[Proportion], min_n: float = MIN_N
) -> CompositeIndex:
    """M2: mean of the factor top-two-box estimates, dropping factors below min_n."""
    used = tuple(
        i
        for i, prop in enumerate(factor_props)
        if prop.estimate is not None and prop.n >= min_n
    )
    dropped = tuple(i for i in range(len(factor_props)) if i not in used)
    if not used:
        return CompositeIndex(None, used, dropped)
    estimates = [factor_props[i].estimate for i in used]
    return CompositeIndex(
        sum(e for e in estimates if e is not None) / len(used), used, dropped
    )


def bootstrap_composite_interval(
    respondent_rows: Sequence[Sequence[int | None]],
    b: int = BOOTSTRAP_DRAWS,
    seed: int = 0,
    min_n: int = MIN_N,
    level: float = 0.95,
    counts: Sequence[int] | None = None,
) -> tuple[float, float] | None:
    """Percentile bootstrap interval of M2 over respondents; None if undefined.

    Each row holds one value per factor: 1 (top-two), 0 (not) or None (no valid
    answer). Factors with fewer than ``min_n`` valid answers in the full sample
    are left out of every resample, as in ``composite_index``.

    Respondents with the same answer pattern are interchangeable, so a resample
    of all n respondents is one multinomial draw over the (at most 3^5)
    patterns: the cost does not grow with n. ``counts``, if given, says how many
    respondents share each row; the result is the same as for the rows
    repeated that many times.
    """
    weights = [1] * len(respondent_rows) if counts is None else list(counts)
    if len(weights) != len(respondent_rows) or any(c < 0 for c in weights):
        raise ValueError("counts must be one non-negative count per row")
    patterns: dict[tuple[int | None, ...], int] = {}
    for row, weight in zip(respondent_rows, weights, strict=True):
        if weight:
            key = tuple(row)
            patterns[key] = patterns.get(key, 0) + weight
    rows_n = sum(patterns.values())
    if rows_n == 0 or b <= 0:
        return None
    factors_n = max(len(row) for row in patterns)
    keys = sorted(patterns, key=lambda p: tuple(-1 if v is None else v for v in p))
    valid = np.zeros((len(keys), factors_n))
    top = np.zeros((len(keys), factors_n))
    for i, key in enumerate(keys):
        for k, value in enumerate(key):
            if value is not None:
                valid[i, k] = 1.0
                top[i, k] = 1.0 if value else 0.0
    sizes = np.array([patterns[key] for key in keys], dtype=np.int64)
    kept = [k for k in range(factors_n) if sizes @ valid[:, k] >= max(min_n, 1)]
    if not kept:
        return None
    rng = np.random.default_rng(seed)
    draws = rng.multinomial(rows_n, sizes / rows_n, size=b)  # b x patterns
    answered = draws @ valid[:, kept]
    satisfied = draws @ top[:, kept]
    # A factor nobody in a resample answered is left out of that resample.
    shares = np.where(answered > 0, satisfied / np.maximum(answered, 1), np.nan)
    usable = ~np.isnan(shares).all(axis=1)
    results = sorted(np.nanmean(shares[usable], axis=1).tolist())
    if not results:
        return None
    tail = (1.0 - level) / 2
    low = _quantile_of_sorted(results, tail)
    high = _quantile_of_sorted(results, 1.0 - tail)
    return _clamp(low), _clamp(high)


def composite_from_rows(
    respondent_rows: Sequence[Sequence[int | None]],
    b: int = BOOTSTRAP_DRAWS,
    seed: int = 0,
    min_n: int = MIN_N,
) -> CompositeIndex:
    """M2 with its bootstrap interval, from per-respondent factor values."""
    factors_n = max((len(row) for row in respondent_rows), default=0)
    props = []
    for k in range(factors_n):
        values = [row[k] for row in respondent_rows if k < len(row)]
        answered = [v for v in values if v is not None]
        props.append(wilson(sum(1 for v in answered if v), len(answered)))
    index = composite_index(props, min_n)
    interval = bootstrap_composite_interval(respondent_rows, b, seed, min_n)
    if index.estimate is None or interval is None:
        return index
    return CompositeIndex(index.estimate, index.used, index.dropped, *interval)


# --------------------------------------------------------------------------- #
# Suppression and display (section 4)
# --------------------------------------------------------------------------- #


def suppress(
    n_eff: float | None, min_n: float = MIN_N, caution_n: float = CAUTION_N
) -> Display:
    """Display level for a figure: "suppressed" (< 10), "caution" (< 30) or "ok"."""
    if n_eff is None or not n_eff >= min_n:
        return "suppressed"
    if n_eff < caution_n:
        return "caution"
    return "ok"


def rankable(
    n_eff: float | None,
    half_width: float | None,
    min_n: float = RANKING_N,
    max_half_width: float = RANKING_HALF_WIDTH,
) -> bool:
    """True when a figure may be ranked: n_eff >= 100 and half-width <= 0.07."""
    if n_eff is None or half_width is None:
        return False
    return n_eff >= min_n and half_width <= max_half_width + 1e-12


def display_share(
    prop: Proportion,
    min_n: float = MIN_N,
    caution_n: float = CAUTION_N,
    cap: float = CAPPED_SHARE,
) -> ShareDisplay:
    """How a share may be shown: suppressed, capped, or its value.

    With 10 to 29 answers a share above 95 % is shown as "> 95 %" and one
    below 5 % as "< 5 %" (the value is then ``cap`` or ``1 - cap``).
    """
    level = suppress(prop.n, min_n, caution_n)
    if level == "suppressed" or prop.estimate is None:
        return ShareDisplay("suppressed", None, False)
    if level == "caution" and prop.estimate > cap:
        return ShareDisplay("capped", cap, True)
    floor = round(1.0 - cap, 12)  # 0.05, not 0.050000000000000044
    if level == "caution" and prop.estimate < floor:
        return ShareDisplay("capped", floor, True)
    return ShareDisplay("value", prop.estimate, level == "caution")


def complementary_suppression(
    parent_n: float, child_ns: Mapping[str, float], min_n: float = MIN_N
) -> set[str]:
    """Children to hide: those below min_n, and the smallest other if only one is.

    The extra child is hidden only when the parent total is shown (parent_n >=
    min_n), since otherwise nothing can be derived by subtraction; ties go to
    the first key in sorted order.
    """
    hidden = {key for key, n in child_ns.items() if not n >= min_n}
    if len(hidden) == 1 and parent_n >= min_n:
        others = sorted((n, key) for key, n in child_ns.items() if key not in hidden)
        if others:
            hidden.add(others[0][1])
    return hidden


def reliability_grade(
    n_eff: float | None, invited: bool = True, flag: FlagLevel = "none"
) -> Grade:
    """M10: "A", "B", "C", or "-" when suppressed (n_eff < 10)."""
    if n_eff is None or not n_eff >= MIN_N:
        return "-"
    if n_eff < CAUTION_N or flag == "red":
        return "C"
    if n_eff < RANKING_N or flag == "amber" or not invited:
        return "B"
    return "A"


# --------------------------------------------------------------------------- #
# Comparing units (section 5)
# --------------------------------------------------------------------------- #


def standardised_rate(
    unit_groups: Mapping[str, tuple[float, float]],
    city_group_rates: Mapping[str, float],
    city_rate: float,
) -> StandardisedRate:
    """M5: observed / expected from the city's procedure-group rates, x city rate.

    ``unit_groups`` maps procedure group to (successes, n) for the unit; a group
    with no city rate is expected at the city rate.
    """
    observed = sum(x for x, _ in unit_groups.values())
    expected = sum(
        n * city_group_rates.get(group, city_rate)
        for group, (_, n) in unit_groups.items()
    )
    if not expected > 0:
        return StandardisedRate(observed, expected, None, None)
    ratio = observed / expected
    return StandardisedRate(observed, expected, ratio, _clamp(ratio * city_rate))


def funnel_limits(
    p0: float, n: float, z: float = Z95, phi: float = 1.0
) -> tuple[float, float]:
    """Funnel-plot limits around p0 at n: normal for n >= 30, exact binomial below.

    Exact limits are binomial quantiles at the tail probability of z, divided
    by n (rounded); they are widened to contain p0. With overdispersion
    (phi > 1) the limits are p0 +- z sqrt(phi p0 (1 - p0) / n), and below
    n = 30 never narrower than the exact ones.
    """
    if not n > 0:
        return 0.0, 1.0
    p0 = _clamp(p0)
    half = z * math.sqrt(max(phi, 1.0) * p0 * (1.0 - p0) / n)
    low, high = _clamp(p0 - half), _clamp(p0 + half)
    trials = round(n)
    if n >= EXACT_FUNNEL_N or trials < 1:
        return low, high
    tail = normal_upper_tail(z)
    exact_low = _binomial_quantile(tail, trials, p0) / trials
    exact_high = _binomial_quantile(1.0 - tail, trials, p0) / trials
    if phi > 1.0:
        exact_low, exact_high = min(exact_low, low), max(exact_high, high)
    return min(exact_low, p0), max(exact_high, p0)


def overdispersion_phi(units: Sequence[tuple[float, float]], p0: float) -> float:
    """Spiegelhalter's phi from winsorised z-scores; 1.0 when not overdispersed."""
    if not 0.0 < p0 < 1.0:
        return 1.0
    z_scores = sorted(
        (x / n - p0) / math.sqrt(p0 * (1.0 - p0) / n) for x, n in units if n > 0
    )
    count = len(z_scores)
    if count < 2:
        return 1.0
    floor_z = _quantile_of_sorted(z_scores, 0.10)
    ceiling_z = _quantile_of_sorted(z_scores, 0.90)
    phi = sum(_clamp(z, floor_z, ceiling_z) ** 2 for z in z_scores) / count
    if count * phi > chi2_quantile_95(count - 1):
        return phi
    return 1.0


def classify_unit(
    x: float, n: float, p0: float, phi: float = 1.0, z: float = Z95
) -> Band:
    """Funnel band of a unit: "above", "expected" or "below" the limits at z."""
    if not n > 0:
        return "expected"
    low, high = funnel_limits(p0, n, z, phi)
    share = x / n
    if share > high:
        return "above"
    if share < low:
        return "below"
    return "expected"


def fit_beta_prior(units: Sequence[tuple[float, float]]) -> tuple[float, float] | None:
    """Beta(alpha, beta) prior by the method of moments; None if no spread.

    mu = sum x / sum n; tau^2 = sample variance (I - 1) of the unit shares minus
    the mean of mu (1 - mu) / n; alpha + beta = mu (1 - mu) / tau^2 - 1.
    """
    usable = [(x, n) for x, n in units if n > 0]
    if len(usable) < 2:
        return None
    mu = sum(x for x, _ in usable) / sum(n for _, n in usable)
    if not 0.0 < mu < 1.0:
        return None
    between = statistics.variance([x / n for x, n in usable])
    sampling = sum(mu * (1.0 - mu) / n for _, n in usable) / len(usable)
    tau2 = between - sampling
    if not tau2 > 0:
        return None
    strength = mu * (1.0 - mu) / tau2 - 1.0
    if not strength > 0:
        return None
    return mu * strength, (1.0 - mu) * strength


def shrink(x: float, n: float, alpha: float, beta: float) -> Proportion:
    """M6: posterior mean (x + alpha) / (n + alpha + beta) with a 95 % interval."""
    a = x + alpha
    b = max(n - x, 0.0) + beta
    if not (a > 0 and b > 0):
        return Proportion(x, n, None, None, None)
    mean = a / (a + b)
    # a very skewed posterior can put its mean beyond a tail quantile
    low = min(beta_quantile(0.025, a, b), mean)
    high = max(beta_quantile(0.975, a, b), mean)
    return Proportion(x, n, mean, low, high)


def posterior_rank_intervals(
    units: Mapping[str, tuple[float, float]],
    alpha: float,
    beta: float,
    draws: int = 10_000,
    seed: int = 0,
) -> dict[str, RankInterval]:
    """Median rank (1 = highest) and 95 % interval from draws of the posteriors."""
    keys = sorted(units)
    if not keys or draws <= 0:
        return {}
    rng = random.Random(seed)
    shapes = [
        (units[k][0] + alpha, max(units[k][1] - units[k][0], 0.0) + beta) for k in keys
    ]
    ranks: list[list[int]] = [[] for _ in keys]
    for _ in range(draws):
        thetas = [rng.betavariate(a, b) for a, b in shapes]
        order = sorted(range(len(keys)), key=lambda i: (-thetas[i], i))
        for rank, i in enumerate(order, start=1):
            ranks[i].append(rank)
    result: dict[str, RankInterval] = {}
    for key, unit_ranks in zip(keys, ranks, strict=True):
        unit_ranks.sort()
        low = unit_ranks[max(0, math.ceil(0.025 * draws) - 1)]
        high = unit_ranks[max(0, math.ceil(0.975 * draws) - 1)]
        result[key] = RankInterval(statistics.median(unit_ranks), low, high)
    return result


# --------------------------------------------------------------------------- #
# Trends (section 6)
# --------------------------------------------------------------------------- #


def newcombe_difference(p1: Proportion, p2: Proportion) -> Difference:
    """p1 - p2 with Newcombe's hybrid Wilson interval; real when it excludes 0."""
    if (
        p1.estimate is None
        or p1.low is None
        or p1.high is None
        or p2.estimate is None
        or p2.low is None
        or p2.high is None
    ):
        return Difference(None, None, None, False)
    d = p1.estimate - p2.estimate
    low = d - math.hypot(p1.estimate - p1.low, p2.high - p2.estimate)
    high = d + math.hypot(p1.high - p1.estimate, p2.estimate - p2.low)
    low, high = _clamp(low, -1.0, 1.0), _clamp(high, -1.0, 1.0)
    return Difference(d, low, high, low > 0 or high < 0)


def p_chart_limits(p_bar: float, n: float, sigmas: float = 3.0) -> tuple[float, float]:
    """p-chart control limits p_bar +- 3 sqrt(p_bar (1 - p_bar) / n), in [0, 1]."""
    if not n > 0:
        return 0.0, 1.0
    p_bar = _clamp(p_bar)
    half = sigmas * math.sqrt(p_bar * (1.0 - p_bar) / n)
    return _clamp(p_bar - half), _clamp(p_bar + half)


def p_chart_signals(
    points: Sequence[tuple[float, float]], p_bar: float, run_length: int = 8
) -> tuple[PChartPoint, ...]:
    """Mark (successes, n) periods outside the limits or in a run on one side."""
    shares = [x / n if n > 0 else None for x, n in points]
    sides = [0 if s is None or s == p_bar else (1 if s > p_bar else -1) for s in shares]
    in_run = [False] * len(points)
    start = 0
    for i in range(1, len(points) + 1):
        if i == len(points) or sides[i] != sides[start]:
            if sides[start] != 0 and i - start >= run_length:
                for j in range(start, i):
                    in_run[j] = True
            start = i
    result = []
    for i, ((_, n), share) in enumerate(zip(points, shares, strict=True)):
        low, high = p_chart_limits(p_bar, n)
        outside: Literal["above", "below"] | None = None
        if share is not None and share > high:
            outside = "above"
        elif share is not None and share < low:
            outside = "below"
        result.append(PChartPoint(share, low, high, outside, in_run[i]))
    return tuple(result)


# --------------------------------------------------------------------------- #
# Sample size (section 3)
# --------------------------------------------------------------------------- #


def margin_of_error(
    p: float, n: float, population: float | None = None, z: float = Z95
) -> float | None:
    """Half-width z sqrt(p(1-p)/n), with the finite-population correction for N."""
    if not n > 0:
        return None
    p = _clamp(p)
    moe = z * math.sqrt(p * (1.0 - p) / n)
    if population is not None:
        if n >= population or population <= 1:
            return 0.0
        moe *= math.sqrt((population - n) / (population - 1))
    return moe


def sample_size(
    moe: float, p: float = 0.85, population: float | None = None, z: float = Z95
) -> int | None:
    """Respondents needed for a margin of error, rounded up; None if moe <= 0."""
    if not moe > 0:
        return None if population is None else math.ceil(population)
    p = _clamp(p)
    n0 = z * z * p * (1.0 - p) / (moe * moe)
    n = n0 if population is None else n0 / (1.0 + (n0 - 1.0) / population)
    return max(1, math.ceil(n - 1e-9))


# --------------------------------------------------------------------------- #
# Weighting (section 7)
# --------------------------------------------------------------------------- #


def post_stratification_weights(
    sample_counts: Mapping[str, int],
    population: Mapping[str, float],
    min_cell_n: int = MIN_CELL_N,
) -> dict[str, float]:
    """w = N_h / n_h per cell, small cells merged with a neighbour in key order.

    Cells (the keys of both mappings) are sorted by key. While some group has
    fewer than ``min_cell_n`` respondents, or respondents but no population
    (which would weight them to nothing), the first such group in that order
    is merged with the next group (the previous one if it is last); a merged
    group's weight is its summed N over its summed n. Returns a weight for each
    key of ``sample_counts``; an empty dict when there are no respondents.
    """
    if any(count < 0 for count in sample_counts.values()):
        raise ValueError("negative sample count")
    keys = sorted(set(sample_counts) | set(population))
    if sum(sample_counts.values()) <= 0:
        return {}
    groups = [[key] for key in keys]

    def respondents(group: list[str]) -> int:
        return sum(sample_counts.get(key, 0) for key in group)

    def unweightable(group: list[str]) -> bool:
        if respondents(group) < min_cell_n:
            return True
        return not sum(population.get(key, 0.0) for key in group) > 0

    while len(groups) > 1:
        small = next((i for i, group in enumerate(groups) if unweightable(group)), None)
        if small is None:
            break
        first = small if small + 1 < len(groups) else small - 1
        groups[first : first + 2] = [groups[first] + groups[first + 1]]
    weights: dict[str, float] = {}
    for group in groups:
        weight = sum(population.get(key, 0.0) for key in group) / respondents(group)
        for key in group:
            weights[key] = weight
    return {key: weights[key] for key in sample_counts}


def rake(
    rows: Sequence[Mapping[str, str]],
    margins: Mapping[str, Mapping[str, float]],
    max_rounds: int = 100,
    tol: float = 1e-6,
    base_weights: Sequence[float] | None = None,
) -> list[float]:
    """Iterative proportional fitting of row weights to every margin's totals.

    ``margins`` maps a variable to its category totals (all margins should have
    the same total). Rounds stop when every reachable category total is within
    ``tol`` times its margin's total. A row whose category is missing from a
    margin is not adjusted for that margin; a category with no rows is ignored.
    """
    weights = [1.0] * len(rows) if base_weights is None else list(base_weights)
    plan: list[tuple[float, list[tuple[float, list[int]]]]] = []
    for variable in sorted(margins):
        targets = margins[variable]
        members: dict[str, list[int]] = {category: [] for category in targets}
        for i, row in enumerate(rows):
            category = row.get(variable)
            if category is not None and category in members:
                members[category].append(i)
        cells = [
            (float(targets[category]), idx) for category, idx in members.items() if idx
        ]
        plan.append((float(sum(targets.values())), cells))
    for _ in range(max_rounds):
        for _total, cells in plan:
            for target, idx in cells:
                current = sum(weights[i] for i in idx)
                if current > 0:
                    factor = target / current
                    for i in idx:
                        weights[i] *= factor
        if all(
            abs(sum(weights[i] for i in idx) - target) <= tol * max(total, 1e-300)
            for total, cells in plan
            for target, idx in cells
        ):
            break
    return weights


def trim_weights(
    weights: Sequence[float], low: float = 0.3, high: float = 3.0
) -> list[float]:
    """Clip weights to [low, high] x their mean (re-rake afterwards: rake_and_trim)."""
    if not weights:
        return []
    mean = sum(weights) / len(weights)
    return [_clamp(w, low * mean, high * mean) for w in weights]


def rake_and_trim(
    rows: Sequence[Mapping[str, str]],
    margins: Mapping[str, Mapping[str, float]],
    low: float = 0.3,
    high: float = 3.0,
    max_trim_rounds: int = 5,
) -> list[float]:
    """Rake, then trim to [low, high] x the mean and re-rake, at most 5 rounds."""
    weights = rake(rows, margins)
    for _ in range(max_trim_rounds):
        if not weights:
            break
        mean = sum(weights) / len(weights)
        if all(low * mean - 1e-12 <= w <= high * mean + 1e-12 for w in weights):
            break
        weights = rake(rows, margins, base_weights=trim_weights(weights, low, high))
    return weights


def design_effect(weights: Sequence[float]) -> float | None:
    """Kish's design effect of weighting, 1 + CV^2 (= n / n_eff); None if undefined."""
    total = sum(weights)
    if not weights or not total > 0:
        return None
    return len(weights) * sum(w * w for w in weights) / (total * total)
