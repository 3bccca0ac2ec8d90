"""XLSForm expressions this platform can carry: conditions, required, bounds.

A condition here is "show if an earlier choice question's answer is one of
these codes". ``relevant`` expressions of that shape (``=``, ``!=``,
``selected()``, ``not(selected())``, joined by ``or``/``and`` on one question)
are translated; anything else is reported by the caller.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from survey.domain.questions import SINGLE

YES = frozenset({"yes", "true", "true()", "1"})
NO = frozenset({"", "no", "false", "false()", "0"})

_REF = r"(?:\$\{\s*(?P<%s>[^}\s]+)\s*\}|\.\./(?P<%s>[A-Za-z_][\w.-]*))"
_VALUE = r"(?P<%s>'[^']*'|\"[^\"]*\"|-?\d+(?:\.\d+)?)"
EQUALS_RE = re.compile(
    rf"^{_REF % ('q1', 'p1')}\s*(?P<op>!=|=)\s*{_VALUE % 'v1'}$"
    rf"|^{_VALUE % 'v2'}\s*(?P<op2>!=|=)\s*{_REF % ('q2', 'p2')}$"
)
SELECTED_RE = re.compile(
    rf"^(?P<neg>not\s*\(\s*)?selected\s*\(\s*{_REF % ('q', 'p')}\s*,\s*"
    rf"{_VALUE % 'v'}\s*\)(?(neg)\s*\))$"
)
BOUND_RE = re.compile(r"^\.\s*(>=|<=|>|<)\s*(-?\d+)$")
COUNT_RE = re.compile(r"^count-selected\s*\(\s*\.\s*\)\s*(<=|<)\s*(\d+)$")
LENGTH_RE = re.compile(r"^string-length\s*\(\s*\.\s*\)\s*(<=|<)\s*(\d+)$")


@dataclass(frozen=True)
class Condition:
    """Show if question ``name`` (its XLSForm name) has one of ``values``."""

    name: str
    values: frozenset[str]


@dataclass(frozen=True)
class Target:
    """An imported choice question a condition may look at."""

    type: str
    values: tuple[str, ...]  # its choices' XLSForm names, in order


def _strip_parens(text: str) -> str:
    text = text.strip()
    while text.startswith("(") and text.endswith(")"):
        depth = 0
        for i, ch in enumerate(text):
            depth += (ch == "(") - (ch == ")")
            if depth == 0 and i < len(text) - 1:
                return text
        text = text[1:-1].strip()
    return text


def _split(text: str, word: str) -> list[str]:
    """``text`` split on ``word`` outside brackets and quotes."""
    parts: list[str] = []
    depth, quote, start, i = 0, "", 0, 0
    pattern = re.compile(rf"\s+{word}\s+", re.IGNORECASE)
    while i < len(text):
        ch = text[i]
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif depth == 0 and ch.isspace():
            match = pattern.match(text, i)
            if match:
                parts.append(text[start:i])
                start = i = match.end()
                continue
        i += 1
    parts.append(text[start:])
    return [p.strip() for p in parts]


def _atom(text: str, targets: dict[str, Target]) -> Condition | None:
    text = _strip_parens(text)
    match = EQUALS_RE.match(text)
    negate = False
    if match:
        name = match.group("q1") or match.group("p1") or match.group("q2")
        name = name or match.group("p2")
        value = match.group("v1") or match.group("v2")
        negate = (match.group("op") or match.group("op2")) == "!="
    else:
        match = SELECTED_RE.match(text)
        if match is None:
            return None
        name = match.group("q") or match.group("p")
        value = match.group("v")
        negate = bool(match.group("neg"))
    target = targets.get(name)
    value = value.strip("'\"")
    if target is None or value not in target.values:
        return None
    if negate:
        if target.type != SINGLE:  # "x not ticked" is no set of ticks
            return None
        return Condition(name, frozenset(target.values) - {value})
    return Condition(name, frozenset({value}))


def condition(expression: str, targets: dict[str, Target]) -> Condition | None:
    """The condition ``expression`` states, if this platform can state it."""
    expression = _strip_parens(" ".join(expression.split()))
    if not expression:
        return None
    alternatives = _split(expression, "or")
    if len(alternatives) > 1:
        found = [condition(a, targets) for a in alternatives]
        return union(found)
    conjuncts = _split(expression, "and")
    if len(conjuncts) > 1:
        parts = [condition(c, targets) for c in conjuncts]
        if any(p is None for p in parts):
            return None
        return intersect([p for p in parts if p is not None])
    return _atom(expression, targets)


def union(parts: list[Condition | None]) -> Condition | None:
    if not parts or any(p is None for p in parts):
        return None
    names = {p.name for p in parts if p is not None}
    if len(names) != 1:
        return None
    return Condition(names.pop(), frozenset().union(*(p.values for p in parts if p)))


def intersect(parts: list[Condition]) -> Condition | None:
    """Every condition at once, if they look at one question; else None."""
    names = {p.name for p in parts}
    if len(names) != 1:
        return None
    values = frozenset.intersection(*(p.values for p in parts))
    return Condition(names.pop(), values)


def required(value: str) -> bool | None:
    """True/False for the spellings of yes and no; None for an expression."""
    word = value.strip().lower()
    if word in YES:
        return True
    if word in NO:
        return False
    return None


def number_bounds(constraint: str, whole: bool) -> tuple[int | None, int | None] | None:
    """``. >= 1 and . <= 20`` as (low, high); None if it says anything else."""
    low: int | None = None
    high: int | None = None
    for part in _split(_strip_parens(" ".join(constraint.split())), "and"):
        match = BOUND_RE.match(_strip_parens(part))
        if match is None:
            return None
        sign, value = match.group(1), int(match.group(2))
        if sign in (">", "<") and not whole:
            return None
        if sign.startswith(">"):
            low = value + (1 if sign == ">" else 0)
        else:
            high = value - (1 if sign == "<" else 0)
    return low, high


def text_length(constraint: str, pattern: re.Pattern[str] = LENGTH_RE) -> int | None:
    """``string-length(.) <= 50`` as 50; None if it says anything else."""
    match = pattern.match(_strip_parens(" ".join(constraint.split())))
    if match is None:
        return None
    limit = int(match.group(2)) - (1 if match.group(1) == "<" else 0)
    return limit if limit > 0 else None


def max_choices(constraint: str) -> int | None:
    """``count-selected(.) <= 3`` as 3; None if it says anything else."""
    return text_length(constraint, COUNT_RE)
