"""The per-response flags and per-unit indicators of METHODOLOGY.md section 8."""

from __future__ import annotations

import math
import random

from hypothesis import given
from hypothesis import strategies as st

from survey.domain import quality
from survey.domain.quality import GridAnswers, RecordCheck
from survey.domain.sampling import Candidate, allocate, draw_sample


def test_speeder_is_under_half_the_median():
    assert quality.speeder(100, 240) is not None
    assert quality.speeder(120, 240) is None
    assert quality.speeder(None, 240) is None and quality.speeder(10, None) is None


@given(st.integers(1, 5), st.integers(8, 30), st.integers(1, 5))
def test_straight_lining_needs_a_long_grid_and_a_contradicting_check(
    value, items, check
):
    flagged = quality.straight_liner(GridAnswers((value,) * items, check))
    contradiction = (value >= 4 and check >= 4) or (value <= 2 and check <= 2)
    assert (flagged is not None) == contradiction
    short = GridAnswers((value,) * 7, check)
    assert quality.straight_liner(short) is None
    varied = GridAnswers((value,) * (items - 1) + (value % 5 + 1,), check)
    assert quality.straight_liner(varied) is None


def test_contradictions_with_the_case_record():
    late = RecordCheck(
        said_on_time=True, said_visits=2, record_late=True, record_supplements=0
    )
    assert "late" in quality.record_contradiction(late)
    visits = RecordCheck(None, 1, False, 3)
    assert "3 requests" in quality.record_contradiction(visits)
    honest = RecordCheck(False, 3, True, 3)
    assert quality.record_contradiction(honest) is None


def test_inflation_gap_is_red_when_the_lower_bound_exceeds_ten_points():
    assert quality.inflation_gap((95, 100), (60, 100)).level == "red"
    assert quality.inflation_gap((72, 100), (70, 100)).level == "green"
    assert quality.inflation_gap((9, 9), (1, 9)).level == "none"


def test_all_top_rate_against_the_city_funnel():
    assert quality.all_top_rate(50, 200, 100, 4000).level == "red"
    assert quality.all_top_rate(5, 200, 100, 4000).level == "green"


def test_zero_negatives_uses_the_chance_of_none_at_the_city_rate():
    # (1 - 0.3)^20 = 0.0008 < 0.001
    assert quality.zero_negatives(0, 20, 0.3).level == "red"
    assert quality.zero_negatives(0, 5, 0.3).level == "green"
    assert quality.zero_negatives(1, 20, 0.3).level == "green"


@given(st.integers(0, 30), st.floats(0.001, 20))
def test_poisson_tail_matches_the_complement_of_the_cdf(k, mean):
    cdf = sum(math.exp(-mean) * mean**i / math.factorial(i) for i in range(k))
    assert math.isclose(quality.poisson_tail(k, mean), 1 - cdf, abs_tol=1e-9)


def test_bursts_red_for_a_stuffed_window_and_green_for_steady_traffic():
    rng = random.Random(3)
    steady = [1] * 200 + [2] * 10
    assert quality.bursts(steady, active_days=150).level == "green"
    stuffed = steady + [rng.randint(20, 30) for _ in range(4)]
    assert quality.bursts(stuffed, active_days=150).level == "red"


def test_ratings_per_case():
    assert quality.ratings_per_case(120, 100, 100).level == "red"
    assert quality.ratings_per_case(95, 95, 100).level == "amber"
    assert quality.ratings_per_case(40, 10, 100).level == "green"
    assert quality.ratings_per_case(40, 10, 0).level == "none"


def test_step_change_red_when_the_last_period_jumps():
    steady = [(60, 100)] * 8
    assert quality.step_change([*steady, (62, 100)]).level == "green"
    assert quality.step_change([*steady, (95, 100)]).level == "red"
    assert quality.step_change(steady[:2]).level == "none"


def test_worst_level():
    red = quality.Indicator("x", "red", "")
    green = quality.Indicator("y", "green", "")
    assert quality.worst([green, red]) == "red" and quality.worst([]) == "none"


# --- the sampler --------------------------------------------------------------


@given(
    st.dictionaries(st.text(min_size=1, max_size=3), st.integers(0, 50), max_size=6),
    st.integers(0, 200),
)
def test_allocation_respects_sizes_and_the_total(sizes, n):
    shares = allocate(sizes, {}, n)
    assert all(0 <= shares[k] <= sizes[k] for k in sizes)
    assert sum(shares.values()) == min(n, sum(sizes.values()))


@given(st.integers(0, 10_000), st.integers(1, 40))
def test_a_draw_is_reproducible_with_no_case_or_phone_twice(seed, n):
    candidates = [
        Candidate(
            i,
            (f"g{i % 3}", "rejected" if i % 4 == 0 else "approved"),
            i % 4 == 0,
            f"phone-{i % 45}",
        )
        for i in range(60)
    ]
    first = draw_sample(candidates, n, seed, oversample_factor=2.0)
    assert first == draw_sample(list(reversed(candidates)), n, seed, 2.0)
    assert len(first) == len(set(first)) == min(n, 45)
    phones = [candidates[i].phone_key for i in first]
    assert len(phones) == len(set(phones))


def test_oversampling_draws_more_of_the_boosted_cases():
    candidates = [Candidate(i, ("g",), i < 20, f"p{i}") for i in range(100)]
    plain = draw_sample(candidates, 20, 1, oversample_factor=1.0)
    boosted = draw_sample(candidates, 20, 1, oversample_factor=3.0)
    assert sum(i < 20 for i in plain) == 4
    assert sum(i < 20 for i in boosted) == 9  # 20*3 / (20*3 + 80) of 20 places


# --- issue 25: evidence against the unit's own history --------------------------

from survey.domain import quality_evidence as evidence  # noqa: E402
from survey.domain.quality_evidence import (  # noqa: E402
    ContentCounts,
    RatedAnswers,
    UnitEvidence,
)

MONDAY = 20094  # 2025-01-06, in days since 1970-01-01


def office_history(per_day: int, weeks: int = 12) -> UnitEvidence:
    """A unit with ``per_day`` submissions each working day, 8:00-16:00."""
    e = UnitEvidence(history_days=7 * weeks, history_first_day=MONDAY - 7 * weeks)
    for day in range(MONDAY - 7 * weeks, MONDAY):
        if (day + 3) % 7 >= 5:
            continue
        e.history_day_counts[day] = per_day
        for k in range(per_day):
            slot = ((day + 3) % 7) * 24 + 8 + k % 8
            e.history_slots[slot] = e.history_slots.get(slot, 0) + 1
    return e


def add_current(e: UnitEvidence, day: int, hour: int, count: int, spacing: int) -> None:
    start = (MONDAY + day) * 86400 + hour * 3600
    for i in range(count):
        seconds = start + i * spacing
        window, hour_id = seconds // 600, seconds // 3600
        e.current_windows[window] = e.current_windows.get(window, 0) + 1
        e.current_hours[hour_id] = e.current_hours.get(hour_id, 0) + 1


def test_arrivals_are_judged_against_the_units_own_hours_and_days():
    usual = office_history(8)
    for day in range(28):
        if (day % 7) < 5:
            for hour in range(8, 16):
                add_current(usual, day, hour, 1, 60)
    assert evidence.arrival_surge(usual).level == "green"
    stuffed = office_history(8)
    stuffed.current_hours = dict(usual.current_hours)
    stuffed.current_windows = dict(usual.current_windows)
    add_current(stuffed, 9, 10, 40, 0)  # 40 forms within a second
    found = evidence.arrival_surge(stuffed)
    assert found.level == "red" and found.p < 1e-6


def test_a_night_is_unusual_only_for_a_unit_that_is_shut_at_night():
    def month(e: UnitEvidence) -> UnitEvidence:
        for day in range(28):
            if day % 7 < 5:
                for hour in range(8, 16):
                    add_current(e, day, hour, 1, 60)
        return e

    office, shop = month(office_history(8)), month(UnitEvidence())
    for e in (office, shop):
        add_current(e, 2, 2, 6, 300)  # six forms at 2 a.m. over half an hour
    found = evidence.arrival_surge(office)
    assert found.level == "red" and "hour 6" in found.reason
    # no history and no city profile: every hour is as likely as another
    assert evidence.arrival_surge(shop).level == "green"


def test_favourable_means_favourable_on_the_reverse_worded_item_too():
    careful = RatedAnswers(5, (5, 5, 4), (5, 4, 5), check=1)
    crude = RatedAnswers(5, (5, 5, 5), (5, 5, 5), check=5)  # waited too long?
    assert evidence.is_favourable(careful) and not evidence.is_favourable(crude)
    assert not evidence.is_favourable(RatedAnswers(4, (5, 5), (5, 5), check=1))
    coached = RatedAnswers(3, (5, 5, 5), (3, 4, 2, 3))
    assert evidence.is_coached(coached) and not evidence.is_coached(careful)


def counts(n: int, favourable: int, mean: float = 4.0, sd: float = 0.5):
    c = ContentCounts(n=n, favourable=favourable)
    c.score_sum = n * mean
    c.score_squares = (n - 1) * sd * sd + n * mean * mean
    return c


def test_content_is_judged_against_the_units_own_history():
    # a happy unit is itself: 30 % favourable then and now is green
    happy = UnitEvidence(history=counts(600, 180), current=counts(200, 60))
    assert evidence.favourable_pattern(happy).level == "green"
    # a jump from 5 % to 20 % in four weeks is not
    jump = UnitEvidence(history=counts(600, 30), current=counts(200, 40))
    assert evidence.favourable_pattern(jump).level == "red"
    # with no history, the median unit of the city is the reference
    new = UnitEvidence(current=counts(100, 30))
    assert evidence.favourable_pattern(new, city_share=0.05).level == "red"
    assert evidence.favourable_pattern(new).level == "none"
    shifted = UnitEvidence(history=counts(600, 0, 3.8), current=counts(200, 0, 4.1))
    assert evidence.score_shift(shifted).level == "red"


def test_quick_favourable_forms_stand_out_where_a_happy_unit_stays_green():
    # the unit's citizens take 100-399 s; a third of them under 200 s
    durations = [100 + i % 300 for i in range(600)]
    assert evidence.quick_cut(durations) == 200
    before = [100 + (7 * i) % 300 for i in range(120)]  # 20 % favourable
    # 20 % favourable now too, at the citizens' own pace: green
    same = UnitEvidence(
        history=counts(600, 120),
        current=counts(200, 40),
        history_durations=durations,
        history_favourable_durations=before,
        favourable_durations=[100 + (7 * i) % 300 for i in range(40)],
    )
    assert evidence.favourable_pattern(same).level == "green"
    # 30 %: the share alone is not red; the 30 extra forms, all under
    # two minutes and a half, are
    quick = UnitEvidence(
        history=counts(600, 120),
        current=counts(230, 70),
        history_durations=durations,
        history_favourable_durations=before,
        favourable_durations=same.favourable_durations + list(range(120, 150)),
    )
    plain = UnitEvidence(history=counts(600, 120), current=counts(230, 70))
    assert evidence.favourable_pattern(plain).level in ("green", "amber")
    assert evidence.favourable_pattern(quick).level == "red"
    assert "under 200 s" in evidence.favourable_pattern(quick).reason


def test_impossible_forms_and_repeat_devices_stand_out_where_there_were_none():
    e = UnitEvidence(submitted=200, hard_flagged=4, history_submitted=1200)
    assert evidence.hard_flags(e).level == "red"
    e = UnitEvidence(submitted=200, hard_flagged=1, history_submitted=1200)
    assert evidence.hard_flags(e).level == "green"
    e = UnitEvidence(submitted=200, repeats=5, history_submitted=1200)
    assert evidence.repeat_devices(e).level == "red"
    usual = UnitEvidence(
        submitted=200, repeats=5, history_submitted=1200, history_repeats=30
    )
    assert evidence.repeat_devices(usual).level == "green"


def test_the_unit_score_is_bonferroni_over_the_evidence():
    def ind(code: str, p: float) -> quality.Indicator:
        return quality.Indicator(code, "green", "", p, p)

    pieces = len(evidence.EVIDENCE)
    assert pieces == 6
    amber, red = 0.01 / pieces, 0.001 / pieces
    assert evidence.unit_score([ind("score_shift", amber * 0.99)]).level == "amber"
    assert evidence.unit_score([ind("score_shift", red * 0.99)]).level == "red"
    assert evidence.unit_score([ind("score_shift", amber * 1.01)]).level == "green"
    assert evidence.unit_score([ind("score_shift", red * 1.01)]).level == "amber"
    assert evidence.unit_score([]).level == "none"
    red_case = quality.Indicator("ratings_per_case", "red", "")
    score = quality.Indicator("unit_score", "green", "")
    assert evidence.unit_level([red_case, score]) == "red"
    legacy = quality.Indicator("all_top", "red", "")
    assert evidence.unit_level([legacy, score]) == "red"
    legacy_amber = quality.Indicator("all_top", "amber", "")
    assert evidence.unit_level([legacy_amber, score]) == "green"
    lone_piece = quality.Indicator("score_shift", "red", "")
    assert evidence.unit_level([lone_piece, score]) == "green"


def test_a_speeder_is_also_one_faster_than_reading_the_items():
    assert quality.speeder(80, 120, answered=30) is not None  # 2.7 s an item
    assert quality.speeder(95, 120, answered=30) is None  # 3.2 s an item
    assert quality.speeder(80, None, answered=30) is not None
    assert quality.HARD_SPEED_SECONDS_PER_ITEM < quality.READING_SECONDS_PER_ITEM
