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
is one its table can publish as it (``intervals``). It reads, of
each cell, n, the satisfied and the dissatisfied counts and each code's
count. A protected cell is *recovered* when the intersection leaves exactly
one value for any of them and that value is the true one.
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
from survey.services.reporting.local_time import LOCAL_OFFSET
from survey.services.reporting.result_filter import ResultFilter
from survey.services.reporting.unit_tree import scope_tree

VALID = frozenset(st.LIKERT_CODES)
TOP = frozenset(st.LIKERT_CODES[-2:])
BOTTOM = frozenset(st.LIKERT_CODES[:2])
# What the attacker reads of a cell: n (M1's denominator), the satisfied
# (M1) and dissatisfied (M4) counts, and each code's count (questions page).
QUANTITIES = ("n", "satisfied", "dissatisfied", *(f"c{c}" for c in st.LIKERT_CODES))


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

    @property
    def quantities(self) -> tuple[int, ...]:
        return _quantities(self.counts)


def _quantities(counts: dict[int, int]) -> tuple[int, ...]:
    def total(codes: frozenset[int]) -> int:
        return sum(c for code, c in counts.items() if code in codes)

    return (
        total(VALID),
        total(TOP),
        total(BOTTOM),
        *(counts.get(code, 0) for code in st.LIKERT_CODES),
    )


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

    def __init__(
        self, survey: Survey, dimension: str = OVERALL, question: str | None = None
    ) -> None:
        """The answers of one dimension (the overview's tables and trend) or,
        with ``question``, of one five-point question (the questions page)."""
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
                Question.code == question
                if question
                else Question.dimension == dimension,
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


def published_codes(cell: Cell, min_n: int, perturbed: bool) -> dict[int, int]:
    """The cell's codes as the app publishes them."""
    if not perturbed:
        return dict(cell.counts)
    return disclosure.perturb_codes(cell.counts, cell.key, VALID, min_n)


def published(cell: Cell, min_n: int, perturbed: bool) -> tuple[int, ...]:
    """The ``QUANTITIES`` as the app publishes the cell."""
    return _quantities(published_codes(cell, min_n, perturbed))


Interval = tuple[int, int]


def intervals(
    codes: dict[int, int], min_n: int, perturbed: bool
) -> tuple[Interval, ...]:
    """What the attacker knows of each true quantity from the published codes.

    Each code: the true counts the table can publish as it (its support,
    ``disclosure.possible_counts``); a figure published at exactly min n may
    have had a shortfall of up to 5D added to its largest code.
    """
    per_code: dict[int, Interval] = {}
    for code in st.LIKERT_CODES:
        v = codes.get(code, 0)
        per_code[code] = disclosure.possible_counts(v) if perturbed else (v, v)
    shown_n = sum(codes.get(c, 0) for c in st.LIKERT_CODES)
    if perturbed and shown_n == min_n:
        present = [c for c in st.LIKERT_CODES if codes.get(c, 0) > 0]
        if present:
            top = max(present, key=lambda c: (codes[c], repr(c)))
            low, high = per_code[top]
            per_code[top] = (max(0, low - 5 * disclosure.MAX_NOISE), high)

    def total(group: frozenset[int]) -> Interval:
        return (
            sum(per_code[c][0] for c in group),
            sum(per_code[c][1] for c in group),
        )

    return (
        total(VALID),
        total(TOP),
        total(BOTTOM),
        *(per_code[c] for c in st.LIKERT_CODES),
    )


@dataclass
class Outcome:
    views: int = 0
    cells_shown: int = 0
    protected: int = 0
    attacked: int = 0  # protected cells with at least one derivation
    derivations: int = 0
    pinned: int = 0  # one value left (right or wrong)
    recovered: list[tuple[int, int, int]] = field(default_factory=list)

    def add(self, other: Outcome) -> None:
        """Fold in the outcome of another quantity read on the same views."""
        self.cells_shown += other.cells_shown
        self.protected += other.protected
        self.attacked += other.attacked
        self.derivations += other.derivations
        self.pinned += other.pinned
        self.recovered += other.recovered

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
    rows: bool = True,
    trend: bool = True,
) -> Outcome:
    """Enumerate the views of ``scopes`` x ``flts`` and difference them.

    A view shows the scope's cell and, with ``rows``, its units' rows and,
    with ``trend``, its monthly trend (each month's cell and its rows). The
    questions page shows neither: a unit's cell is then seen on its own page.
    """
    min_n = data.min_n
    outcome = Outcome()
    shown: dict[int, tuple[Interval, ...]] = {}
    protected: dict[int, Cell] = {}
    families: list[tuple[int, list[int]]] = []  # parent mask, children masks
    trees = {scope.id: scope_tree(scope) for scope in scopes}

    def see(mask: int, members: list[int]) -> None:
        if not mask:
            return
        cell = data.cell(mask, members)
        if cell.n >= min_n:
            if mask not in shown:
                codes = published_codes(cell, min_n, perturbed)
                shown[mask] = intervals(codes, min_n, perturbed)
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
            if trend:
                for i in subtree:
                    groups.setdefault(("month", data.atoms[i].month), []).append(i)
                # the headline minus every other month of the trend
                months = [_mask(m) for g, m in groups.items() if g != "all"]
                families.append((_mask(subtree), months))
            for members in groups.values():
                parent = _mask(members)
                see(parent, members)  # the headline, or a trend point
                if not tree.children:
                    continue
                by_child: dict[int, list[int]] = defaultdict(list)
                for i in members:
                    by_child[tree.child_of[data.atoms[i].unit_id]].append(i)
                parts = []
                for part in by_child.values():
                    if rows:
                        see(_mask(part), part)  # a unit's row (or trend point)
                    parts.append(_mask(part))
                families.append((parent, parts))
    outcome.cells_shown = len(shown)
    outcome.protected = len(protected)

    derived: dict[int, list[tuple[Interval, ...]]] = defaultdict(list)
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
                derived[p].append(_minus(shown[a], [shown[b]]))
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
            derived[target].append(_minus(shown[parent], [shown[m] for m in others]))

    for p, found in derived.items():
        cell = protected[p]
        outcome.attacked += 1
        outcome.derivations += len(found)
        lows = [1] + [0] * (len(QUANTITIES) - 1)
        highs = [min_n - 1] * len(QUANTITIES)
        for allowed in found:
            for q, (low, high) in enumerate(allowed):
                lows[q], highs[q] = max(lows[q], low), min(highs[q], high)
        highs = [highs[0], *(min(h, highs[0]) for h in highs[1:])]
        truth = cell.quantities
        pinned = [q for q in range(len(QUANTITIES)) if lows[q] == highs[q]]
        if pinned:
            outcome.pinned += 1
        if any(lows[q] == truth[q] for q in pinned):
            outcome.recovered.append((p, cell.n, cell.s))
    return outcome


def _minus(
    whole: tuple[Interval, ...], parts: list[tuple[Interval, ...]]
) -> tuple[Interval, ...]:
    """What ``whole`` minus ``parts`` allows, quantity by quantity."""
    found = []
    for q, (low, high) in enumerate(whole):
        found.append(
            (low - sum(p[q][1] for p in parts), high - sum(p[q][0] for p in parts))
        )
    return tuple(found)


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
