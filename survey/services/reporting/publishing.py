"""Publishing: the cell-key noise, applied where the counts leave the counting modules.

Disclosure control happens here, once (the cell-key method,
``survey.domain.disclosure``): each count comes with the sum of its records'
keys, and the functions the pages read return every count perturbed by the
noise that sum selects. The same cell has the same figure wherever it
appears; no figure is made by adding up perturbed counts of smaller cells,
so that a parent minus its children, or one filter minus another, gives
noise rather than a count. The per-unit functions (``*_by_unit``) are
exact: for the weighting and the tallies' checks, never shown as such.
``SURVEY_CELL_KEY = False`` in the app's config (the exact-arithmetic tests)
turns the noise off.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from flask import current_app

from survey.domain import disclosure
from survey.domain import statistics as st
from survey.domain.questions import LIKERT5, NPS, RATING5

CELL_KEY: bool | None = None  # None: the app's SURVEY_CELL_KEY (default on)


def perturbing() -> bool:
    """Whether the published counts carry the cell-key noise."""
    if CELL_KEY is not None:
        return CELL_KEY
    return bool(current_app.config.get("SURVEY_CELL_KEY", True))


VALID_CODES = {
    LIKERT5: frozenset(st.LIKERT_CODES),
    RATING5: frozenset(st.LIKERT_CODES),
    NPS: frozenset(st.NPS_CODES),
}


def publish_count(count: int, key_sum: int, measure: str, min_n: int | None) -> int:
    """One published count: exact, or with its cell-key noise."""
    if not perturbing():
        return int(count)
    return disclosure.perturb_count(int(count), key_sum, measure, min_n)


def publish_codes(
    counts: Counter[Any], key_sum: int, valid: frozenset[Any] | None, min_n: int | None
) -> Counter[Any]:
    """A published distribution (codes, options, patterns) of one cell."""
    if not perturbing():
        return counts
    return Counter(
        {
            k: v
            for k, v in disclosure.perturb_codes(counts, key_sum, valid, min_n).items()
            if v
        }
    )
