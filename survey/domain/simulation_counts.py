"""What the integrity evidence reads of simulated responses (issue 25).

``evidence_of`` counts a simulated unit's responses exactly as
``survey.services.integrity.evidence.unit_evidence`` counts stored ones in
SQL; ``tests/trust/test_integrity_harness.py`` checks that they agree.
"""

from __future__ import annotations

from collections.abc import Sequence

from survey.domain.quality import HARD_SPEED_SECONDS_PER_ITEM
from survey.domain.quality_evidence import (
    CONTENT_HISTORY_DAYS,
    ContentCounts,
    RatedAnswers,
    UnitEvidence,
    is_favourable,
)
from survey.domain.simulation import (
    DAY,
    EPOCH_DAY,
    HISTORY_DAYS,
    INVITED,
    Item,
    SimulatedResponse,
)


def rated(
    answers: Sequence[tuple[str, int]], kinds: dict[str, str]
) -> RatedAnswers | None:
    """The answers 1-5 by kind; None without any substantive one."""
    overall, check, staff, other = None, None, [], []
    for code, value in answers:
        kind = kinds[code]
        if not 1 <= value <= 5:
            continue
        if kind == "check":
            check = value
        elif kind == "overall":
            overall = value
        elif kind == "staff":
            staff.append(value)
        else:
            other.append(value)
    found = RatedAnswers(overall, tuple(staff), tuple(other), check)
    return found if found.substantive else None


def evidence_of(
    responses: Sequence[SimulatedResponse],
    items: Sequence[Item],
    current_from: int = HISTORY_DAYS * DAY,
    history_from: int = 0,
) -> UnitEvidence:
    """``UnitEvidence`` of responses whose ``at`` counts from day 0."""
    kinds = {i.code: i.kind for i in items}
    e = UnitEvidence(
        history_days=(current_from - history_from) // DAY,
        history_first_day=EPOCH_DAY + history_from // DAY,
    )
    offset = EPOCH_DAY * DAY
    recent = max(history_from, current_from - CONTENT_HISTORY_DAYS * DAY)
    seen: set[tuple[int, str]] = set()
    for r in sorted(responses, key=lambda r: r.at):
        if r.at < history_from:
            continue
        seconds = r.at + offset
        device_day = (seconds // DAY, r.device)
        repeat = r.channel != "kiosk" and device_day in seen
        seen.add(device_day)
        answers = rated(r.answers, kinds) if r.channel not in INVITED else None
        hard = r.duration < HARD_SPEED_SECONDS_PER_ITEM * len(r.answers)
        counts: ContentCounts | None = None
        hour = seconds // 3600
        if r.at >= current_from:
            counts = e.current
            window = seconds // 600
            e.current_windows[window] = e.current_windows.get(window, 0) + 1
            e.current_hours[hour] = e.current_hours.get(hour, 0) + 1
            e.submitted += 1
            e.hard_flagged += hard
            e.repeats += repeat
        else:
            if r.at >= recent:
                counts = e.history
            slot = ((hour // 24 + 3) % 7) * 24 + hour % 24
            e.history_slots[slot] = e.history_slots.get(slot, 0) + 1
            day = seconds // DAY
            e.history_day_counts[day] = e.history_day_counts.get(day, 0) + 1
            e.history_submitted += 1
            e.history_hard_flagged += hard
            e.history_repeats += repeat
        if counts is not None and answers is not None:
            counts.add(answers)
            favourable = is_favourable(answers)
            if counts is e.history:
                e.history_durations.append(r.duration)
                if favourable:
                    e.history_favourable_durations.append(r.duration)
            elif favourable:
                e.favourable_durations.append(r.duration)
    return e
