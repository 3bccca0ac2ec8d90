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
here is pure; the counts (``quality_counts``) come from SQL or from the
simulation harness; the arrivals are judged in ``quality_arrivals``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TypeVar

from survey.domain.quality import Indicator, Level, binomial_upper_tail
from survey.domain.quality_arrivals import (
    arrival_surge,
    day_dispersion,
    hour_of_week,
    negative_binomial_tail,
    slot_shares,
)
from survey.domain.quality_counts import (
    AMBER_P,
    CONTENT_HISTORY_DAYS,
    CURRENT_DAYS,
    EVIDENCE,
    MIN_HISTORY,
    RED_P,
    STAFF_DIMENSIONS,
    ContentCounts,
    RatedAnswers,
    UnitEvidence,
    evidence_level,
    is_coached,
    is_favourable,
    mean_score,
    quick_count,
    quick_cut,
)
from survey.domain.statistics import normal_upper_tail

K = TypeVar("K")  # a unit's key: its id, or a simulated unit's name
__all__ = [
    "CONTENT_HISTORY_DAYS",
    "CURRENT_DAYS",
    "EVIDENCE",
    "STAFF_DIMENSIONS",
    "ContentCounts",
    "RatedAnswers",
    "UnitEvidence",
    "arrival_surge",
    "city_evidence",
    "day_dispersion",
    "evidence_indicators",
    "hour_of_week",
    "is_coached",
    "is_favourable",
    "mean_score",
    "median",
    "negative_binomial_tail",
    "quick_count",
    "quick_cut",
    "slot_shares",
    "unit_level",
    "unit_score",
]


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
    return Indicator(code, evidence_level(p), text, x / n, p)


def favourable_pattern(
    evidence: UnitEvidence,
    city_share: float | None = None,
    city_quick_share: float | None = None,
    city_cut: int | None = None,
) -> Indicator:
    """Responses favourable on every item and top overall, now against before.

    Two looks, Bonferroni-corrected (times two): all such forms, and those
    among them quicker than two thirds of the unit's own opt-in respondents
    of the content history (``quick_cut``; the city's median unit's cut
    without enough history). Honest enthusiasts take as long as other
    citizens; a careful stuffer who knows the form does not.
    """
    code = "favourable_pattern"
    h, c = evidence.history, evidence.current
    every = _share_against_history(
        code,
        "favourable on every item and top overall",
        c.favourable,
        c.n,
        h.favourable,
        h.n,
        city_share,
    )
    cut = quick_cut(evidence.history_durations) or city_cut
    if cut is None or every.p is None:
        return every
    quick = _share_against_history(
        code,
        f"of them under {cut} s",
        quick_count(evidence.favourable_durations, cut),
        c.n,
        quick_count(evidence.history_favourable_durations, cut),
        h.n,
        city_quick_share,
    )
    if quick.p is None:
        return every
    p = min(1.0, 2 * min(every.p, quick.p))
    text = f"{every.reason}; {quick.reason}; both looks: chance {p:.2g}"
    return Indicator(code, evidence_level(p), text, every.value, p)


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
    return Indicator(code, evidence_level(p), text, x / n, p)


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
    return Indicator(code, evidence_level(p), text, m1 - m0, p)


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
    city_quick: float | None = None,
    city_cut: int | None = None,
) -> list[Indicator]:
    """The six pieces of evidence and their unit score, in that order."""
    found = [
        arrival_surge(evidence, city_slots),
        hard_flags(evidence),
        repeat_devices(evidence),
        favourable_pattern(evidence, city_favourable, city_quick, city_cut),
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

    cuts = [quick_cut(e.history_durations) for e in units.values()]
    middle = median([float(c) for c in cuts if c is not None])
    city_cut = None if middle is None else round(middle)
    quick = []
    for e in units.values():
        own = e.history.n >= MIN_HISTORY
        n = e.history.n if own else e.current.n
        cut = quick_cut(e.history_durations) or city_cut
        if n >= 10 and cut is not None:
            found = e.history_favourable_durations if own else e.favourable_durations
            quick.append(quick_count(found, cut) / n)
    favourable, coached = shares("favourable"), shares("coached")
    city_quick = median(quick)
    return {
        unit: evidence_indicators(
            e,
            city_slots=slots,
            city_favourable=favourable,
            city_coached=coached,
            city_quick=city_quick,
            city_cut=city_cut,
        )
        for unit, e in units.items()
    }
