"""Drawing an invitation sample: stratified, oversampled, reproducible, pure.

METHODOLOGY.md sections 0 and 8: the platform, not the unit, chooses who is
asked; every outcome is sampled; rejected and late cases may be oversampled;
one phone is asked at most once.
"""

from __future__ import annotations

import math
import random
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Candidate:
    case_id: int
    stratum: tuple[str, ...]
    boosted: bool  # rejected or late: oversampled
    phone_key: str


def allocate(
    sizes: Mapping[Hashable, int], weights: Mapping[Hashable, float], n: int
) -> dict[Hashable, int]:
    """Split n over strata in proportion to size x weight, never above a size.

    Largest remainders, ties broken by key order (as strings); what a full
    stratum cannot take goes to the others. Returns 0 for every empty stratum.
    """
    keys = sorted(sizes, key=str)
    result = {k: 0 for k in keys}
    remaining = min(n, sum(max(0, sizes[k]) for k in keys))
    while remaining > 0:
        open_keys = [k for k in keys if result[k] < sizes[k]]
        mass = {k: sizes[k] * max(weights.get(k, 1.0), 0.0) for k in open_keys}
        total = sum(mass.values())
        if not total > 0:
            mass = {k: float(sizes[k] - result[k]) for k in open_keys}
            total = sum(mass.values())
        quotas = {k: remaining * mass[k] / total for k in open_keys}
        given = {k: min(math.floor(quotas[k]), sizes[k] - result[k]) for k in open_keys}
        left = remaining - sum(given.values())
        by_remainder = sorted(
            open_keys, key=lambda k: (-(quotas[k] - given[k]), str(k))
        )
        for k in by_remainder:
            if left <= 0:
                break
            if result[k] + given[k] < sizes[k]:
                given[k] += 1
                left -= 1
        for k in open_keys:
            result[k] += given[k]
        placed = sum(given.values())
        if placed == 0:
            break
        remaining -= placed
    return result


def draw_sample(
    candidates: Sequence[Candidate],
    n: int,
    seed: int | str,
    oversample_factor: float = 1.0,
    used_phones: frozenset[str] = frozenset(),
) -> list[int]:
    """Case ids of a random sample of up to n, the same for the same inputs.

    Strata get their share by ``allocate`` (boosted cases count
    ``oversample_factor`` times); within a stratum a simple random sample.
    A phone in ``used_phones`` or already drawn is skipped, and a stratum that
    runs short leaves its places to the others.
    """
    rng = random.Random(str(seed))
    ordered = sorted(candidates, key=lambda c: c.case_id)
    groups: dict[tuple[str, ...], list[Candidate]] = {}
    for candidate in ordered:
        if candidate.phone_key not in used_phones:
            key = (*candidate.stratum, "boosted" if candidate.boosted else "")
            groups.setdefault(key, []).append(candidate)
    for key in sorted(groups):
        rng.shuffle(groups[key])
    sizes: dict[Hashable, int] = {k: len(v) for k, v in groups.items()}
    weights: dict[Hashable, float] = {
        k: oversample_factor if k[-1] == "boosted" else 1.0 for k in groups
    }
    phones = set(used_phones)
    chosen: list[int] = []
    position = {k: 0 for k in groups}
    want = n
    while want > len(chosen):
        quota = allocate(
            {k: sizes[k] - position[k] for k in groups}, weights, want - len(chosen)
        )
        advanced = False
        for key in sorted(groups):
            taken = 0
            pool = groups[key]
            while taken < quota[key] and position[key] < len(pool):
                candidate = pool[position[key]]
                position[key] += 1
                advanced = True
                if candidate.phone_key in phones:
                    continue
                phones.add(candidate.phone_key)
                chosen.append(candidate.case_id)
                taken += 1
        if not advanced:
            break
    return sorted(chosen)
