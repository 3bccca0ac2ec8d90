"""Shares with their Wilson intervals, five-point items, choice shares, NPS and
sample sizes (METHODOLOGY.md section 3).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from survey.domain.stats.distributions import _clamp, t_quantile_975
from survey.domain.stats.thresholds import LIKERT_CODES, NOT_APPLICABLE, NPS_CODES, Z95


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
