"""Reform lineage: link checks and reconstruction from predecessors."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from survey.domain.lineage import Counts, Link, composition, link_problems, reconstruct


def test_shares_of_a_former_unit_must_add_up_to_one():
    links = [Link("F1", "A", 1.0), Link("F2", "A", 0.7), Link("F2", "B", 0.2)]
    problems = link_problems(links)
    assert len(problems) == 1 and "F2" in problems[0] and "0.900" in problems[0]
    assert link_problems([Link("F", "F", 1.0)])  # a unit cannot succeed itself
    assert link_problems([Link("F", "A", 0.0), Link("F", "B", 1.0)])
    assert link_problems([Link("F", "A", 0.5), Link("F", "A", 0.5)])  # twice
    assert link_problems([Link("F", "A", 0.4), Link("F", "B", 0.6)]) == []


def test_a_whole_merge_is_a_plain_sum_and_not_estimated():
    parts = composition("A", [Link("F1", "A", 1.0), Link("F2", "A", 1.0)])
    figure = reconstruct(parts, {"F1": Counts(10, 15), "F2": Counts(20, 30)})
    assert (figure.successes, figure.n, figure.respondents) == (30, 45, 45)
    assert not figure.estimated


def test_a_part_counts_at_its_share_and_is_marked_estimated():
    parts = composition("A", [Link("F1", "A", 1.0), Link("F2", "A", 0.7)])
    figure = reconstruct(parts, {"F1": Counts(10, 15), "F2": Counts(20, 30)})
    assert math.isclose(figure.successes, 24) and math.isclose(figure.n, 36)
    assert figure.respondents == 45 and figure.estimated
    # Below the people behind it: the interval is wider than 45 would give.
    assert figure.n < figure.respondents


@st.composite
def reforms(draw):
    """Former units split at random between successors, with random counts."""
    successors = ["A", "B", "C"]
    links, counts = [], {}
    for i in range(draw(st.integers(1, 6))):
        name = f"F{i}"
        chosen = draw(st.lists(st.sampled_from(successors), min_size=1, unique=True))
        cuts = [draw(st.integers(1, 10)) for _ in chosen]
        links += [Link(name, s, c / sum(cuts)) for s, c in zip(chosen, cuts)]
        n = draw(st.integers(0, 500))
        counts[name] = Counts(draw(st.integers(0, n)), n)
    return successors, links, counts


@given(reforms())
def test_successors_add_up_to_their_predecessors_exactly(case):
    successors, links, counts = case
    assert link_problems(links) == []
    parts = [reconstruct(composition(s, links), counts) for s in successors]
    assert math.isclose(
        sum(p.n for p in parts), sum(c.n for c in counts.values()), abs_tol=1e-6
    )
    assert math.isclose(
        sum(p.successes for p in parts),
        sum(c.successes for c in counts.values()),
        abs_tol=1e-6,
    )
    for part in parts:
        assert 0 <= part.successes <= part.n + 1e-9
