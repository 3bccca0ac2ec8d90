"""Tests for survey.domain.statistics against METHODOLOGY.md, sections 3 to 7."""

from __future__ import annotations

import ast
import math
import random
import statistics as pystats
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import survey.domain
from survey.domain.statistics import (
    CAUTION_N,
    MIN_N,
    RANKING_N,
    Z95,
    Z998,
    Proportion,
    beta_quantile,
    bootstrap_composite_interval,
    chi2_quantile_95,
    classify_unit,
    complementary_suppression,
    composite_from_rows,
    composite_index,
    design_effect,
    display_share,
    fit_beta_prior,
    funnel_limits,
    kish_n_eff,
    margin_of_error,
    newcombe_difference,
    nps,
    overdispersion_phi,
    p_chart_limits,
    p_chart_signals,
    post_stratification_weights,
    posterior_rank_intervals,
    rake,
    rake_and_trim,
    rankable,
    regularized_incomplete_beta,
    reliability_grade,
    sample_size,
    shrink,
    standardised_rate,
    summarise_choice,
    summarise_likert,
    suppress,
    t_quantile_975,
    trim_weights,
    weighted_wilson,
    wilson,
)

FAST = settings(max_examples=100, deadline=None)

LIKERT_ANSWERS = st.lists(st.sampled_from([1, 2, 3, 4, 5, 9]), max_size=60)
LIKERT_COUNTS = st.dictionaries(
    st.sampled_from([1, 2, 3, 4, 5, 9]), st.integers(0, 500), max_size=6
)
NPS_COUNTS = st.dictionaries(st.integers(0, 10), st.integers(0, 300), max_size=11)


@st.composite
def counts_x_n(draw: st.DrawFn, max_n: int = 2000) -> tuple[int, int]:
    n = draw(st.integers(0, max_n))
    return draw(st.integers(0, n)), n


# --------------------------------------------------------------------------- #
# Purity of the domain package
# --------------------------------------------------------------------------- #

FORBIDDEN_PREFIXES = (
    "flask",  # Flask and every flask_* extension, flask_sqlalchemy included
    "sqlalchemy",
    "wtforms",
    "plotly",
    "survey.models",
)


def _imported_modules(path: Path, package: str) -> list[str]:
    """Every module a file imports, relative imports resolved against package."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                parts = package.split(".")
                base = parts[: len(parts) - node.level + 1]
                module = ".".join([*base, module] if module else base)
            names.append(module)
            names.extend(f"{module}.{alias.name}" for alias in node.names)
    return names


def _is_forbidden(module: str) -> bool:
    return module.startswith(FORBIDDEN_PREFIXES)


def test_domain_imports_no_framework_or_models() -> None:
    root = Path(survey.domain.__file__).parent
    files = sorted(root.rglob("*.py"))
    assert files
    offenders: list[str] = []
    for path in files:
        relative = path.relative_to(root.parent.parent)
        package = ".".join(relative.parts[:-1])
        offenders.extend(
            f"{relative}: {module}"
            for module in _imported_modules(path, package)
            if _is_forbidden(module)
        )
    assert offenders == []


def test_forbidden_import_detector(tmp_path: Path) -> None:
    assert _is_forbidden("flask")
    assert _is_forbidden("flask_babel")
    assert _is_forbidden("flask_sqlalchemy")
    assert _is_forbidden("sqlalchemy.orm")
    assert _is_forbidden("survey.models.responses")
    assert not _is_forbidden("survey.domain.questions")
    source = tmp_path / "example.py"
    source.write_text("from ..models import Unit\nfrom . import questions\n")
    found = _imported_modules(source, "survey.domain")
    assert "survey.models" in found
    assert "survey.domain.questions" in found
    assert any(_is_forbidden(m) for m in found)


# --------------------------------------------------------------------------- #
# Wilson, Kish, weighted Wilson
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize(
    ("n", "x", "low", "high"),
    [
        (10, 10, 0.72, 1.00),
        (10, 9, 0.60, 0.98),
        (30, 27, 0.74, 0.97),
        (100, 90, 0.83, 0.94),
        (400, 360, 0.87, 0.93),
    ],
)
def test_wilson_worked_values(n: int, x: int, low: float, high: float) -> None:
    result = wilson(x, n)
    assert result.estimate == pytest.approx(x / n)
    assert round(result.low or -1, 2) == low
    assert round(result.high or -1, 2) == high


def test_wilson_n_zero_gives_none() -> None:
    result = wilson(0, 0)
    assert (result.estimate, result.low, result.high) == (None, None, None)
    assert result.half_width is None


def test_wilson_n_one() -> None:
    result = wilson(1, 1)
    assert result.estimate == 1.0
    assert result.high == 1.0
    assert 0.0 < (result.low or 0) < 0.3


@FAST
@given(counts_x_n())
def test_wilson_contains_estimate_within_unit_interval(xn: tuple[int, int]) -> None:
    x, n = xn
    result = wilson(x, n)
    if n == 0:
        assert result.estimate is None
        return
    assert result.low is not None and result.high is not None
    assert result.estimate is not None
    assert 0.0 <= result.low <= result.estimate <= result.high <= 1.0


def test_kish_n_eff() -> None:
    assert kish_n_eff([1.0] * 20) == pytest.approx(20)
    assert kish_n_eff([1.0, 3.0]) == pytest.approx(16 / 10)
    assert kish_n_eff([]) == 0.0
    assert kish_n_eff([0.0, 0.0]) == 0.0


def test_weighted_wilson_equal_weights_match_unweighted() -> None:
    weighted = weighted_wilson(2.0 * 27, 2.0 * 30, 4.0 * 30)
    plain = wilson(27, 30)
    assert weighted.n == pytest.approx(30)
    assert weighted.estimate == pytest.approx(0.9)
    assert weighted.low == pytest.approx(plain.low)
    assert weighted.high == pytest.approx(plain.high)


def test_weighted_wilson_all_weights_zero() -> None:
    result = weighted_wilson(0.0, 0.0, 0.0)
    assert result.estimate is None and result.n == 0.0


@FAST
@given(
    st.lists(
        st.tuples(st.floats(0.0, 5.0, allow_nan=False), st.booleans()), max_size=40
    )
)
def test_weighted_wilson_contains_estimate(rows: list[tuple[float, bool]]) -> None:
    sum_w = sum(w for w, _ in rows)
    sum_w2 = sum(w * w for w, _ in rows)
    hits = sum(w for w, hit in rows if hit)
    result = weighted_wilson(hits, sum_w, sum_w2)
    if result.estimate is None:
        assert sum_w2 == 0.0 or sum_w == 0.0
        return
    assert result.low is not None and result.high is not None
    assert 0.0 <= result.low <= result.estimate <= result.high <= 1.0
    assert result.n == pytest.approx(kish_n_eff(w for w, _ in rows))


# --------------------------------------------------------------------------- #
# Five-point items, choices, NPS
# --------------------------------------------------------------------------- #


def test_summarise_likert_worked_example() -> None:
    summary = summarise_likert({1: 1, 2: 1, 3: 2, 4: 3, 5: 3, 9: 4})
    assert summary.n == 10 and summary.n_na == 4 and summary.n_eff == 10
    assert summary.shares == pytest.approx((0.1, 0.1, 0.2, 0.3, 0.3))
    assert summary.share_of(4) == pytest.approx(0.3)
    assert summary.share_of(9) is None
    assert summary.mean.estimate == pytest.approx(3.6)
    # s = sqrt(16.4 / 9), t(0.975, 9) = 2.262
    half = 2.2622 * math.sqrt(16.4 / 9) / math.sqrt(10)
    assert summary.mean.low == pytest.approx(3.6 - half, abs=1e-3)
    assert summary.mean.high == pytest.approx(3.6 + half, abs=1e-3)
    assert round(summary.mean.low or 0, 2) == 2.63
    assert round(summary.mean.high or 0, 2) == 4.57
    assert summary.mean_100.estimate == pytest.approx(65.0)
    assert summary.mean_100.low == pytest.approx((3.6 - half - 1) / 4 * 100, abs=0.1)
    assert summary.top_two == wilson(6, 10)
    assert summary.bottom_two == wilson(2, 10)


def test_summarise_likert_edge_cases() -> None:
    empty = summarise_likert({9: 3})
    assert empty.n == 0 and empty.n_na == 3
    assert empty.shares is None
    assert empty.mean.estimate is None and empty.mean_100.estimate is None
    assert empty.top_two.estimate is None and empty.bottom_two.estimate is None
    single = summarise_likert({5: 1})
    assert single.mean.estimate == 5.0
    assert single.mean.low is None and single.mean.high is None
    assert single.mean_100.estimate == 100.0
    assert summarise_likert({}).n == 0


def test_summarise_likert_rejects_unknown_codes() -> None:
    with pytest.raises(ValueError):
        summarise_likert({6: 1})
    with pytest.raises(ValueError):
        summarise_likert({3: -1})


def test_summarise_likert_weighted_with_equal_weights_matches_unweighted() -> None:
    counts = {1: 2, 2: 3, 3: 5, 4: 12, 5: 8, 9: 1}
    plain = summarise_likert(counts)
    weighted = summarise_likert(
        {code: 2.5 * c for code, c in counts.items()}, sum_w2=2.5**2 * 30
    )
    assert weighted.n_eff == pytest.approx(30)
    assert weighted.mean.estimate == pytest.approx(plain.mean.estimate)
    assert weighted.mean.low == pytest.approx(plain.mean.low)
    assert weighted.top_two.low == pytest.approx(plain.top_two.low)
    assert weighted.bottom_two.high == pytest.approx(plain.bottom_two.high)


@FAST
@given(LIKERT_COUNTS)
def test_likert_shares_sum_to_one_and_intervals_hold(counts: dict[int, int]) -> None:
    summary = summarise_likert(counts)
    if summary.n == 0:
        assert summary.shares is None
        return
    assert summary.shares is not None
    assert math.fsum(summary.shares) == pytest.approx(1.0)
    mean = summary.mean
    assert mean.estimate is not None and 1.0 <= mean.estimate <= 5.0
    if mean.low is not None and mean.high is not None:
        assert 1.0 <= mean.low <= mean.estimate <= mean.high <= 5.0
    for prop in (summary.top_two, summary.bottom_two):
        assert prop.estimate is not None
        assert prop.low is not None and prop.high is not None
        assert 0.0 <= prop.low <= prop.estimate <= prop.high <= 1.0
    assert summary.n_na == counts.get(9, 0)


@FAST
@given(LIKERT_ANSWERS, st.randoms(use_true_random=False))
def test_likert_does_not_depend_on_answer_order(
    answers: list[int], rnd: random.Random
) -> None:
    shuffled = list(answers)
    rnd.shuffle(shuffled)
    assert summarise_likert(Counter(answers)) == summarise_likert(Counter(shuffled))


def test_summarise_choice_multiple_choice_may_exceed_one() -> None:
    summary = summarise_choice({"E1": 30, "E2": 20, "E3": 25}, respondents=50)
    assert [c.option for c in summary.options] == ["E1", "E2", "E3"]
    assert [c.share.estimate for c in summary.options] == [0.6, 0.4, 0.5]
    assert summary.total_share == pytest.approx(1.5)
    assert summary.share_of("E2") == wilson(20, 50)
    assert summary.share_of("E9") is None


def test_summarise_choice_no_respondents() -> None:
    summary = summarise_choice({"E1": 0}, respondents=0)
    assert summary.total_share is None
    assert summary.options[0].share.estimate is None
    with pytest.raises(ValueError):
        summarise_choice({"E1": 11}, respondents=10)


@FAST
@given(
    st.integers(0, 300).flatmap(
        lambda r: st.tuples(
            st.just(r),
            st.dictionaries(st.sampled_from("ABCDEF"), st.integers(0, r), max_size=6),
        )
    )
)
def test_single_choice_shares_sum_to_one(case: tuple[int, dict[str, int]]) -> None:
    respondents, counts = case
    total = sum(counts.values())
    if total == 0:
        return
    # a single-choice question: the respondents are exactly the ticks
    summary = summarise_choice(counts, respondents=total)
    shares = [c.share.estimate or 0.0 for c in summary.options]
    assert math.fsum(shares) == pytest.approx(1.0)


def test_nps_worked_example() -> None:
    # 50 promoters, 30 passives, 20 detractors
    result = nps({10: 30, 9: 20, 8: 15, 7: 15, 6: 10, 0: 10})
    assert result.n == 100
    assert result.promoters == pytest.approx(0.5)
    assert result.passives == pytest.approx(0.3)
    assert result.detractors == pytest.approx(0.2)
    assert result.score == pytest.approx(30.0)
    se = 100 * math.sqrt((0.5 + 0.2 - 0.3**2) / 100)
    assert result.standard_error == pytest.approx(se)
    assert result.low == pytest.approx(30 - 1.96 * se)
    assert result.high == pytest.approx(30 + 1.96 * se)


def test_nps_edge_cases() -> None:
    empty = nps({})
    assert empty.score is None and empty.low is None and empty.n == 0
    one = nps({10: 1})
    assert one.score == 100.0 and one.high == 100.0 and one.standard_error == 0.0
    with pytest.raises(ValueError):
        nps({11: 1})


@FAST
@given(NPS_COUNTS)
def test_nps_within_bounds(counts: dict[int, int]) -> None:
    result = nps(counts)
    if result.n == 0:
        assert result.score is None
        return
    assert result.score is not None and result.low is not None
    assert result.high is not None
    assert -100.0 <= result.low <= result.score <= result.high <= 100.0
    shares = (result.promoters, result.passives, result.detractors)
    assert math.fsum(s or 0.0 for s in shares) == pytest.approx(1.0)


@FAST
@given(st.lists(st.integers(0, 10), max_size=80), st.randoms(use_true_random=False))
def test_nps_does_not_depend_on_answer_order(
    answers: list[int], rnd: random.Random
) -> None:
    shuffled = list(answers)
    rnd.shuffle(shuffled)
    assert nps(Counter(answers)) == nps(Counter(shuffled))


# --------------------------------------------------------------------------- #
# Composite index M2 and the bootstrap
# --------------------------------------------------------------------------- #


def test_composite_index_drops_small_factors() -> None:
    factors = [wilson(8, 10), wilson(3, 5), wilson(90, 100), wilson(0, 0)]
    index = composite_index(factors)
    assert index.used == (0, 2)
    assert index.dropped == (1, 3)
    assert index.is_partial
    assert index.estimate == pytest.approx((0.8 + 0.9) / 2)


def test_composite_index_all_dropped_or_empty() -> None:
    assert composite_index([wilson(1, 2)]).estimate is None
    empty = composite_index([])
    assert empty.estimate is None and not empty.is_partial


def _rows(count: int, seed: int) -> list[tuple[int | None, ...]]:
    rng = random.Random(seed)
    rates = (0.9, 0.8, 0.7, 0.85, 0.6)
    return [
        tuple(
            None if rng.random() < 0.1 else int(rng.random() < rate) for rate in rates
        )
        for _ in range(count)
    ]


def test_bootstrap_is_deterministic_and_brackets_the_estimate() -> None:
    rows = _rows(400, seed=3)
    first = bootstrap_composite_interval(rows, b=500, seed=7)
    again = bootstrap_composite_interval(rows, b=500, seed=7)
    other = bootstrap_composite_interval(rows, b=500, seed=8)
    assert first is not None and first == again
    assert other != first
    index = composite_from_rows(rows, b=500, seed=7)
    assert index.estimate is not None
    assert first[0] < index.estimate < first[1]
    assert (index.low, index.high) == first
    # about 1.96 * sqrt(mean p(1-p) / 360 / 5) on each side
    assert 0.01 < first[1] - first[0] < 0.06


def test_bootstrap_edge_cases() -> None:
    assert bootstrap_composite_interval([]) is None
    assert bootstrap_composite_interval([(1, None)] * 5) is None  # under MIN_N
    assert bootstrap_composite_interval([(1, 0)] * 20, b=0) is None
    constant = bootstrap_composite_interval([(1, 1)] * 20, b=50)
    assert constant == (1.0, 1.0)
    assert composite_from_rows([]).estimate is None


def test_bootstrap_interval_narrows_as_the_sample_grows() -> None:
    small = bootstrap_composite_interval(_rows(200, seed=11), b=400, seed=1)
    large = bootstrap_composite_interval(_rows(5000, seed=11), b=400, seed=1)
    assert small is not None and large is not None
    assert large[1] - large[0] < (small[1] - small[0]) / 2


def test_bootstrap_of_counted_patterns_equals_the_repeated_rows() -> None:
    rows = _rows(600, seed=5)
    patterns: dict[tuple[int | None, ...], int] = {}
    for row in rows:
        patterns[row] = patterns.get(row, 0) + 1
    ordered = list(patterns)
    repeated = [p for p in ordered for _ in range(patterns[p])]
    counts = [patterns[p] for p in ordered]
    expected = bootstrap_composite_interval(repeated, b=300, seed=2)
    assert expected is not None
    assert bootstrap_composite_interval(ordered, b=300, seed=2, counts=counts) == (
        expected
    )
    with pytest.raises(ValueError):
        bootstrap_composite_interval(ordered, counts=counts[:-1])
    assert bootstrap_composite_interval([(1, 1)], counts=[0]) is None


def test_bootstrap_matches_composite_index_factor_choice() -> None:
    rows: list[tuple[int | None, ...]] = [(1, None)] * 15 + [(0, 1)] * 5
    index = composite_from_rows(rows, b=200)
    assert index.used == (0,) and index.dropped == (1,)
    assert index.estimate == pytest.approx(0.75)


# --------------------------------------------------------------------------- #
# Suppression and display
# --------------------------------------------------------------------------- #


def test_suppress_levels() -> None:
    assert suppress(9.99) == "suppressed"
    assert suppress(None) == "suppressed"
    assert suppress(float("nan")) == "suppressed"
    assert suppress(MIN_N) == "caution"
    assert suppress(CAUTION_N - 0.01) == "caution"
    assert suppress(CAUTION_N) == "ok"


def test_rankable() -> None:
    assert rankable(RANKING_N, 0.07)
    assert not rankable(99.9, 0.05)
    assert not rankable(500, 0.071)
    assert not rankable(500, None)
    assert rankable(400, wilson(360, 400).half_width)


def test_display_share() -> None:
    assert display_share(wilson(9, 9)).kind == "suppressed"
    capped = display_share(wilson(20, 20))
    assert (capped.kind, capped.value, capped.caution) == ("capped", 0.95, True)
    caution = display_share(wilson(18, 20))
    assert (caution.kind, caution.value, caution.caution) == ("value", 0.9, True)
    ok = display_share(wilson(30, 30))
    assert (ok.kind, ok.value, ok.caution) == ("value", 1.0, False)
    assert display_share(wilson(0, 0)).kind == "suppressed"


@FAST
@given(
    st.lists(st.floats(0.0, 10.0, allow_nan=False), max_size=30),
    st.floats(0.0, 1.0),
)
def test_suppression_never_leaks_below_threshold(
    weights: list[float], share: float
) -> None:
    sum_w = sum(weights)
    sum_w2 = sum(w * w for w in weights)
    prop = weighted_wilson(share * sum_w, sum_w, sum_w2)
    n_eff = kish_n_eff(weights)
    shown = display_share(prop)
    if n_eff < MIN_N:
        assert suppress(n_eff) == "suppressed"
        assert shown.kind == "suppressed" and shown.value is None
    else:
        assert shown.kind != "suppressed"


@FAST
@given(counts_x_n(max_n=60))
def test_display_share_unweighted_threshold(xn: tuple[int, int]) -> None:
    x, n = xn
    shown = display_share(wilson(x, n))
    if n < MIN_N:
        assert shown.kind == "suppressed" and shown.value is None
    elif n < CAUTION_N and x / n > 0.95:
        assert shown.kind == "capped" and shown.value == 0.95
    elif n < CAUTION_N and x / n < 0.05:
        assert shown.kind == "capped" and shown.value == pytest.approx(0.05)
    else:
        assert shown.kind == "value" and shown.value == pytest.approx(x / n)


def test_complementary_suppression() -> None:
    children = {"a": 4, "b": 40, "c": 25, "d": 25}
    assert complementary_suppression(94, children) == {"a", "c"}
    assert complementary_suppression(94, {"a": 4, "b": 3, "c": 30}) == {"a", "b"}
    assert complementary_suppression(8, {"a": 4, "b": 4}) == {"a", "b"}
    assert complementary_suppression(5, {"a": 4, "b": 20}) == {"a"}
    assert complementary_suppression(100, {"a": 50, "b": 50}) == set()
    assert complementary_suppression(4, {"a": 4}) == {"a"}


@FAST
@given(st.dictionaries(st.text("abcdef", min_size=1, max_size=3), st.integers(0, 60)))
def test_complementary_suppression_leaves_no_single_gap(
    children: dict[str, int],
) -> None:
    parent = sum(children.values())
    hidden = complementary_suppression(parent, children)
    assert {k for k, n in children.items() if n < MIN_N} <= hidden
    if parent >= MIN_N and len(children) > 1:
        assert len(hidden) != 1


def test_reliability_grade() -> None:
    assert reliability_grade(9) == "-"
    assert reliability_grade(15) == "C"
    assert reliability_grade(500, flag="red") == "C"
    assert reliability_grade(50) == "B"
    assert reliability_grade(500, flag="amber") == "B"
    assert reliability_grade(500, invited=False) == "B"
    assert reliability_grade(100) == "A"


# --------------------------------------------------------------------------- #
# Funnel plot, overdispersion, empirical Bayes, standardisation
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize(
    ("n", "low", "high"), [(30, 0.65, 1.00), (100, 0.74, 0.96), (300, 0.79, 0.91)]
)
def test_funnel_worked_values(n: int, low: float, high: float) -> None:
    lower, upper = funnel_limits(0.85, n, Z998)
    assert (round(lower, 2), round(upper, 2)) == (low, high)


def test_funnel_exact_below_thirty() -> None:
    # Bin(20, 0.85): P(X <= 13) = 0.0219 < 0.025 <= P(X <= 14)
    lower, upper = funnel_limits(0.85, 20, Z95)
    assert lower == pytest.approx(14 / 20)
    assert upper == pytest.approx(20 / 20)
    assert funnel_limits(0.85, 0, Z95) == (0.0, 1.0)


@FAST
@given(
    st.floats(0.0, 1.0),
    st.integers(1, 2000),
    st.floats(1.0, 5.0),
)
def test_funnel_limits_contain_p0_and_nest(p0: float, n: int, phi: float) -> None:
    inner = funnel_limits(p0, n, Z95, phi)
    outer = funnel_limits(p0, n, Z998, phi)
    for low, high in (inner, outer):
        assert 0.0 <= low <= p0 <= high <= 1.0
    assert outer[0] <= inner[0] + 1e-12 and inner[1] <= outer[1] + 1e-12
    plain = funnel_limits(p0, n, Z95)
    assert inner[0] <= plain[0] + 1e-12 and plain[1] <= inner[1] + 1e-12


def test_classify_unit() -> None:
    assert classify_unit(100, 100, 0.85) == "above"
    assert classify_unit(60, 100, 0.85) == "below"
    assert classify_unit(85, 100, 0.85) == "expected"
    assert classify_unit(0, 0, 0.85) == "expected"
    assert classify_unit(13, 20, 0.85) == "below"
    assert classify_unit(14, 20, 0.85) == "expected"
    # widened limits for overdispersion take a unit back into the funnel
    assert classify_unit(78, 100, 0.85, phi=3.0) == "expected"


def test_overdispersion_phi() -> None:
    calm = [(85, 100), (170, 200), (255, 300), (42, 50)]
    assert overdispersion_phi(calm, 0.85) == 1.0
    spread = [(50, 100), (99, 100), (70, 100), (95, 100), (60, 100), (90, 100)]
    phi = overdispersion_phi(spread, 0.8)
    assert phi > 1.0
    assert overdispersion_phi([], 0.8) == 1.0
    assert overdispersion_phi([(5, 10)], 0.8) == 1.0
    assert overdispersion_phi(spread, 1.0) == 1.0


def test_chi2_quantile_wilson_hilferty() -> None:
    # exact values 3.841, 18.307, 124.342
    assert chi2_quantile_95(1) == pytest.approx(3.841, rel=0.03)
    assert chi2_quantile_95(10) == pytest.approx(18.307, rel=0.002)
    assert chi2_quantile_95(100) == pytest.approx(124.342, rel=0.001)


@pytest.mark.parametrize(
    ("x", "n", "mean"), [(10, 10, 0.90), (95, 100, 0.93), (270, 300, 0.90)]
)
def test_shrink_worked_values(x: int, n: int, mean: float) -> None:
    posterior = shrink(x, n, 17, 3)
    assert posterior.estimate is not None
    assert round(posterior.estimate, 2) == mean
    assert posterior.low is not None and posterior.high is not None
    assert posterior.low < posterior.estimate < posterior.high


def test_shrink_interval_is_the_beta_posterior() -> None:
    posterior = shrink(10, 10, 17, 3)
    # Beta(27, 3): the 2.5 % and 97.5 % points are where the CDF is 0.025, 0.975
    assert regularized_incomplete_beta(posterior.low or 0, 27, 3) == pytest.approx(
        0.025, abs=1e-9
    )
    assert regularized_incomplete_beta(posterior.high or 0, 27, 3) == pytest.approx(
        0.975, abs=1e-9
    )


@FAST
@given(counts_x_n(max_n=500), st.floats(0.01, 50.0), st.floats(0.01, 50.0))
def test_shrink_interval_contains_estimate(
    xn: tuple[int, int], alpha: float, beta: float
) -> None:
    x, n = xn
    posterior = shrink(x, n, alpha, beta)
    assert posterior.estimate is not None
    assert posterior.low is not None and posterior.high is not None
    assert 0.0 <= posterior.low <= posterior.estimate <= posterior.high <= 1.0


def test_beta_helpers() -> None:
    assert regularized_incomplete_beta(0.3, 1, 1) == pytest.approx(0.3)
    assert regularized_incomplete_beta(0.5, 4, 4) == pytest.approx(0.5)
    assert regularized_incomplete_beta(0.4, 2, 1) == pytest.approx(0.16)
    assert beta_quantile(0.25, 2, 1) == pytest.approx(0.5, abs=1e-9)
    assert beta_quantile(0.5, 1, 1) == pytest.approx(0.5, abs=1e-9)
    assert beta_quantile(0.5, 0, 3) == 0.0
    assert beta_quantile(0.5, 3, 0) == 1.0


def test_t_quantiles() -> None:
    assert t_quantile_975(0) is None
    assert t_quantile_975(1) == pytest.approx(12.706, abs=1e-3)
    assert t_quantile_975(9) == pytest.approx(2.262, abs=1e-3)
    assert t_quantile_975(29) == pytest.approx(2.045, abs=1e-3)
    assert t_quantile_975(10**6) == pytest.approx(1.96, abs=1e-3)
    for df in (1, 2, 3.5, 7, 12, 30, 31, 45, 80, 250):
        t = t_quantile_975(df)
        assert t is not None
        # two-sided tail P(|T| > t) = I_{df/(df+t^2)}(df/2, 1/2) = 0.05
        tail = regularized_incomplete_beta(df / (df + t * t), df / 2, 0.5)
        assert tail == pytest.approx(0.05, abs=2e-4)


def test_fit_beta_prior() -> None:
    units = [(5, 10), (9, 10), (20, 40), (35, 40)]
    prior = fit_beta_prior(units)
    assert prior is not None
    alpha, beta = prior
    assert alpha == pytest.approx(3.322, abs=0.01)
    assert beta == pytest.approx(1.4926, abs=0.01)
    assert alpha / (alpha + beta) == pytest.approx(69 / 100)


def test_fit_beta_prior_without_spread() -> None:
    assert fit_beta_prior([(85, 100), (170, 200), (85, 100)]) is None
    assert fit_beta_prior([(85, 100)]) is None
    assert fit_beta_prior([(0, 100), (0, 50)]) is None
    assert fit_beta_prior([]) is None


def test_posterior_rank_intervals() -> None:
    units = {"high": (290, 300), "low": (150, 300), "mid": (240, 300)}
    ranks = posterior_rank_intervals(units, 17, 3, draws=2000, seed=1)
    assert ranks["high"].median == 1 and (ranks["high"].low, ranks["high"].high) == (
        1,
        1,
    )
    assert ranks["mid"].median == 2
    assert ranks["low"].median == 3
    assert posterior_rank_intervals({}, 1, 1) == {}
    close = posterior_rank_intervals(
        {"a": (45, 50), "b": (44, 50)}, 17, 3, draws=2000, seed=2
    )
    assert (close["a"].low, close["a"].high) == (1, 2)


def test_standardised_rate() -> None:
    result = standardised_rate(
        {"land": (30, 50), "civil": (45, 50)},
        {"land": 0.6, "civil": 0.95},
        city_rate=0.85,
    )
    assert result.observed == 75
    assert result.expected == pytest.approx(77.5)
    assert result.ratio == pytest.approx(75 / 77.5)
    assert result.rate == pytest.approx(75 / 77.5 * 0.85)
    assert standardised_rate({}, {}, 0.85).ratio is None


# --------------------------------------------------------------------------- #
# Trends
# --------------------------------------------------------------------------- #


def test_newcombe_worked_example() -> None:
    # Newcombe (1998), method 10: 56/70 - 48/80 -> 0.0524 to 0.3339
    difference = newcombe_difference(wilson(56, 70), wilson(48, 80))
    assert difference.estimate == pytest.approx(0.2)
    assert difference.low == pytest.approx(0.0524, abs=1e-4)
    assert difference.high == pytest.approx(0.3339, abs=1e-4)
    assert difference.real


def test_newcombe_not_real_and_empty() -> None:
    assert not newcombe_difference(wilson(85, 100), wilson(80, 100)).real
    empty = newcombe_difference(wilson(0, 0), wilson(5, 10))
    assert empty.estimate is None and not empty.real


@FAST
@given(counts_x_n(), counts_x_n())
def test_newcombe_interval_contains_difference(
    first: tuple[int, int], second: tuple[int, int]
) -> None:
    difference = newcombe_difference(wilson(*first), wilson(*second))
    if first[1] == 0 or second[1] == 0:
        assert difference.estimate is None
        return
    assert difference.low is not None and difference.high is not None
    assert difference.estimate is not None
    assert -1.0 <= difference.low <= difference.estimate <= difference.high <= 1.0
    assert difference.real == (difference.low > 0 or difference.high < 0)


def test_p_chart_limits() -> None:
    low, high = p_chart_limits(0.85, 100)
    assert low == pytest.approx(0.85 - 3 * math.sqrt(0.85 * 0.15 / 100))
    assert high == pytest.approx(0.85 + 3 * math.sqrt(0.85 * 0.15 / 100))
    assert p_chart_limits(0.85, 0) == (0.0, 1.0)
    assert p_chart_limits(0.99, 10)[1] == 1.0


def test_p_chart_signals() -> None:
    points = [(90, 100)] * 8 + [(50, 100), (85, 100), (0, 0)]
    signals = p_chart_signals(points, 0.85)
    assert [s.in_run for s in signals] == [True] * 8 + [False] * 3
    assert signals[8].outside == "below"
    assert signals[0].outside is None
    assert signals[9].outside is None and signals[10].share is None
    short_run = p_chart_signals([(90, 100)] * 7, 0.85)
    assert not any(s.in_run for s in short_run)


# --------------------------------------------------------------------------- #
# Sample size
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize(
    ("moe", "n"), [(0.10, 49), (0.07, 100), (0.05, 196), (0.03, 545)]
)
def test_sample_size_worked_values(moe: float, n: int) -> None:
    assert sample_size(moe, p=0.85) == n


def test_sample_size_and_margin_with_finite_population() -> None:
    n = sample_size(0.05, 0.85, population=1000)
    n0 = 1.96**2 * 0.85 * 0.15 / 0.05**2
    assert n == math.ceil(n0 / (1 + (n0 - 1) / 1000))
    assert n is not None
    moe = margin_of_error(0.85, n, population=1000)
    assert moe is not None and moe <= 0.05
    assert margin_of_error(0.85, 196) == pytest.approx(0.05, abs=1e-3)
    assert margin_of_error(0.85, 0) is None
    assert margin_of_error(0.85, 1000, population=1000) == 0.0
    assert sample_size(0.0) is None
    assert sample_size(0.0, population=300) == 300


# --------------------------------------------------------------------------- #
# Weighting
# --------------------------------------------------------------------------- #


def test_post_stratification_merges_small_cells_in_key_order() -> None:
    sample = {"a": 2, "b": 10, "c": 3, "d": 8}
    population = {"a": 20.0, "b": 100.0, "c": 30.0, "d": 80.0, "e": 10.0}
    weights = post_stratification_weights(sample, population)
    # a (2) merges into b -> {a, b}; c (3) into d -> {c, d}; e (0), the last,
    # into the previous group -> {c, d, e}
    assert weights == pytest.approx(
        {"a": 10.0, "b": 10.0, "c": 120 / 11, "d": 120 / 11}
    )


def test_post_stratification_simple_and_empty() -> None:
    weights = post_stratification_weights({"x": 10, "y": 20}, {"x": 100, "y": 100})
    assert weights == pytest.approx({"x": 10.0, "y": 5.0})
    assert post_stratification_weights({"x": 0}, {"x": 100}) == {}
    tiny = post_stratification_weights({"x": 1, "y": 2}, {"x": 10, "y": 20})
    assert tiny == pytest.approx({"x": 10.0, "y": 10.0})


@FAST
@given(
    st.dictionaries(
        st.text("abcdefgh", min_size=1, max_size=2),
        st.tuples(st.integers(0, 40), st.floats(0.0, 1000.0)),
        min_size=1,
        max_size=12,
    )
)
def test_post_stratification_reproduces_the_population_total(
    cells: dict[str, tuple[int, float]],
) -> None:
    sample = {k: n for k, (n, _) in cells.items()}
    population = {k: big for k, (_, big) in cells.items()}
    weights = post_stratification_weights(sample, population)
    if sum(sample.values()) == 0:
        assert weights == {}
        return
    weighted_total = sum(sample[k] * weights[k] for k in sample)
    assert weighted_total == pytest.approx(sum(population.values()), abs=1e-6)


def _rake_rows() -> list[dict[str, str]]:
    cells = {("m", "y"): 10, ("m", "o"): 20, ("f", "y"): 30, ("f", "o"): 40}
    return [
        {"sex": sex, "age": age} for (sex, age), n in cells.items() for _ in range(n)
    ]


RAKE_MARGINS = {"sex": {"m": 500.0, "f": 500.0}, "age": {"y": 600.0, "o": 400.0}}


def test_rake_matches_every_margin() -> None:
    rows = _rake_rows()
    weights = rake(rows, RAKE_MARGINS)
    for variable, targets in RAKE_MARGINS.items():
        for category, target in targets.items():
            total = sum(w for w, row in zip(weights, rows) if row[variable] == category)
            assert total == pytest.approx(target, abs=1e-6 * 1000)


def test_rake_edge_cases() -> None:
    assert rake([], RAKE_MARGINS) == []
    # a category with no rows is ignored; unknown categories are left alone
    rows = [{"sex": "m"}, {"sex": "m"}, {"sex": "x"}]
    assert rake(rows, {"sex": {"m": 10.0, "f": 10.0}}) == [5.0, 5.0, 1.0]


@FAST
@given(
    st.lists(
        st.tuples(st.sampled_from("xyz"), st.sampled_from("pq")),
        min_size=1,
        max_size=40,
    ),
    st.randoms(use_true_random=False),
)
def test_rake_does_not_depend_on_row_order(
    cells: list[tuple[str, str]], rnd: random.Random
) -> None:
    rows = [{"a": a, "b": b} for a, b in cells]
    margins = {
        "a": {"x": 300.0, "y": 500.0, "z": 200.0},
        "b": {"p": 450.0, "q": 550.0},
    }
    order = list(range(len(rows)))
    rnd.shuffle(order)
    weights = rake(rows, margins)
    shuffled = rake([rows[i] for i in order], margins)
    for position, i in enumerate(order):
        assert shuffled[position] == pytest.approx(weights[i], rel=1e-6, abs=1e-9)


def test_trim_weights_and_rake_and_trim() -> None:
    assert trim_weights([]) == []
    assert trim_weights([1.0, 1.0, 10.0, 0.01]) == pytest.approx(
        [1.0, 1.0, 3.0 * 3.0025, 0.3 * 3.0025]
    )
    cells = {("m", "y"): 2, ("m", "o"): 48, ("f", "y"): 25, ("f", "o"): 25}
    rows = [{"sex": s, "age": a} for (s, a), n in cells.items() for _ in range(n)]
    margins = {"sex": {"m": 50.0, "f": 50.0}, "age": {"y": 50.0, "o": 50.0}}
    raked = rake(rows, margins)
    trimmed = rake_and_trim(rows, margins)
    deff_raked = design_effect(raked)
    deff_trimmed = design_effect(trimmed)
    assert deff_raked is not None and deff_trimmed is not None
    assert deff_trimmed < deff_raked
    assert max(trimmed) < max(raked)
    for variable, targets in margins.items():
        for category, target in targets.items():
            total = sum(w for w, r in zip(trimmed, rows) if r[variable] == category)
            assert total == pytest.approx(target, abs=1e-4)


def test_design_effect() -> None:
    weights = [1.0, 2.0, 3.0, 4.0]
    mean = pystats.fmean(weights)
    expected = 1 + pystats.pvariance(weights) / mean**2
    assert design_effect(weights) == pytest.approx(expected)
    assert design_effect(weights) == pytest.approx(len(weights) / kish_n_eff(weights))
    assert design_effect([1.0] * 5) == pytest.approx(1.0)
    assert design_effect([]) is None
    assert design_effect([0.0, 0.0]) is None


def test_proportion_half_width() -> None:
    prop = Proportion(9, 10, 0.9, 0.6, 0.98)
    assert prop.half_width == pytest.approx(0.19)
    assert Z95 == 1.96 and Z998 == 3.09


def test_display_share_caps_small_shares_below_five_percent_too() -> None:
    low = display_share(wilson(0, 20))
    assert (low.kind, low.value, low.caution) == ("capped", pytest.approx(0.05), True)
    assert display_share(wilson(0, 30)).kind == "value"  # from 30 on: the value
    assert display_share(wilson(1, 20)).kind == "value"  # 5 % is not below 5 %
