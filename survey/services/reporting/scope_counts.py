"""Counts over a whole scope: one dimension's codes and the factor patterns."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from functools import cache
from typing import Any

from sqlalchemy import Select, and_, case, func, select

from survey.domain import statistics as st
from survey.domain.questions import LIKERT5, SATISFACTION_FACTORS
from survey.models import Answer, Question, Response, Survey, Unit
from survey.models.tallies import NO_FACTOR, NO_FACTOR_ANSWERED, FactorTally
from survey.services.reporting.count_source import (
    RAW,
    TALLIES,
    CountSource,
    tally_reads,
)
from survey.services.reporting.counting import (
    answers,
    count_parts,
    keyed_codes,
    likert_of,
    scale_code_counts,
    summed,
)
from survey.services.reporting.publishing import VALID_CODES, publish_codes
from survey.services.reporting.result_filter import ResultFilter


def dimension_counts(
    survey: Survey,
    scope: Unit | None,
    flt: ResultFilter,
    dimension: str,
    *,
    source: CountSource = TALLIES,
) -> Counter[int]:
    """Published five-point answers of one dimension over the whole scope
    (None: the survey)."""
    rows = scale_code_counts(
        survey, scope, flt, lambda t: [], *likert_of([dimension]), source=source
    )
    if not rows:
        return Counter()
    counts, key = keyed_codes(list(rows[0]))
    return publish_codes(counts, key, VALID_CODES[LIKERT5], survey.min_n)


def factor_patterns(
    survey: Survey,
    scope: Unit | None,
    flt: ResultFilter,
    dimensions: Iterable[str],
    *,
    source: CountSource = TALLIES,
) -> dict[tuple[int | None, ...], int]:
    """Respondents per pattern of top-two indicators over ``dimensions``.

    Per response (GROUP BY response_id) each factor is 1 (answered 4-5), 0
    (answered 1-3) or NULL (N/A or not answered); the patterns are then
    counted, so at most 3^5 rows come back however many responses there are.
    The tallies keep the same pattern per response for the five satisfaction
    factors (-1 standing for NULL, -2 for a respondent who answered none).
    Published: each pattern's count perturbed, keyed by the respondents'.
    """
    counts, key = factor_rows(survey, scope, flt, tuple(dimensions), source=source)
    return dict(publish_codes(counts, key, None, None))


def factor_rows(
    survey: Survey,
    scope: Unit | None,
    flt: ResultFilter,
    dimensions: tuple[str, ...],
    *,
    source: CountSource = TALLIES,
) -> tuple[Counter[tuple[int | None, ...]], int]:
    """Exact respondents per pattern, and their key sum over all patterns."""
    if dimensions != SATISFACTION_FACTORS:
        source = RAW  # the tallies keep the satisfaction factors' patterns only

    def per_pattern() -> Select[Any]:
        flags = [
            func.coalesce(flag, NO_FACTOR).label(f"f{i}")
            for i, flag in enumerate(factor_flags(dimensions))
        ]
        per_response = (
            answers(
                survey,
                scope,
                flt,
                Answer.response_id,
                *flags,
                func.max(Response.record_key).label("record_key"),
                period="month",
                source=source,
            )
            .where(*likert_of(dimensions))
            .group_by(Answer.response_id)
            .subquery()
        )
        columns = [per_response.c[f"f{i}"] for i in range(len(dimensions))]
        return select(
            *columns, func.count(), func.sum(per_response.c.record_key)
        ).group_by(*columns)

    tallies = None
    if source is TALLIES:
        # The plain columns, in the table's key order: no sort for the GROUP BY.
        tallies = []
        for t, conditions in tally_reads(FactorTally, survey, scope, flt):
            factors = [getattr(t, f"f{i}") for i in range(len(dimensions))]
            tallies.append(
                select(*factors, func.sum(t.responses), func.sum(t.key_sum))
                .where(*conditions)
                .where(t.f0 != NO_FACTOR_ANSWERED)
                .group_by(*factors)
            )
    rows = summed(count_parts(survey, tallies, per_pattern), len(dimensions))
    counts = Counter(
        {
            tuple(None if f == NO_FACTOR else f for f in row[:-2]): int(row[-2])
            for row in rows
        }
    )
    return counts, sum(int(row[-1] or 0) for row in rows)


@cache
def factor_flags(dimensions: tuple[str, ...]) -> tuple[Any, ...]:
    """Per response (grouped by it): 1, 0 or NULL for each factor dimension."""
    top = st.LIKERT_CODES[-2:]
    rest = st.LIKERT_CODES[:-2]
    return tuple(
        func.max(
            case(
                (and_(Question.dimension == d, Answer.value_int.in_(top)), 1),
                (and_(Question.dimension == d, Answer.value_int.in_(rest)), 0),
            )
        ).label(f"f{i}")
        for i, d in enumerate(dimensions)
    )
