"""The cell-key method: small, stable noise on every count that is published.

Every response carries a random *record key*, a whole number drawn uniformly
from ``[0, KEY_MODULUS)`` when it is stored. A published count is a count of
a set of records (answers or responses); its *cell key* is the sum of their
record keys modulo ``KEY_MODULUS``. The key is a function of the set alone,
however the set was reached: the same cell gets the same key on every page,
export and the open-data page, and two cells that differ by even one record
get keys that are independent and uniform. The tallies keep the sum of the
keys of each tally cell, so the key of any slice is a sum of sums.

From the cell key and what is counted (a code, an option, "responses"), a
pseudo-random number ``u`` in [0, 1) is drawn (a hash: different measures of
one set get independent draws), and the *perturbation table* maps
(count, u) to a noise in ``[-D, D]``: zero stays zero, no count becomes
negative, and the noise of every count has mean exactly zero. A difference
of two published counts is then the true difference plus the difference of
two noises, never the true count with certainty except by an improbable
coincidence of two extreme draws.

Pure logic only (no database): ``survey.services.reporting.publishing`` applies it.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Collection, Hashable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from typing import TypeVar

KEY_BITS = 30
KEY_MODULUS = 1 << KEY_BITS
MAX_NOISE = 4  # D: no published count moves by more than this per cell
# The base row of the table: probability of each noise -D..D for counts
# large enough not to be bounded below by zero. Symmetric: mean zero. Most
# of the mass within +-2, thin tails out to +-D: an attacker who knows the
# table must allow +-D, and can be sure of a hidden count only when two
# draws fall in opposite tails (about 1 in a million per difference).
BASE_ROW: tuple[Fraction, ...] = (
    Fraction(1, 1000),
    Fraction(10, 1000),
    Fraction(70, 1000),
    Fraction(220, 1000),
    Fraction(398, 1000),
    Fraction(220, 1000),
    Fraction(70, 1000),
    Fraction(10, 1000),
    Fraction(1, 1000),
)
assert len(BASE_ROW) == 2 * MAX_NOISE + 1 and sum(BASE_ROW) == 1

K = TypeVar("K", bound=Hashable)

_source: random.Random = random.SystemRandom()


def new_record_key() -> int:
    """A fresh record key: uniform on [0, KEY_MODULUS), from the OS's entropy."""
    return _source.randrange(KEY_MODULUS)


def cell_key(key_sum: int) -> int:
    """The key of a cell from the sum of its records' keys (any size)."""
    return key_sum % KEY_MODULUS


def draw(key_sum: int, measure: object) -> float:
    """A uniform number in [0, 1) for ``measure`` of the cell with ``key_sum``.

    A hash of the cell key and the measure: the same cell and measure always
    give the same draw; different measures of a cell give independent ones.
    """
    digest = hashlib.blake2b(
        f"{cell_key(key_sum)}|{measure!r}".encode(), digest_size=8
    ).digest()
    return int.from_bytes(digest, "big") / float(1 << 64)


@dataclass(frozen=True)
class Row:
    """One row of the perturbation table: noises and their probabilities."""

    noises: tuple[int, ...]
    probabilities: tuple[Fraction, ...]

    @property
    def mean(self) -> Fraction:
        return sum(
            (p * e for e, p in zip(self.noises, self.probabilities, strict=True)),
            Fraction(0),
        )

    @property
    def variance(self) -> Fraction:
        return sum(
            (p * e * e for e, p in zip(self.noises, self.probabilities, strict=True)),
            Fraction(0),
        )


def table_row(count: int) -> Row:
    """The perturbation table's row for a true ``count`` (>= 0).

    0 keeps 0. A count c below D is moved by at most c either way (the base
    row cut symmetrically and renormalised), so it never goes negative and
    its noise still has mean zero; larger counts take the base row.
    """
    if count <= 0:
        return Row((0,), (Fraction(1),))
    reach = min(count, MAX_NOISE)
    kept = BASE_ROW[MAX_NOISE - reach : MAX_NOISE + reach + 1]
    total = sum(kept)
    return Row(tuple(range(-reach, reach + 1)), tuple(p / total for p in kept))


def noise(count: int, u: float) -> int:
    """The noise of ``count`` for the draw ``u`` in [0, 1) (inverse CDF)."""
    noises, cumulative = _cumulative(min(max(count, 0), MAX_NOISE), BASE_ROW)
    for e, limit in zip(noises, cumulative, strict=True):
        if u < limit:
            return e
    return noises[-1]


@lru_cache(maxsize=64)
def _cumulative(
    reach: int, base: tuple[Fraction, ...]
) -> tuple[tuple[int, ...], tuple[float, ...]]:
    """A row's noises and cumulative probabilities (as floats), per reach;
    keyed by the base row too, so that a replaced table is not stale."""
    del base  # table_row reads it
    row = table_row(reach)
    sums, total = [], Fraction(0)
    for p in row.probabilities:
        total += p
        sums.append(float(total))
    return row.noises, tuple(sums)


NOISE_VARIANCE = float(table_row(MAX_NOISE).variance)  # of a count >= D


def perturb_count(
    count: int, key_sum: int, measure: object, min_n: int | None = None
) -> int:
    """``count`` plus its noise; with ``min_n``, on the same side of it.

    A count of at least ``min_n`` is published as at least ``min_n``, a
    smaller one as at most ``min_n - 1``: whether a figure is shown depends
    on its true count only (that much is public anyway).
    """
    perturbed = count + noise(count, draw(key_sum, measure))
    if min_n is not None and count > 0:
        if count >= min_n:
            perturbed = max(perturbed, min_n)
        else:
            perturbed = min(perturbed, min_n - 1)
    return max(perturbed, 0)


def perturb_codes(
    counts: Mapping[K, int],
    key_sum: int,
    valid: Collection[K] | None = None,
    min_n: int | None = None,
) -> dict[K, int]:
    """Each count of a distribution (codes, options, patterns) perturbed.

    Every count gets the noise of its own draw (measure: its code). With
    ``min_n``, the total over the ``valid`` codes (all of them when None) is
    kept on the same side of ``min_n`` as the true total: a shortfall is
    added to the largest valid count, an excess taken from the largest ones.
    """
    out = {
        code: perturb_count(c, key_sum, ("code", code))
        for code, c in counts.items()
        if c > 0
    }
    if min_n is None:
        return out
    counted = [code for code in out if valid is None or code in valid]
    true_n = sum(c for code, c in counts.items() if valid is None or code in valid)
    shown_n = sum(out[code] for code in counted)
    if not counted or true_n <= 0:
        return out

    def largest() -> K:
        return max(counted, key=lambda code: (out[code], repr(code)))

    if true_n >= min_n and shown_n < min_n:
        out[largest()] += min_n - shown_n
    while true_n < min_n and shown_n >= min_n:
        top = largest()
        step = min(out[top], shown_n - (min_n - 1))
        out[top] -= step
        shown_n -= step
    return out


def possible_counts(published: int) -> tuple[int, int]:
    """The true counts the table can publish as ``published`` (least, most).

    What an attacker who knows the table can say from one published count
    (before the minimum-n rule of ``perturb_codes`` adds to one of them).
    """
    possible = [
        c
        for c in range(max(0, published - MAX_NOISE), published + MAX_NOISE + 1)
        if published - c in table_row(c).noises
    ]
    return min(possible), max(possible)


def perturbed_variance(cells: int) -> float:
    """Variance the noise adds to a sum of ``cells`` published counts."""
    return cells * NOISE_VARIANCE


def effective_n(
    successes: float, n: float, success_cells: int, other_cells: int
) -> float:
    """The sample size whose binomial variance equals the share's total one.

    A share p = s / n whose s sums ``success_cells`` perturbed counts and
    whose n - s sums ``other_cells``: to first order the noise adds
    ((1 - p)^2 var(s) + p^2 var(n - s)) / n^2 to the sampling variance
    p (1 - p) / n. An interval computed at this n (never more than n) is
    honest about both; for p = 0 or 1, one perturbed count is assumed.
    """
    if not n > 0:
        return 0.0
    p = min(max(successes / n, 0.0), 1.0)
    sampling = max(p * (1 - p), 0.25 / n) / n  # p = 0 or 1: still some variance
    added = (
        (1 - p) ** 2 * perturbed_variance(success_cells)
        + p**2 * perturbed_variance(other_cells)
    ) / (n * n)
    return n * sampling / (sampling + added)
