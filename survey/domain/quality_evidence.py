"""Integrity evidence that reads content and context, and the unit score (issue 25).

Each piece of evidence judges a unit's last four weeks (the *current*
period) against the unit's own earlier weeks (its *history*), so a unit
whose citizens are simply happier, or whose office is simply busy on
Monday mornings, is not flagged for being itself:

- ``arrival_surge``: submissions per day, per hour and per 10 minutes
  against the unit's own profile by weekday and hour of the week;
- ``favourable_pattern``: responses with the overall item at the top and
  every other rated item favourable (4 or 5), the reverse-worded check
  item left out: what a careful stuffer posts;
- ``coached_pattern``: every staff item at the top while the rest of the
  form says less than "satisfied": an officer standing by;
- ``score_shift``: the mean score per respondent moved up.

Each gives a p-value under "the current weeks behave like the history".
``unit_score`` combines them with the Bonferroni rule published in
docs/methodology-integrity.md: red when the smallest p-value times the
number of pieces of evidence is under 0.001, amber under 0.01. Everything
here is pure; the counts come from SQL or from the simulation harness.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from survey.domain.quality import Indicator, Level, binomial_upper_tail, poisson_tail
from survey.domain.statistics import normal_upper_tail, regularized_incomplete_beta

K = TypeVar("K")  # a unit's key: its id, or a simulated unit's name
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
EVIDENCE = (
    "arrival_surge",
    "hard_flags",
    "repeat_devices",
    "favourable_pattern",
    "coached_pattern",
    "score_shift",
)


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


def hour_of_week(hour_index: int) -> int:
    """0 = Monday 0:00-1:00; ``hour_index`` counts hours since 1970-01-01 (Thu)."""
    return ((hour_index // 24 + 3) % 7) * 24 + hour_index % 24


# --------------------------------------------------------------------------- #
# Arrivals
# --------------------------------------------------------------------------- #


def slot_shares(
    own: Mapping[int, int], city: Mapping[int, int] | None = None
) -> list[float]:
    """Expected share of a week's traffic in each hour of the week.

    The unit's own profile, pulled towards the city's (worth
    ``PROFILE_PRIOR`` responses) when its history is short, then a tenth
    spread evenly so that an hour never seen is not impossible.
    """
    own_total = sum(own.values())
    city = city or {}
    city_total = sum(city.values())
    prior = PROFILE_PRIOR if city_total else 0.0
    shares = []
    for slot in range(HOURS_OF_WEEK):
        city_share = city.get(slot, 0) / city_total if city_total else 0.0
        total = own_total + prior
        profile = (
            (own.get(slot, 0) + prior * city_share) / total
            if total
            else 1 / HOURS_OF_WEEK
        )
        shares.append((1 - FLAT_SHARE) * profile + FLAT_SHARE / HOURS_OF_WEEK)
    return shares


def day_dispersion(evidence: UnitEvidence, day_share: Sequence[float]) -> float:
    """Coefficient of variation of the days beyond Poisson noise, 0 to 1.

    Each history day against what its weekday should bring (a Monday is
    busier than a Saturday by design, which is no dispersion); what varies
    beyond Poisson noise is the day-to-day busyness, and a busy day is no
    surge.
    """
    total = sum(evidence.history_day_counts.values())
    weeks = evidence.history_days / 7
    if total < 20 or weeks < 1:
        return 0.4
    excess, squares = 0.0, 0.0
    first = evidence.history_first_day
    for day in range(first, first + evidence.history_days):
        expected = total * day_share[(day + 3) % 7] / weeks
        if expected <= 0:
            continue
        count = evidence.history_day_counts.get(day, 0)
        excess += (count - expected) ** 2 - count
        squares += expected * expected
    if squares <= 0:
        return 0.4
    return min(MAX_DAY_CV, math.sqrt(max(0.0, excess / squares)))


def negative_binomial_tail(k: int, mean: float, cv: float) -> float:
    """P(X >= k) for a Poisson count whose mean is gamma with this CV."""
    if cv <= 0:
        return poisson_tail(k, mean)
    if k <= 0:
        return 1.0
    if not mean > 0:
        return 0.0
    r = 1 / (cv * cv)
    p = r / (r + mean)  # success probability; P(X >= k) = I_{1-p}(k, r)
    return regularized_incomplete_beta(1 - p, k, r)


def arrival_surge(
    evidence: UnitEvidence, city_slots: Mapping[int, int] | None = None
) -> Indicator:
    """The most unusual day, hour or 10 minutes of the current weeks.

    Days against the unit's weekday profile with its own day-to-day
    dispersion; an hour against its day's total and the hour's share of
    that weekday; 10 minutes against the hour's total (a sixth each). Each
    family is Bonferroni-corrected over the days, hours or windows of the
    four weeks, and the three together by three.
    """
    code = "arrival_surge"
    n = sum(evidence.current_hours.values())
    if n < 1:
        return Indicator(code, "none", "no submissions in the last four weeks")
    shares = slot_shares(evidence.history_slots, city_slots)
    day_share = [sum(shares[d * 24 : d * 24 + 24]) for d in range(7)]
    cv = day_dispersion(evidence, day_share)
    per_day: dict[int, int] = {}
    for hour, count in evidence.current_hours.items():
        per_day[hour // 24] = per_day.get(hour // 24, 0) + count
    days = CURRENT_DAYS
    weeks = days / 7
    day_p, worst_day = 1.0, 0
    for day, count in per_day.items():
        weekday = (day + 3) % 7
        expected = n * day_share[weekday] / weeks
        p = negative_binomial_tail(count, expected, cv)
        if p < day_p:
            day_p, worst_day = p, count
    hour_p, worst_hour = 1.0, 0
    for hour, count in evidence.current_hours.items():
        weekday = (hour // 24 + 3) % 7
        within = shares[hour_of_week(hour)] / day_share[weekday]
        p = binomial_upper_tail(count, per_day[hour // 24], within)
        if p < hour_p:
            hour_p, worst_hour = p, count
    window_p, worst_window = 1.0, 0
    for window, count in evidence.current_windows.items():
        in_hour = evidence.current_hours.get(window // WINDOWS_PER_HOUR, count)
        p = binomial_upper_tail(count, in_hour, 1 / WINDOWS_PER_HOUR)
        if p < window_p:
            window_p, worst_window = p, count
    p = min(
        1.0,
        3
        * min(
            day_p * days,
            hour_p * days * 24,
            window_p * days * 24 * WINDOWS_PER_HOUR,
        ),
    )
    text = (
        f"busiest day {worst_day}, hour {worst_hour}, 10 minutes {worst_window} "
        f"of {n} in four weeks, against the unit's own weekday and hour "
        f"profile; chance {p:.2g}"
    )
    return Indicator(code, _level(p), text, p, p)


# --------------------------------------------------------------------------- #
# Content
# --------------------------------------------------------------------------- #


def _share_against_history(
    code: str,
    what: str,
    x: int,
    n: int,
    history_x: int,
    history_n: int,
    city_share: float | None,
) -> Indicator:
    """x of n now against the unit's history, or the city's median share.

    With enough history, an exact conditional test: given the x + X such
    responses, how likely are x or more in the current weeks' share of all
    responses. Without, a binomial tail at the city's median unit share.
    """
    if n < 1:
        return Indicator(code, "none", "no rated responses in the last four weeks")
    if history_n >= MIN_HISTORY:
        p = binomial_upper_tail(x, x + history_x, n / (n + history_n))
        reference = f"{history_x / history_n:.1%} before"
    elif city_share is not None:
        p = binomial_upper_tail(x, n, max(city_share, 1 / (n + 1)))
        reference = f"city median {city_share:.1%}"
    else:
        return Indicator(code, "none", "no history and no city reference")
    text = f"{x} of {n} ({x / n:.0%}) {what} (against {reference}); chance {p:.2g}"
    return Indicator(code, _level(p), text, x / n, p)


def favourable_pattern(
    evidence: UnitEvidence, city_share: float | None = None
) -> Indicator:
    """Responses favourable on every item and top overall, now against before."""
    h, c = evidence.history, evidence.current
    return _share_against_history(
        "favourable_pattern",
        "favourable on every item and top overall",
        c.favourable,
        c.n,
        h.favourable,
        h.n,
        city_share,
    )


def coached_pattern(
    evidence: UnitEvidence, city_share: float | None = None
) -> Indicator:
    """Staff items at the top while the rest is lukewarm, now against before."""
    h, c = evidence.history, evidence.current
    return _share_against_history(
        "coached_pattern",
        "top on the staff items only",
        c.coached,
        c.n,
        h.coached,
        h.n,
        city_share,
    )


def hard_flags(evidence: UnitEvidence) -> Indicator:
    """Impossible submissions (too fast to read, honeypot) now against before."""
    e = evidence
    return _rare_event(
        "hard_flags",
        "hard-flagged (impossibly fast or honeypot)",
        e.hard_flagged,
        e.submitted,
        e.history_hard_flagged,
        e.history_submitted,
    )


def _rare_event(
    code: str, what: str, x: int, n: int, before: int, total: int
) -> Indicator:
    """x of n now against ``before`` of ``total`` earlier, for rare events.

    Honest respondents almost never do these, so the rate expected is the
    history's with one more added (Laplace), never zero: a few in four
    weeks where there were none before stand out.
    """
    if n < 1:
        return Indicator(code, "none", "no submissions in the last four weeks")
    rate = (before + 1) / (total + 2)
    p = binomial_upper_tail(x, n, rate)
    text = f"{x} of {n} {what} against {before} of {total} before; chance {p:.2g}"
    return Indicator(code, _level(p), text, x / n, p)


def repeat_devices(evidence: UnitEvidence) -> Indicator:
    """Forms from a device that already sent one that day (kiosks left out)."""
    e = evidence
    return _rare_event(
        "repeat_devices",
        "from a device that had already answered that day",
        e.repeats,
        e.submitted,
        e.history_repeats,
        e.history_submitted,
    )


def score_shift(evidence: UnitEvidence) -> Indicator:
    """The mean score per respondent now against before: a one-sided Welch z."""
    code = "score_shift"
    h, c = evidence.history, evidence.current
    if c.n < 2 or h.n < MIN_HISTORY:
        return Indicator(code, "none", "too few responses now or before")

    def mean_var(counts: ContentCounts) -> tuple[float, float]:
        mean = counts.score_sum / counts.n
        var = (counts.score_squares - counts.n * mean * mean) / (counts.n - 1)
        return mean, max(var, 1e-6)

    (m1, v1), (m0, v0) = mean_var(c), mean_var(h)
    z = (m1 - m0) / math.sqrt(v1 / c.n + v0 / h.n)
    p = normal_upper_tail(z)
    text = (
        f"mean score {m1:.2f} now against {m0:.2f} before (z {z:+.1f}); chance {p:.2g}"
    )
    return Indicator(code, _level(p), text, m1 - m0, p)


def _level(p: float) -> Level:
    """A single piece of evidence's own level (the score corrects for several)."""
    if p < RED_P / len(EVIDENCE):
        return "red"
    if p < AMBER_P / len(EVIDENCE):
        return "amber"
    return "green"


def unit_score(evidence: Sequence[Indicator]) -> Indicator:
    """Bonferroni over the evidence: red under 0.001, amber under 0.01."""
    code = "unit_score"
    found = [(i.code, i.p) for i in evidence if i.code in EVIDENCE and i.p is not None]
    if not found:
        return Indicator(code, "none", "no evidence could be computed")
    which, smallest = min(found, key=lambda pair: pair[1])
    score = min(1.0, smallest * len(EVIDENCE))
    level: Level = "red" if score < RED_P else "amber" if score < AMBER_P else "green"
    text = (
        f"strongest evidence {which} (chance {smallest:.2g}); times "
        f"{len(EVIDENCE)} pieces of evidence: {score:.2g} (red under {RED_P}, "
        f"amber under {AMBER_P})"
    )
    return Indicator(code, level, text, score, score)


def evidence_indicators(
    evidence: UnitEvidence,
    *,
    city_slots: Mapping[int, int] | None = None,
    city_favourable: float | None = None,
    city_coached: float | None = None,
) -> list[Indicator]:
    """The six pieces of evidence and their unit score, in that order."""
    found = [
        arrival_surge(evidence, city_slots),
        hard_flags(evidence),
        repeat_devices(evidence),
        favourable_pattern(evidence, city_favourable),
        coached_pattern(evidence, city_coached),
        score_shift(evidence),
    ]
    return [*found, unit_score(found)]


def median(values: Sequence[float]) -> float | None:
    """The median unit, robust to the few units under suspicion."""
    ordered = sorted(values)
    if not ordered:
        return None
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def unit_level(indicators: Sequence[Indicator]) -> Level:
    """The published rule: red on a red unit score or a red period indicator.

    The evidence compares a unit with its own past, so a unit that has
    always manipulated looks like itself; the period-wide indicators
    (against the city, over the whole period) see that one, and their red
    still counts. Their amber does not: together they raised amber for
    about 2 % of honest units a month. Amber comes from the unit score.
    """
    score: Level = "none"
    legacy_red = False
    for i in indicators:
        if i.code == "unit_score":
            score = i.level
        elif i.code not in EVIDENCE and i.level == "red":
            legacy_red = True
    return "red" if legacy_red else score


STAFF_DIMENSIONS = frozenset({"P3", "S3", "employee"})  # the official's items


def city_evidence(
    units: Mapping[K, UnitEvidence],
) -> dict[K, list[Indicator]]:
    """Every unit's evidence, with the city's references taken robustly.

    The city's hour-of-week profile pools every unit's history (it only
    fills in for a unit with little history of its own); its favourable and
    coached shares are the median unit's, so a few manipulated units do not
    set the reference for the rest.
    """
    slots: dict[int, int] = {}
    for e in units.values():
        for slot, count in e.history_slots.items():
            slots[slot] = slots.get(slot, 0) + count

    def shares(attribute: str) -> float | None:
        values = []
        for e in units.values():
            counts = e.history if e.history.n >= MIN_HISTORY else e.current
            if counts.n >= 10:
                values.append(getattr(counts, attribute) / counts.n)
        return median(values)

    favourable, coached = shares("favourable"), shares("coached")
    return {
        unit: evidence_indicators(
            e, city_slots=slots, city_favourable=favourable, city_coached=coached
        )
        for unit, e in units.items()
    }
