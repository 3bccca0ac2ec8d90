"""What a figure may show: suppression, capping, ranking, the reliability grade
(METHODOLOGY.md section 4).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from survey.domain.stats.proportions import Proportion
from survey.domain.stats.thresholds import (
    CAPPED_SHARE,
    CAUTION_N,
    MIN_N,
    RANKING_HALF_WIDTH,
    RANKING_N,
    Display,
    FlagLevel,
    Grade,
)


@dataclass(frozen=True)
class ShareDisplay:
    """What a share may show: nothing, a "> 95 %" or "< 5 %" cap, or its value."""

    kind: Literal["suppressed", "capped", "value"]
    value: float | None  # None: suppressed; CAPPED_SHARE or 1 - it: capped
    caution: bool  # 10 <= n_eff < 30: show the caution label


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
