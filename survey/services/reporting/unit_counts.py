"""Counts per unit of a scope's subtree, and the units tables (a cell per child)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from survey.domain.questions import LIKERT5
from survey.models import Question, Survey, Unit
from survey.services.reporting.count_source import TALLIES, CountSource
from survey.services.reporting.counting import (
    keyed_codes,
    likert_of,
    response_counts,
    scale_code_counts,
    unit_of,
)
from survey.services.reporting.publishing import (
    VALID_CODES,
    publish_codes,
    publish_count,
)
from survey.services.reporting.result_filter import ResultFilter
from survey.services.reporting.unit_tree import ScopeTree, UnitTable, folded_counts


def unit_rows(
    survey: Survey,
    scope: Unit | None,
    flt: ResultFilter,
    *where: Any,
    source: CountSource = TALLIES,
) -> dict[int, tuple[int, int]]:
    rows = response_counts(
        survey, scope, flt, lambda t: [unit_of(t)], *where, source=source
    )
    return {u: (int(n), int(k or 0)) for u, n, k in rows}


def responses_by_unit(
    survey: Survey,
    scope: Unit | None,
    flt: ResultFilter,
    *,
    source: CountSource = TALLIES,
) -> dict[int, int]:
    """Number of responses per unit id (exact: not to be shown as such)."""
    return {u: n for u, (n, _) in unit_rows(survey, scope, flt, source=source).items()}


def flagged_rows(
    survey: Survey,
    scope: Unit | None,
    flt: ResultFilter,
    *,
    source: CountSource = TALLIES,
) -> dict[int, tuple[int, int]]:
    return unit_rows(
        survey,
        scope,
        replace(flt, include_flagged=True),
        lambda t: t.hard_flagged.is_(True),
        source=source,
    )


def hard_flagged_by_unit(
    survey: Survey,
    scope: Unit | None,
    flt: ResultFilter,
    *,
    source: CountSource = TALLIES,
) -> dict[int, int]:
    """Hard-flagged responses per unit id in the slice, whether included or not
    (exact: not to be shown as such)."""
    return {
        u: n for u, (n, _) in flagged_rows(survey, scope, flt, source=source).items()
    }


def _count_table(
    tree: ScopeTree, per_unit: Mapping[int, tuple[int, int]], measure: str
) -> UnitTable:
    children, (total, key) = folded_counts(tree, per_unit, int)
    return UnitTable(
        {c: publish_count(n, k, measure, None) for c, (n, k) in children.items()},
        publish_count(total, key, measure, None),
    )


def responses_table(
    survey: Survey, tree: ScopeTree, flt: ResultFilter, *, source: CountSource = TALLIES
) -> UnitTable:
    """Published responses per child unit of ``tree`` and for its scope."""
    return _count_table(
        tree, unit_rows(survey, tree.scope, flt, source=source), "responses"
    )


def hard_flagged_table(
    survey: Survey, tree: ScopeTree, flt: ResultFilter, *, source: CountSource = TALLIES
) -> UnitTable:
    """Published hard-flagged responses per child unit and for the scope."""
    return _count_table(
        tree, flagged_rows(survey, tree.scope, flt, source=source), "flagged"
    )


def dimension_rows(
    survey: Survey,
    scope: Unit | None,
    flt: ResultFilter,
    dimensions: Iterable[str],
    *,
    source: CountSource = TALLIES,
) -> dict[str, dict[int, tuple[Counter[int], int]]]:
    """Exact five-point codes and their key sum per dimension and unit id."""
    rows = scale_code_counts(
        survey,
        scope,
        flt,
        lambda t: [Question.dimension, unit_of(t)],
        *likert_of(dimensions),
        source=source,
    )
    result: dict[str, dict[int, tuple[Counter[int], int]]] = defaultdict(dict)
    for dimension, unit_id, *codes in rows:
        counts, key = keyed_codes(codes)
        before, before_key = result[dimension].get(unit_id, (Counter(), 0))
        result[dimension][unit_id] = (before + counts, before_key + key)
    return result


def dimension_counts_by_unit(
    survey: Survey,
    scope: Unit | None,
    flt: ResultFilter,
    dimensions: Iterable[str],
    *,
    source: CountSource = TALLIES,
) -> dict[str, dict[int, Counter[int]]]:
    """Five-point answers per dimension tag, unit id and code (1..5, 9).

    Exact: for the weighting, which needs the units' own counts; a page
    shows ``dimension_table``'s.
    """
    return {
        d: {u: counts for u, (counts, _) in units.items()}
        for d, units in dimension_rows(
            survey, scope, flt, dimensions, source=source
        ).items()
    }


def dimension_table(
    survey: Survey,
    tree: ScopeTree,
    flt: ResultFilter,
    dimensions: Iterable[str],
    *,
    source: CountSource = TALLIES,
) -> dict[str, UnitTable]:
    """Published five-point codes per dimension, child unit and for the scope."""
    valid = VALID_CODES[LIKERT5]
    tables: dict[str, UnitTable] = {}
    rows = dimension_rows(survey, tree.scope, flt, dimensions, source=source)
    for dimension in dimensions:
        children, (total, key) = folded_counts(tree, rows.get(dimension, {}), Counter)
        tables[dimension] = UnitTable(
            {
                c: publish_codes(n, k, valid, survey.min_n)
                for c, (n, k) in children.items()
            },
            publish_codes(total, key, valid, survey.min_n),
        )
    return tables
