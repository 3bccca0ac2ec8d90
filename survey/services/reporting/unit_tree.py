"""The unit tree under a scope, and per-unit counts added up per child unit."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from survey.extensions import db
from survey.models import Unit

# --------------------------------------------------------------------------- #
# The unit tree of a scope
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class ScopeTree:
    """A scope unit, its children, and which child each subtree unit is under."""

    scope: Unit
    children: tuple[Unit, ...]
    child_of: Mapping[int, int]  # unit id -> child id (the scope's own id for itself)
    has_children: frozenset[int]  # ids of children that have children themselves


def scope_tree(scope: Unit) -> ScopeTree:
    """One query over the subtree (hundreds of rows at most, never responses)."""
    units = db.session.scalars(
        select(Unit).where(Unit.path.startswith(scope.path)).order_by(Unit.code)
    ).all()
    children = tuple(u for u in units if u.parent_id == scope.id)
    child_of: dict[int, int] = {}
    grandparents: set[int] = set()
    for unit in units:
        rest = unit.path[len(scope.path) :].strip("/")
        if not rest:
            child_of[unit.id] = scope.id
            continue
        segments = rest.split("/")
        child_of[unit.id] = int(segments[0])
        if len(segments) > 1:
            grandparents.add(int(segments[0]))
    return ScopeTree(scope, children, child_of, frozenset(grandparents))


def fold_by_child(
    tree: ScopeTree, per_unit: Mapping[int, Counter[Any]]
) -> dict[int, Counter[Any]]:
    """Add up per-unit counts into per-child counts (key: child id or scope id)."""
    folded: dict[int, Counter[Any]] = defaultdict(Counter)
    for unit_id, counts in per_unit.items():
        child = tree.child_of.get(unit_id)
        if child is not None:
            folded[child].update(counts)
    return dict(folded)


@dataclass(frozen=True)
class UnitTable:
    """A scope's units table: a cell per child unit (key: its id; the scope's
    own id for answers at the scope unit itself) and one for the scope.

    Each cell is published from its own exact count and key sum (the sums of
    its units'), never as a sum of published counts: the scope's cell is the
    same figure as the scope's own headline and as the scope's row on its
    parent's page, and the parent minus the shown children is noise.
    """

    children: dict[int, Any] = field(default_factory=dict)
    total: Any = 0


def folded_counts(
    tree: ScopeTree, per_unit: Mapping[int, tuple[Any, int]], zero: Callable[[], Any]
) -> tuple[dict[int, tuple[Any, int]], tuple[Any, int]]:
    """Exact (counts, key sum) per unit added up per child and for the scope."""
    children: dict[int, list[Any]] = {}
    total: list[Any] = [zero(), 0]
    for unit_id, (counts, key) in per_unit.items():
        child = tree.child_of.get(unit_id)
        if child is None:
            continue
        cell = children.setdefault(child, [zero(), 0])
        cell[0] += counts
        cell[1] += key
        total[0] += counts
        total[1] += key
    return {c: (v[0], v[1]) for c, v in children.items()}, (total[0], total[1])
