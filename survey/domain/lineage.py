"""Reform lineage: which share of which former units a unit is made of.

A reform links each predecessor to one or more successors with a share (1.0
for a whole unit; a part of a divided one, e.g. by area). Before the reform a
successor did not exist; its figure for such a period is reconstructed from
its predecessors' respondents, each weighted by the share of its unit that
went to the successor:

    p = sum(s_i * x_i) / sum(s_i * n_i)

and its precision is that of the share-weighted number of respondents

    n = sum(s_i * n_i)

(the respondents expected to have come from the successor's part of each
former unit). That equals the respondents used when every predecessor came
whole, and is smaller than them when one was divided, so the interval of an
estimated figure is wider than the respondents behind it would give: the
allocation is an assumption (a divided unit's satisfaction spread evenly over
its parts), and the interval does not pretend to more than the share.
The successors' reconstructed counts of one predecessor add up to its own
counts exactly when its shares add up to one, so a total never double counts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

SHARE_TOLERANCE = 0.001


@dataclass(frozen=True)
class Link:
    predecessor: str
    successor: str
    share: float


@dataclass(frozen=True)
class Counts:
    successes: float
    n: float


@dataclass(frozen=True)
class Reconstructed:
    """A period's figure of a successor made from its predecessors."""

    successes: float  # share-weighted
    n: float  # share-weighted respondents: the size the interval is built on
    respondents: int  # the people behind it
    estimated: bool  # some predecessor contributed only a part


def link_problems(links: Iterable[Link]) -> list[str]:
    """What makes a set of links unusable: bad shares, self links, sums over one."""
    problems: list[str] = []
    totals: dict[str, float] = {}
    seen: set[tuple[str, str]] = set()
    for link in links:
        if link.predecessor == link.successor:
            problems.append(f"{link.predecessor}: a unit cannot succeed itself")
        if not 0 < link.share <= 1:
            problems.append(
                f"{link.predecessor} -> {link.successor}: share must be in (0, 1]"
            )
        if (link.predecessor, link.successor) in seen:
            problems.append(f"{link.predecessor} -> {link.successor}: given twice")
        seen.add((link.predecessor, link.successor))
        totals[link.predecessor] = totals.get(link.predecessor, 0.0) + link.share
    for predecessor, total in sorted(totals.items()):
        if abs(total - 1.0) > SHARE_TOLERANCE:
            problems.append(
                f"{predecessor}: shares add up to {total:.3f}, not 1 "
                "(every part of a former unit must go somewhere)"
            )
    return problems


def composition(successor: str, links: Iterable[Link]) -> dict[str, float]:
    """The predecessors of ``successor`` and the share of each it received."""
    parts: dict[str, float] = {}
    for link in links:
        if link.successor == successor:
            parts[link.predecessor] = parts.get(link.predecessor, 0.0) + link.share
    return parts


def reconstruct(
    shares: Mapping[str, float], counts: Mapping[str, Counts]
) -> Reconstructed:
    """One period's figure of a successor from its predecessors' counts."""
    successes = n = 0.0
    respondents = 0
    estimated = False
    for predecessor, share in shares.items():
        part = counts.get(predecessor)
        if part is None or part.n <= 0:
            continue
        successes += share * part.successes
        n += share * part.n
        respondents += round(part.n)
        estimated = estimated or share < 1.0 - SHARE_TOLERANCE
    return Reconstructed(successes, n, respondents, estimated)
