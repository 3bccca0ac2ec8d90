"""The interviewer ICC and the back-check sample, against hand computations."""

from __future__ import annotations

from datetime import date

import pytest

from survey.domain import interviewer_effect as ie
from survey.domain.working_days import add_working_days


def icc_by_hand(groups):
    """The same estimator written out from the expected mean squares:
    E[MSB] = s2_w + n0 s2_b, E[MSW] = s2_w; rho = s2_b / (s2_b + s2_w)."""
    values = [y for g in groups for y in g]
    n, k = len(values), len(groups)
    grand = sum(values) / n
    total_ss = sum((y - grand) ** 2 for y in values)
    within_ss = sum(sum((y - sum(g) / len(g)) ** 2 for y in g) for g in groups)
    between_ss = total_ss - within_ss
    msw = within_ss / (n - k)
    n0 = (n - sum(len(g) ** 2 for g in groups) / n) / (k - 1)
    s2_b = (between_ss / (k - 1) - msw) / n0
    return s2_b / (s2_b + msw)


def test_the_balanced_hand_example():
    # Means 4.75, 2.75, 3.75: MSB = 8 / 2 = 4; MSW = 2.25 / 9 = 0.25;
    # rho = (4 - 0.25) / (4 + 3 x 0.25) = 3.75 / 4.75.
    groups = [[5, 5, 4, 5], [3, 2, 3, 3], [4, 4, 3, 4]]
    assert ie.icc_anova(groups) == pytest.approx(3.75 / 4.75)


def test_unequal_interviewer_loads_agree_with_the_variance_components():
    groups = [[5, 4, 5, 5, 3, 4, 5], [2, 3], [4, 4, 5, 3, 4], [1, 2, 2, 3]]
    assert ie.icc_anova(groups) == pytest.approx(icc_by_hand(groups))


def test_no_effect_gives_a_large_p_and_no_flag():
    groups = [[1, 5, 3, 4, 2], [2, 4, 5, 1, 3], [5, 3, 1, 2, 4]]  # same values
    effect = ie.interviewer_effect(dict(enumerate(groups)), seed=1)
    assert effect.icc is not None and effect.icc < 0
    assert effect.p_value > 0.5
    assert not effect.flagged


def test_a_strong_effect_is_flagged():
    groups = [[5, 5, 4, 5], [3, 2, 3, 3], [4, 4, 3, 4]]
    effect = ie.interviewer_effect(dict(enumerate(groups)), seed=1)
    assert effect.p_value < 0.01
    assert effect.flagged


def test_one_interviewer_has_no_icc():
    assert ie.icc_anova([[1, 2, 3]]) is None
    assert ie.icc_anova([[1], [2]]) is None  # no variance within


@pytest.mark.parametrize(
    ("interviews", "drawn"), [(0, 0), (1, 1), (20, 1), (21, 2), (40, 2), (41, 3)]
)
def test_five_percent_at_least_one(interviews, drawn):
    assert ie.random_count(interviews) == drawn


def test_the_riskiest_are_added_up_to_the_random_count():
    interviews = [ie.Interview(i, 7, flags=0, duration=300) for i in range(30)] + [
        ie.Interview(100 + i, 7, flags=i + 1, duration=60) for i in range(5)
    ]
    interviews.append(ie.Interview(200, 8, flags=0, duration=200))
    chosen = ie.backcheck_sample(interviews, seed=3)
    mine = {i: r for i, r in chosen.items() if i != 200}
    assert list(mine.values()).count("random") == 2  # ceil(5 % of 35)
    assert list(mine.values()).count("risk") == 2
    risky = sorted(i for i, r in mine.items() if r == "risk")
    # The most flagged of those not drawn at random.
    left = [i for i in (104, 103, 102, 101, 100) if mine.get(i) != "random"]
    assert risky == sorted(left[:2])
    assert chosen[200] == "random"
    assert ie.backcheck_sample(interviews, seed=3) == chosen  # seeded


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (date(2026, 12, 1), date(2026, 12, 3)),  # Tuesday -> Thursday
        (date(2026, 12, 3), date(2026, 12, 7)),  # Thursday -> Monday
        (date(2026, 12, 4), date(2026, 12, 8)),  # Friday -> Tuesday
        (date(2026, 12, 5), date(2026, 12, 8)),  # Saturday -> Tuesday
        (date(2026, 12, 6), date(2026, 12, 8)),  # Sunday -> Tuesday
    ],
)
def test_two_working_days(received, due):
    assert add_working_days(received, 2) == due
