"""The survey's one comparison model under a filter (``domain.comparison``).

Built from the whole survey's answers, whatever page asks: the city page, a
parent's page, the unit's own page and the exports of the same filter read the
same verdict for the same unit. Keys: ``"<unit id>"`` for a unit's subtree,
``"<unit id>:own"`` for the answers given at a unit that also has answering
sub-units (a leaf's own answers are its subtree).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select

from survey.domain import comparison as cmp
from survey.domain import statistics as st
from survey.domain.questions import OVERALL
from survey.extensions import db
from survey.models import Survey, Unit
from survey.services.integrity.quality import units_under_review
from survey.services.reporting import unit_counts
from survey.services.reporting.result_filter import ResultFilter


@dataclass(frozen=True)
class SurveyComparison:
    model: cmp.Comparison
    has_descendants: frozenset[int]  # units with answering sub-units
    # M6's Beta prior, fitted once over the units' own answers (None: no spread)
    prior: tuple[float, float] | None = None

    def key(self, unit_id: int, own: bool = False) -> str:
        if own and unit_id in self.has_descendants:
            return f"{unit_id}:own"
        return str(unit_id)

    def test(self, unit_id: int, own: bool = False) -> cmp.UnitTest | None:
        return self.model.tests.get(self.key(unit_id, own))

    def verdict(self, unit_id: int, own: bool = False) -> st.Band | None:
        return self.model.verdict(self.key(unit_id, own))


def top_two(counts: Mapping[int, int]) -> tuple[float, float]:
    """(satisfied, valid answers) of five-point answers (9 left out)."""
    item = st.summarise_likert(
        {k: v for k, v in counts.items() if k in (*st.LIKERT_CODES, st.NOT_APPLICABLE)}
    )
    return item.top_two.successes, item.top_two.n


def _ancestry(unit_ids: set[int]) -> dict[int, tuple[int, ...]]:
    """Each unit's path of ids from its root down to itself."""
    if not unit_ids:
        return {}
    rows = db.session.execute(
        select(Unit.id, Unit.path).where(Unit.id.in_(unit_ids))
    ).all()
    return {
        unit_id: tuple(int(s) for s in path.strip("/").split("/") if s)
        for unit_id, path in rows
    }


def survey_comparison(survey: Survey, flt: ResultFilter) -> SurveyComparison:
    """Every unit of the survey against the city, under ``flt``, once."""
    own = unit_counts.dimension_counts_by_unit(survey, None, flt, (OVERALL,)).get(
        OVERALL, {}
    )
    paths = _ancestry(set(own))
    subtree: dict[int, Counter[int]] = {}
    has_descendants: set[int] = set()
    for unit_id, counts in own.items():
        path = paths.get(unit_id, (unit_id,))
        has_descendants.update(path[:-1])
        for ancestor in path:
            subtree.setdefault(ancestor, Counter()).update(counts)
    reviewed = units_under_review(survey)
    reviewed_subtrees = {a for u in reviewed for a in paths.get(u, (u,))}
    roots = {path[0] for path in paths.values()}
    min_n = survey.min_n
    family: dict[str, tuple[float, float]] = {}
    for unit_id, counts in subtree.items():
        if unit_id in roots or unit_id in reviewed_subtrees:
            continue
        family[str(unit_id)] = top_two(counts)
    partition: list[tuple[float, float]] = []
    for unit_id, counts in own.items():
        figure = top_two(counts)
        if unit_id in reviewed or figure[1] < min_n:
            continue
        partition.append(figure)
        if unit_id in has_descendants:
            family[f"{unit_id}:own"] = figure
    family = {k: v for k, v in family.items() if v[1] >= min_n}
    total = top_two(sum(own.values(), Counter()))
    p0 = total[0] / total[1] if total[1] > 0 else None
    model = cmp.compare_units(family, partition, p0)
    prior = st.fit_beta_prior(partition)
    return SurveyComparison(model, frozenset(has_descendants), prior)
