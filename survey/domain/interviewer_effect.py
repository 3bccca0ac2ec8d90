"""The interviewer effect and the back-check sample of phone interviews.

The intra-interviewer correlation (rho_int) of the overall item is the share
of its variance that lies between interviewers: with interviews assigned to
interviewers at random (the wave's own draw, never by unit), a large share
means the interviewers, not the respondents, shape the answers. It is
estimated by the one-way ANOVA estimator for unequal group sizes:

    MSB = sum n_i (mean_i - mean)^2 / (k - 1)
    MSW = sum (y_ij - mean_i)^2 / (N - k)
    n0  = (N - sum n_i^2 / N) / (k - 1)
    rho = (MSB - MSW) / (MSB + (n0 - 1) MSW)

and judged by a permutation test: the answers shuffled between interviewers
(seeded, so the page is the same on every visit). It is flagged when
rho > ICC_THRESHOLD and the permutation p-value < P_THRESHOLD.

The back-check sample (in the spirit of the World Bank's RISSK): for each
interviewer, BACKCHECK_SHARE of their interviews at random (at least one),
plus their riskiest interviews (quality flags, then the shortest) up to as
many again.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

ICC_THRESHOLD = 0.05
P_THRESHOLD = 0.05
PERMUTATIONS = 999
BACKCHECK_SHARE = 0.05


def icc_anova(groups: Sequence[Sequence[float]]) -> float | None:
    """The one-way ANOVA estimate of the ICC; None when it is not defined.

    Groups with no values are ignored; at least two groups and more values
    than groups are needed. The estimate may be negative (truncate to show).
    """
    groups = [g for g in groups if len(g)]
    k = len(groups)
    total = sum(len(g) for g in groups)
    if k < 2 or total <= k:
        return None
    grand = sum(sum(g) for g in groups) / total
    means = [sum(g) / len(g) for g in groups]
    ssb = sum(len(g) * (m - grand) ** 2 for g, m in zip(groups, means, strict=True))
    ssw = sum((y - m) ** 2 for g, m in zip(groups, means, strict=True) for y in g)
    msb = ssb / (k - 1)
    msw = ssw / (total - k)
    n0 = (total - sum(len(g) ** 2 for g in groups) / total) / (k - 1)
    denominator = msb + (n0 - 1) * msw
    if denominator <= 0:
        return None
    return (msb - msw) / denominator


def permutation_p(
    groups: Sequence[Sequence[float]], permutations: int = PERMUTATIONS, seed: int = 0
) -> float | None:
    """How often answers shuffled between the same group sizes give an ICC at
    least as high as the observed one: (1 + hits) / (1 + permutations)."""
    observed = icc_anova(groups)
    if observed is None:
        return None
    sizes = [len(g) for g in groups if len(g)]
    pool = [y for g in groups for y in g]
    rng = random.Random(seed)
    hits = 0
    for _ in range(permutations):
        rng.shuffle(pool)
        shuffled, start = [], 0
        for size in sizes:
            shuffled.append(pool[start : start + size])
            start += size
        value = icc_anova(shuffled)
        if value is not None and value >= observed - 1e-12:
            hits += 1
    return (1 + hits) / (1 + permutations)


@dataclass(frozen=True)
class InterviewerEffect:
    icc: float | None
    p_value: float | None
    interviewers: int
    interviews: int

    @property
    def flagged(self) -> bool:
        return (
            self.icc is not None
            and self.p_value is not None
            and self.icc > ICC_THRESHOLD
            and self.p_value < P_THRESHOLD
        )


def interviewer_effect(
    answers: Mapping[int, Sequence[float]], seed: int = 0
) -> InterviewerEffect:
    """The ICC of the answers grouped by interviewer, with its p-value."""
    groups = [list(answers[key]) for key in sorted(answers)]
    return InterviewerEffect(
        icc=icc_anova(groups),
        p_value=permutation_p(groups, seed=seed),
        interviewers=sum(1 for g in groups if g),
        interviews=sum(len(g) for g in groups),
    )


def leave_one_out(answers: Mapping[int, Sequence[float]]) -> dict[int, float | None]:
    """Per interviewer, the ICC of the others: a drop shows who drives it."""
    return {
        key: icc_anova([list(v) for k, v in sorted(answers.items()) if k != key])
        for key in answers
    }


# --- the back-check sample -------------------------------------------------------


@dataclass(frozen=True)
class Interview:
    """What the sample needs to know of one phone interview."""

    id: int
    interviewer_id: int
    flags: int  # quality flags (hard counts double)
    duration: int | None  # seconds


def random_count(interviews: int, share: float = BACKCHECK_SHARE) -> int:
    """How many of an interviewer's interviews are drawn: ceil(share x n), >= 1."""
    return 0 if interviews <= 0 else max(1, math.ceil(share * interviews))


def backcheck_sample(
    interviews: Sequence[Interview], seed: int, share: float = BACKCHECK_SHARE
) -> dict[int, str]:
    """Interview id -> "random" or "risk": each interviewer's random share,
    then as many of their riskiest (flagged; most flags, shortest first)."""
    rng = random.Random(seed)
    by_interviewer: dict[int, list[Interview]] = {}
    for interview in sorted(interviews, key=lambda i: i.id):
        by_interviewer.setdefault(interview.interviewer_id, []).append(interview)
    chosen: dict[int, str] = {}
    for key in sorted(by_interviewer):
        own = by_interviewer[key]
        count = random_count(len(own), share)
        for interview in rng.sample(own, count):
            chosen[interview.id] = "random"
        risky = sorted(
            (i for i in own if i.flags > 0 and i.id not in chosen),
            key=lambda i: (-i.flags, i.duration if i.duration is not None else 0),
        )
        for interview in risky[:count]:
            chosen[interview.id] = "risk"
    return chosen
