"""A unit's satisfaction history across reforms, its predecessors' part included.

Months before a reform took effect are reconstructed from the predecessors'
own respondents, each weighted by the share of its unit that went to this one
(``domain.lineage``); months from the reform on are the unit's own. A
response is never moved: each is counted once under the unit where the
service was received, so the city's total is untouched by any reform.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_, select

from survey.domain import statistics as st
from survey.domain.lineage import Counts, Link, composition, reconstruct
from survey.domain.questions import OVERALL
from survey.extensions import db
from survey.models import Reform, ReformLink, Survey, Unit
from survey.services.reporting import share_figures, trend_counts
from survey.services.reporting.result_filter import ResultFilter


@dataclass(frozen=True)
class Predecessor:
    unit: Unit
    share: float
    reform: Reform


@dataclass(frozen=True)
class HistoryPoint:
    month: str  # 'YYYY-MM', local time
    prop: st.Proportion  # the overall item's top two boxes (share-weighted n)
    display: st.ShareDisplay
    respondents: int  # the people behind the figure
    estimated: bool  # made from parts of divided predecessors
    reconstructed: bool  # before the reform: made from the predecessors


@dataclass(frozen=True)
class History:
    unit: Unit
    predecessors: tuple[Predecessor, ...]
    reform_months: tuple[str, ...]  # months in which a reform took effect
    points: tuple[HistoryPoint, ...]


def predecessors_of(unit: Unit) -> tuple[Predecessor, ...]:
    links = db.session.scalars(
        select(ReformLink).where(ReformLink.successor_id == unit.id)
    )
    return tuple(
        Predecessor(link.predecessor, link.share, link.reform)
        for link in sorted(links, key=lambda link: link.predecessor.code)
    )


def unit_history(survey: Survey, unit: Unit, flt: ResultFilter) -> History:
    """The monthly top-two share of the overall item of ``unit`` across reforms."""
    parts = predecessors_of(unit)
    own = _monthly(survey, unit, flt)
    before: dict[str, dict[str, Counts]] = {}
    for part in parts:
        cut = _month_of(part.reform.effective_on)
        for month, counts in _monthly(survey, part.unit, flt).items():
            if month < cut:
                before.setdefault(month, {})[part.unit.code] = counts
    shares = composition(
        unit.code,
        [Link(p.unit.code, unit.code, p.share) for p in parts],
    )
    points = []
    for month in sorted(set(own) | set(before)):
        counts = dict(before.get(month, {}))
        reconstructed = bool(counts)
        if month in own:
            counts[unit.code] = own[month]
        weights = {code: shares.get(code, 1.0) for code in counts}
        figure = reconstruct(weights, counts)
        # Widened for the cell-key noise as every other figure is, so that a
        # month of the unit's own reads the same here as on its trend.
        share = share_figures.honest_interval(st.wilson(figure.successes, figure.n), 2)
        points.append(
            HistoryPoint(
                month=month,
                prop=share,
                display=st.display_share(share, min_n=survey.min_n),
                respondents=figure.respondents,
                estimated=reconstructed and figure.estimated,
                reconstructed=reconstructed,
            )
        )
    months = tuple(sorted({_month_of(p.reform.effective_on) for p in parts}))
    return History(unit, parts, months, tuple(points))


def reform_dates(scope: Unit) -> tuple[date, ...]:
    """The days a reform took effect on a unit of ``scope``'s subtree (as a
    predecessor or a successor), and the days its units came into being."""
    ids = Unit.subtree_ids(scope)
    effective = db.session.scalars(
        select(Reform.effective_on)
        .join(ReformLink, ReformLink.reform_id == Reform.id)
        .where(
            or_(ReformLink.predecessor_id.in_(ids), ReformLink.successor_id.in_(ids))
        )
    )
    began = db.session.scalars(
        select(Unit.valid_from).where(
            Unit.path.startswith(scope.path), Unit.valid_from.is_not(None)
        )
    )
    return tuple(sorted(set(effective) | set(began)))


def _monthly(survey: Survey, unit: Unit, flt: ResultFilter) -> dict[str, Counts]:
    per_month = trend_counts.dimension_counts_by_month(survey, unit, flt, OVERALL)
    return {month: _top_two(codes) for month, codes in per_month.items()}


def _top_two(codes: Counter[int]) -> Counts:
    answered = sum(codes.get(code, 0) for code in st.LIKERT_CODES)
    return Counts(float(codes.get(4, 0) + codes.get(5, 0)), float(answered))


def _month_of(day: date) -> str:
    return day.strftime("%Y-%m")
