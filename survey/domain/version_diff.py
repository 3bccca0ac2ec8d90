"""What changed between two versions of a survey, before the new one is published.

Questions are matched by their code, which is what the tallies, the exports
and the trends follow across versions. A change to an index item (a question
with a dimension) that alters what it measures (its Vietnamese wording, its
type, its options or its range) or removes it is marked as breaking the
trend: figures before and after the new version no longer compare like for
like. English wording, help texts, order and whether an answer is required
are listed too, without that mark.
"""

from __future__ import annotations

from dataclasses import dataclass

ADDED = "added"
REMOVED = "removed"
WORDING = "wording"
WORDING_EN = "wording_en"
HELP = "help"
TYPE = "type"
OPTIONS = "options"
RANGE = "range"
REQUIRED = "required"
MOVED = "moved"

#: changes that alter what an index item measures
MEANING = frozenset({REMOVED, WORDING, TYPE, OPTIONS, RANGE})


@dataclass(frozen=True)
class QuestionSnapshot:
    """The parts of a question that a reader or a trend depends on."""

    code: str
    type: str
    text_vi: str
    text_en: str = ""
    help_vi: str = ""
    help_en: str = ""
    dimension: str | None = None
    required: bool = True
    page: int = 1
    min_value: int | None = None
    max_value: int | None = None
    options: tuple[tuple[str, str], ...] = ()  # (code, Vietnamese label)


@dataclass(frozen=True)
class Change:
    code: str
    kind: str
    before: str = ""
    after: str = ""
    breaks_trend: bool = False


def _range(q: QuestionSnapshot) -> str:
    if q.min_value is None and q.max_value is None:
        return ""
    low = "" if q.min_value is None else str(q.min_value)
    high = "" if q.max_value is None else str(q.max_value)
    return f"{low}–{high}"


def _required(q: QuestionSnapshot) -> str:
    return "required" if q.required else "optional"


def _options(q: QuestionSnapshot) -> str:
    return "; ".join(f"{code}: {label}" for code, label in q.options)


def _question_changes(old: QuestionSnapshot, new: QuestionSnapshot) -> list[Change]:
    pairs = [
        (WORDING, old.text_vi.strip(), new.text_vi.strip()),
        (WORDING_EN, old.text_en.strip(), new.text_en.strip()),
        (HELP, f"{old.help_vi}|{old.help_en}", f"{new.help_vi}|{new.help_en}"),
        (TYPE, old.type, new.type),
        (OPTIONS, _options(old), _options(new)),
        (RANGE, _range(old), _range(new)),
        (REQUIRED, _required(old), _required(new)),
        (MOVED, str(old.page), str(new.page)),
    ]
    index_item = bool(old.dimension or new.dimension)
    return [
        Change(new.code, kind, before, after, index_item and kind in MEANING)
        for kind, before, after in pairs
        if before != after
    ]


def diff_versions(
    old: list[QuestionSnapshot], new: list[QuestionSnapshot]
) -> list[Change]:
    """Every change from ``old`` to ``new``, in the new version's order.

    Removed questions come last, in the old version's order.
    """
    before = {q.code: q for q in old}
    after = {q.code for q in new}
    changes: list[Change] = []
    for question in new:
        previous = before.get(question.code)
        if previous is None:
            changes.append(Change(question.code, ADDED, after=question.text_vi))
        else:
            changes.extend(_question_changes(previous, question))
    for question in old:
        if question.code not in after:
            changes.append(
                Change(
                    question.code,
                    REMOVED,
                    before=question.text_vi,
                    breaks_trend=question.dimension is not None,
                )
            )
    return changes
