"""The cell-key method's pure logic: the perturbation table and the keys."""

from __future__ import annotations

from collections import Counter
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from survey.domain import disclosure as dc

counts = st.integers(min_value=0, max_value=10_000)
keys = st.integers(min_value=0, max_value=(1 << 62))
draws = st.floats(min_value=0.0, max_value=1.0, exclude_max=True)


def test_every_row_of_the_table_is_a_distribution_with_mean_zero():
    for count in range(0, 50):
        row = dc.table_row(count)
        assert sum(row.probabilities) == 1
        assert row.mean == 0
        assert all(p > 0 for p in row.probabilities)
        assert max(abs(e) for e in row.noises) <= dc.MAX_NOISE
        assert all(count + e >= 0 for e in row.noises)
    assert dc.table_row(0).noises == (0,)
    assert dc.table_row(1).noises == (-1, 0, 1)
    assert dc.table_row(7).variance == Fraction(1212, 1000)
    assert dc.table_row(2).noises == (-2, -1, 0, 1, 2)


@given(counts, draws)
def test_a_noise_is_small_and_never_makes_a_count_negative(count, u):
    e = dc.noise(count, u)
    assert abs(e) <= dc.MAX_NOISE
    assert count + e >= 0
    if count == 0:
        assert e == 0


@given(counts, draws)
def test_the_possible_counts_of_a_published_one_hold_the_true_one(count, u):
    low, high = dc.possible_counts(count + dc.noise(count, u))
    assert low <= count <= high
    assert dc.possible_counts(0) == (0, dc.MAX_NOISE)


def test_the_draws_follow_the_table():
    """Over a fine grid of draws, each noise comes up with its probability."""
    grid = 10_000
    seen = Counter(dc.noise(20, (i + 0.5) / grid) for i in range(grid))
    row = dc.table_row(20)
    for e, p in zip(row.noises, row.probabilities, strict=True):
        assert abs(seen[e] / grid - float(p)) < 1e-3


@given(keys, st.text(max_size=5))
def test_a_draw_depends_on_the_key_modulo_the_modulus_only(key, measure):
    u = dc.draw(key, measure)
    assert 0 <= u < 1
    assert dc.draw(key + dc.KEY_MODULUS, measure) == u
    assert dc.draw(key, measure) == u  # stable: the same cell, the same noise


def test_draws_of_neighbouring_keys_and_measures_look_independent():
    us = [dc.draw(k, "code") for k in range(2000)]
    assert abs(sum(us) / len(us) - 0.5) < 0.03
    same_key = [dc.draw(123, ("code", c)) for c in range(11)]
    assert len(set(same_key)) == 11


@given(counts, keys, st.integers(min_value=1, max_value=50))
def test_a_count_keeps_its_side_of_the_minimum_n(count, key, min_n):
    published = dc.perturb_count(count, key, "responses", min_n)
    assert published >= 0
    assert (published >= min_n) == (count >= min_n)
    assert (published == 0) == (count == 0) or count <= dc.MAX_NOISE
    assert abs(published - count) <= dc.MAX_NOISE


@given(
    st.dictionaries(st.sampled_from([1, 2, 3, 4, 5, 9]), counts, max_size=6),
    keys,
    st.integers(min_value=1, max_value=30),
)
def test_a_distribution_keeps_its_zeros_and_its_side_of_the_minimum_n(
    codes, key, min_n
):
    valid = frozenset({1, 2, 3, 4, 5})
    out = dc.perturb_codes(codes, key, valid, min_n)
    assert all(v >= 0 for v in out.values())
    assert all(codes.get(code, 0) > 0 for code in out)  # zero stays zero
    true_n = sum(c for code, c in codes.items() if code in valid)
    shown_n = sum(c for code, c in out.items() if code in valid)
    if true_n > 0 and any(codes.get(c, 0) > 0 for c in valid):
        assert (shown_n >= min_n) == (true_n >= min_n)
    assert dc.perturb_codes(codes, key, valid, min_n) == out  # deterministic


@given(st.dictionaries(st.integers(0, 10), counts, max_size=11), keys)
def test_without_a_minimum_each_count_moves_by_at_most_d(codes, key):
    out = dc.perturb_codes(codes, key)
    for code, c in codes.items():
        assert abs(out.get(code, 0) - c) <= dc.MAX_NOISE


def test_the_key_of_a_cell_is_the_sum_of_its_records_keys():
    records = [dc.new_record_key() for _ in range(50)]
    assert all(0 <= k < dc.KEY_MODULUS for k in records)
    left, right = sum(records[:20]), sum(records[20:])
    # a cell's key sum is the same however its records were added up
    assert dc.cell_key(left + right) == dc.cell_key(sum(records))
    assert dc.draw(left + right, "x") == dc.draw(sum(records), "x")


@given(
    st.integers(min_value=0, max_value=500),
    st.integers(min_value=1, max_value=500),
)
def test_the_effective_n_is_at_most_n_and_grows_with_it(successes, n):
    successes = min(successes, n)
    n_eff = dc.effective_n(successes, n, 2, 3)
    assert 0 < n_eff <= n
    assert dc.effective_n(successes * 10, n * 10, 2, 3) > n_eff
