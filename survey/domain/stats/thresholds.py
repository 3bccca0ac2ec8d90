"""The method's thresholds (METHODOLOGY.md sections 3 to 7) and the labels a
figure carries; the method page shows them.
"""

from __future__ import annotations

from typing import Literal, TypeAlias

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
