"""An attacker who differences what a role can open, against the cell-key method.

The views: every scope unit a role can open x a set of filters (periods:
everything, each month, every "up to month m" and "from month m"; channel;
respondent group; with or without the hard-flagged), each showing the
scope's M1 figure, its units' rows and its monthly trend. The filters all
select whole *atoms* (unit x month x channel x group x flag), so a cell is a
set of atoms (a bit mask) and the exact counts and key sums of every cell are
sums over atoms, computed here straight from the response rows. What a cell
publishes is computed with the app's own ``survey.domain.disclosure``; the
tests check on a sample of views that the app's counting layer publishes
exactly that.

A cell is *shown* when its true n (answers 1-5) reaches the minimum n and
*protected* when 1 <= n < min n. The attacker is stronger than a real one:
every cell that reaches min n counts as shown (complementary suppression is
ignored), and it knows the perturbation table. For every protected cell it
forms every derivation by

- a difference of two shown cells A - B with B inside A and A - B the cell;
- a parent minus its children: the scope's cell minus every other child's
  cell for the same slice (shown or empty), wherever they are shown;

and intersects what each derivation allows, given that a published count
is its true count plus at most the table's noise (``bounds``). A protected
cell is *recovered* when the intersection leaves exactly one value for its n
or its satisfied count and that value is the true one.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select

from survey.domain import disclosure
from survey.domain import statistics as st
from survey.domain.questions import LIKERT5, OVERALL
from survey.extensions import db
from survey.models import Answer, Question, Response, Survey, Unit
from survey.models.responses import INVITED_CHANNELS
from survey.services.results import LOCAL_OFFSET, ResultFilter, scope_tree

VALID = frozenset(st.LIKERT_CODES)
TOP = frozenset(st.LIKERT_CODES[-2:])


@dataclass
class Cell:
    counts: dict[int, int] = field(default_factory=dict)  # code -> answers
    key: int = 0

    @property
    def n(self) -> int:
        return sum(c for code, c in self.counts.items() if code in VALID)

    @property
    def s(self) -> int:
        return sum(c for code, c in self.counts.items() if code in TOP)


@dataclass(frozen=True)
class Atom:
    unit_id: int
    month: str
    invited: bool
    group: str
    flagged: bool


@dataclass(frozen=True)
class View:
    scope: int  # unit id
    flt: ResultFilter


def month_bounds(month: str) -> tuple[date, date]:
    first = date.fromisoformat(month + "-01")
    last = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    return first, last - timedelta(days=1)


def filters(months: list[str], full: bool = True) -> list[ResultFilter]:
    """The slices tried: periods x channel x group x flagged."""
    periods: list[tuple[date | None, date | None]] = [(None, None)]
    for m in months:
        first, last = month_bounds(m)
        periods += [(first, last), (None, last), (first, None)]
    found = []
    for (start, end), channel, group, flagged in itertools.product(
        periods,
        ("", "invited", "optin"),
        ("", "citizen", "business") if full else ("",),
        (False, True) if full else (False,),
    ):
        found.append(
            ResultFilter(
                date_from=start,
                date_to=end,
                channel=channel,
                group=group,
                include_flagged=flagged,
            )
        )
    return found


def admits(flt: ResultFilter, atom: Atom) -> bool:
    if flt.date_from and atom.month < flt.date_from.strftime("%Y-%m"):
        return False
    if flt.date_to and atom.month > flt.date_to.strftime("%Y-%m"):
        return False
    if flt.channel and atom.invited != (flt.channel == "invited"):
        return False
    if flt.group and atom.group != flt.group:
        return False
    return flt.include_flagged or not atom.flagged


class Data:
    """The survey's overall answers, per atom: counts per code and key sums."""

    def __init__(self, survey: Survey) -> None:
        self.survey = survey
        self.min_n = survey.min_n
        rows = db.session.execute(
            select(
                Response.unit_id,
                Response.submitted_at,
                Response.channel,
                Response.respondent_group,
                Response.hard_flagged,
                Response.record_key,
                Answer.value_int,
            )
            .join(Answer, Answer.response_id == Response.id)
            .join(Question, Question.id == Answer.question_id)
            .where(
                Response.survey_id == survey.id,
                Question.dimension == OVERALL,
                Question.type == LIKERT5,
                Answer.value_int.between(0, 10),
            )
        ).all()
        atoms: dict[Atom, Cell] = defaultdict(Cell)
        for unit_id, at, channel, group, flagged, key, code in rows:
            atom = Atom(
                unit_id,
                (at + LOCAL_OFFSET).strftime("%Y-%m"),
                channel in INVITED_CHANNELS,
                group or "",
                bool(flagged),
            )
            cell = atoms[atom]
            cell.counts[code] = cell.counts.get(code, 0) + 1
            cell.key += key
        self.atoms = list(atoms)
        self.atom_cells = [atoms[a] for a in self.atoms]
        self.months = sorted({a.month for a in self.atoms})
        self.cells: dict[int, Cell] = {}

    def cell(self, mask: int, members: list[int]) -> Cell:
        found = self.cells.get(mask)
        if found is None:
            found = Cell()
            for i in members:
                atom = self.atom_cells[i]
                for code, c in atom.counts.items():
                    found.counts[code] = found.counts.get(code, 0) + c
                found.key += atom.key
            self.cells[mask] = found
        return found


def published(cell: Cell, min_n: int, perturbed: bool) -> tuple[int, int]:
    """(n, satisfied) as the app publishes the cell."""
    counts = (
        disclosure.perturb_codes(cell.counts, cell.key, VALID, min_n)
        if perturbed
        else cell.counts
    )
    n = sum(c for code, c in counts.items() if code in VALID)
    return n, sum(c for code, c in counts.items() if code in TOP)


def bounds(shown_n: int, min_n: int, perturbed: bool) -> tuple[int, int]:
    """How far a published (n, satisfied) can be from the true one."""
    if not perturbed:
        return 0, 0
    d = disclosure.MAX_NOISE
    # Five codes each move by at most D; a shortfall below min n is made up
    # on the largest code (which may be a satisfied one).
    return 5 * d, 2 * d + (5 * d if shown_n == min_n else 0)


@dataclass
class Outcome:
    views: int = 0
    cells_shown: int = 0
    protected: int = 0
    attacked: int = 0  # protected cells with at least one derivation
    derivations: int = 0
    pinned: int = 0  # one value left (right or wrong)
    recovered: list[tuple[int, int, int]] = field(default_factory=list)

    def note(self, role: str) -> str:
        return (
            f"{role}: {self.views} views, {self.cells_shown} shown cells, "
            f"{self.protected} protected cells, {self.attacked} attacked with "
            f"{self.derivations} derivations, {self.pinned} pinned, "
            f"{len(self.recovered)} recovered exactly"
        )


def attack(
    data: Data,
    scopes: list[Unit],
    flts: list[ResultFilter],
    perturbed: bool,
) -> Outcome:
    """Enumerate the views of ``scopes`` x ``flts`` and difference them."""
    min_n = data.min_n
    outcome = Outcome()
    shown: dict[int, tuple[int, int]] = {}
    protected: dict[int, Cell] = {}
    families: list[tuple[int, list[int]]] = []  # parent mask, children masks
    trees = {scope.id: scope_tree(scope) for scope in scopes}

    def see(mask: int, members: list[int]) -> None:
        if not mask:
            return
        cell = data.cell(mask, members)
        if cell.n >= min_n:
            shown.setdefault(mask, published(cell, min_n, perturbed))
        elif cell.n > 0:
            protected.setdefault(mask, cell)

    for flt in flts:
        admitted = [i for i, a in enumerate(data.atoms) if admits(flt, a)]
        by_unit: dict[int, list[int]] = defaultdict(list)
        for i in admitted:
            by_unit[data.atoms[i].unit_id].append(i)
        for scope in scopes:
            outcome.views += 1
            tree = trees[scope.id]
            subtree = [i for u in tree.child_of for i in by_unit.get(u, [])]
            groups: dict[object, list[int]] = {"all": subtree}
            for i in subtree:
                groups.setdefault(("month", data.atoms[i].month), []).append(i)
            for members in groups.values():
                parent = _mask(members)
                see(parent, members)  # the headline, or a trend point
                if not tree.children:
                    continue
                rows: dict[int, list[int]] = defaultdict(list)
                for i in members:
                    rows[tree.child_of[data.atoms[i].unit_id]].append(i)
                parts = []
                for part in rows.values():
                    see(_mask(part), part)  # a unit's row (or its trend point)
                    parts.append(_mask(part))
                families.append((parent, parts))
    outcome.cells_shown = len(shown)
    outcome.protected = len(protected)

    derived: dict[int, list[tuple[int, int, int, int]]] = defaultdict(list)
    # differences of pairs: A - B = P, found through P's rarest atom
    containing: dict[int, list[int]] = defaultdict(list)
    for mask in shown:
        for bit in _bits(mask):
            containing[bit].append(mask)
    for p in protected:
        rarest = min(_bits(p), key=lambda b: len(containing.get(b, ())))
        for a in containing.get(rarest, ()):
            if a & p == p and a != p and (a ^ p) in shown:
                b = a ^ p
                (na, sa), (nb, sb) = shown[a], shown[b]
                bna, bsa = bounds(na, min_n, perturbed)
                bnb, bsb = bounds(nb, min_n, perturbed)
                derived[p].append((na - nb, bna + bnb, sa - sb, bsa + bsb))
    # parent minus children
    for parent, parts in families:
        if parent not in shown:
            continue
        for target in parts:
            if target not in protected:
                continue
            others = [m for m in parts if m and m != target]
            if not all(m in shown for m in others):
                continue
            n, s = shown[parent]
            bn, bs = bounds(n, min_n, perturbed)
            for m in others:
                mn, ms = shown[m]
                on, os_ = bounds(mn, min_n, perturbed)
                n, s, bn, bs = n - mn, s - ms, bn + on, bs + os_
            derived[target].append((n, bn, s, bs))

    for p, found in derived.items():
        cell = protected[p]
        outcome.attacked += 1
        outcome.derivations += len(found)
        low_n, high_n, low_s, high_s = 1, min_n - 1, 0, min_n - 1
        for dn, bn, ds, bs in found:
            low_n, high_n = max(low_n, dn - bn), min(high_n, dn + bn)
            low_s, high_s = max(low_s, ds - bs), min(high_s, ds + bs)
        high_s = min(high_s, high_n)
        pinned_n = low_n == high_n
        pinned_s = low_s == high_s
        if pinned_n or pinned_s:
            outcome.pinned += 1
        if (pinned_n and low_n == cell.n) or (pinned_s and low_s == cell.s):
            outcome.recovered.append((p, cell.n, cell.s))
    return outcome


def _mask(members: list[int]) -> int:
    mask = 0
    for i in members:
        mask |= 1 << i
    return mask


def _bits(mask: int) -> list[int]:
    found = []
    while mask:
        low = mask & -mask
        found.append(low.bit_length() - 1)
        mask ^= low
    return found
