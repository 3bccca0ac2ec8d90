"""M5 on the overview: each unit's share standardised for its mix of procedures.

Only answers that carry a procedure group count: invited answers to the
overall question that came through an invitation, whose case names the
group (``ServiceCase.procedure_group``). The city's rate per group comes from
every unit of the survey under the same filter, so a unit's standardised
figure is the same on every page that shows it. ``domain.stats.standardise``
does the arithmetic; the small-n rules are the ones of every other share.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import case, func, select

from survey.domain import statistics as st
from survey.domain.questions import LIKERT5, OVERALL
from survey.domain.stats.standardise import group_rates, standardised_share
from survey.extensions import db
from survey.models import Answer, Invitation, Question, Response, ServiceCase, Survey
from survey.models.responses import INVITED_CHANNELS
from survey.services.reporting import unit_tree
from survey.services.reporting.result_filter import ResultFilter

_TOP = tuple(st.LIKERT_CODES[-2:])


@dataclass(frozen=True)
class StandardisedFigure:
    """M5 of one row of the units table, shown beside the raw share."""

    prop: st.Proportion  # n: the row's answers that carry a procedure group
    display: st.ShareDisplay

    @property
    def n(self) -> int:
        return round(self.prop.n)


def linked_counts(survey: Survey, flt: ResultFilter) -> dict[int, Counter[tuple]]:
    """Per unit: (procedure group, "n" | "x") -> answers and satisfied answers."""
    top = case((Answer.value_int.in_(_TOP), 1), else_=0)
    rows = db.session.execute(
        select(
            Response.unit_id,
            ServiceCase.procedure_group,
            func.count(),
            func.sum(top),
        )
        .select_from(Response)
        .join(Invitation, Invitation.id == Response.invitation_id)
        .join(ServiceCase, ServiceCase.id == Invitation.case_id)
        .join(Answer, Answer.response_id == Response.id)
        .join(Question, Question.id == Answer.question_id)
        .where(
            *flt.conditions(survey),
            Response.channel.in_(sorted(INVITED_CHANNELS)),
            Question.dimension == OVERALL,
            Question.type == LIKERT5,
            Answer.value_int.in_(st.LIKERT_CODES),
        )
        .group_by(Response.unit_id, ServiceCase.procedure_group)
    ).all()
    per_unit: dict[int, Counter[tuple]] = {}
    for unit_id, group, n, x in rows:
        counts = per_unit.setdefault(unit_id, Counter())
        counts[(group, "n")] += int(n)
        counts[(group, "x")] += int(x or 0)
    return per_unit


def _groups(counts: Counter[tuple]) -> dict[str, tuple[float, float]]:
    groups = {g for g, _ in counts}
    return {g: (float(counts[(g, "x")]), float(counts[(g, "n")])) for g in groups}


def standardised_rows(
    survey: Survey, tree: unit_tree.ScopeTree, flt: ResultFilter, min_n: int
) -> Mapping[int, StandardisedFigure]:
    """M5 of each row of the scope's units table (key: the row's unit id).

    Empty when no answer of the survey under ``flt`` carries a procedure group:
    the page then shows no standardised column at all.
    """
    per_unit = linked_counts(survey, flt)
    if not per_unit:
        return {}
    rates, city = group_rates({u: _groups(c) for u, c in per_unit.items()})
    figures = {}
    for row_id, counts in unit_tree.fold_by_child(tree, per_unit).items():
        prop = standardised_share(_groups(counts), rates, city)
        figures[row_id] = StandardisedFigure(prop, st.display_share(prop, min_n=min_n))
    return figures
