"""What the integrity evidence counts of a unit, and its shared constants (issue 25).

Filled by ``survey.services.integrity.evidence`` from SQL and by
``survey.domain.simulation`` from generated responses, judged by
``quality_arrivals`` and ``quality_evidence``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from survey.domain.quality import Level

CURRENT_DAYS = 28  # four whole weeks: every hour of the week four times
# Content is judged against the twelve weeks before: recent enough that a
# slow, real improvement over a year is not taken for a shift.
CONTENT_HISTORY_DAYS = 84
HOURS_OF_WEEK = 168
WINDOWS_PER_HOUR = 6  # 10-minute windows
RED_P = 0.001
AMBER_P = 0.01
MIN_HISTORY = 50  # responses; below it, the city's robust reference instead
PROFILE_PRIOR = 200.0  # how many responses the city's profile counts as
FLAT_SHARE = 0.1  # a tenth of the expected traffic is spread over every hour
MAX_DAY_CV = 1.0
# A favourable form is *quick* when it took less time than two thirds of the
# unit's own opt-in respondents of the content history: someone filling in
# the same form again and again is quicker than a citizen reading it.
QUICK_SHARE = 1 / 3
EVIDENCE = (
    "arrival_surge",
    "hard_flags",
    "repeat_devices",
    "favourable_pattern",
    "coached_pattern",
    "score_shift",
)


STAFF_DIMENSIONS = frozenset({"P3", "S3", "employee"})  # the official's items


@dataclass(frozen=True)
class RatedAnswers:
    """One response's Likert answers 1-5 (N/A left out), by kind of item."""

    overall: int | None
    staff: tuple[int, ...]
    other: tuple[int, ...]  # substantive, not staff, not the overall item
    check: int | None = None  # the reverse-worded check item, as answered

    @property
    def substantive(self) -> tuple[int, ...]:
        extra = () if self.overall is None else (self.overall,)
        return (*self.staff, *self.other, *extra)


def is_favourable(answers: RatedAnswers) -> bool:
    """Overall at 5 and favourable on every item, the check item reversed.

    "I had to wait too long" answered 1 or 2 is favourable; a 5 there is
    not, so ticking the top column throughout is not this pattern (the
    hard flags, the arrivals and the straight-liner flag see that one).
    """
    favourable_check = answers.check is None or answers.check <= 2
    return answers.overall == 5 and min(answers.substantive) >= 4 and favourable_check


def is_coached(answers: RatedAnswers) -> bool:
    """Every staff item at 5 (two or more) while the others average under 4."""
    rest = answers.other
    if len(answers.staff) < 2 or len(rest) < 2 or min(answers.staff) < 5:
        return False
    return sum(rest) < 4 * len(rest)


def mean_score(answers: RatedAnswers) -> float | None:
    items = answers.substantive
    return sum(items) / len(items) if items else None


@dataclass
class ContentCounts:
    """Content counts of a unit over some weeks."""

    n: int = 0  # responses with a substantive rated answer
    favourable: int = 0
    coached: int = 0
    score_sum: float = 0.0  # per-response mean scores, summed
    score_squares: float = 0.0

    def add(self, answers: RatedAnswers) -> None:
        score = mean_score(answers)
        if score is None:
            return
        self.n += 1
        self.favourable += is_favourable(answers)
        self.coached += is_coached(answers)
        self.score_sum += score
        self.score_squares += score * score


@dataclass
class UnitEvidence:
    """What the evidence needs of one unit: content, then and now; arrivals."""

    history: ContentCounts = field(default_factory=ContentCounts)
    current: ContentCounts = field(default_factory=ContentCounts)
    history_days: int = 0
    history_slots: dict[int, int] = field(default_factory=dict)  # hour of week
    history_day_counts: dict[int, int] = field(default_factory=dict)  # day index
    history_first_day: int = 0  # day index (since 1970-01-01) the history starts
    hard_flagged: int = 0  # current weeks: impossibly fast, honeypot
    history_hard_flagged: int = 0
    submitted: int = 0  # current weeks, every channel
    history_submitted: int = 0
    repeats: int = 0  # current weeks: forms from a device seen earlier that day
    history_repeats: int = 0
    current_hours: dict[int, int] = field(default_factory=dict)  # hour index
    current_windows: dict[int, int] = field(default_factory=dict)  # 10 min index
    # Durations (seconds) of opt-in forms with a rated answer: every one of
    # the content history, and the favourable ones of the history and now.
    history_durations: list[int] = field(default_factory=list)
    history_favourable_durations: list[int] = field(default_factory=list)
    favourable_durations: list[int] = field(default_factory=list)


def quick_cut(durations: list[int]) -> int | None:
    """The duration under which a third of these forms fall (None: too few)."""
    if len(durations) < MIN_HISTORY:
        return None
    return sorted(durations)[int(len(durations) * QUICK_SHARE)]


def quick_count(durations: list[int], cut: int) -> int:
    return sum(d < cut for d in durations)


def evidence_level(p: float) -> Level:
    """A single piece of evidence's own level (the score corrects for several)."""
    if p < RED_P / len(EVIDENCE):
        return "red"
    if p < AMBER_P / len(EVIDENCE):
        return "amber"
    return "green"
