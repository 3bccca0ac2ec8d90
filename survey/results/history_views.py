"""A unit's history across reforms: its predecessors' part before, its own after.

The page hangs on the results blueprint. Its rights are the unit's: a new
ward's leader sees the share of its predecessors that became the ward, and
nothing of the rest of them (a former unit's own page needs a scope over it).
"""

from __future__ import annotations

from flask import render_template, request

from survey.auth.rights import get_survey_in_scope_or_404, get_unit_in_scope_or_404
from survey.results.history_chart import history_figure
from survey.results.presenters import common
from survey.results.views import bp
from survey.services.reporting import lineage_results
from survey.services.reporting.result_filter import ResultFilter


@bp.get("/<slug>/unit/<code>/history")
def unit_history(slug: str, code: str) -> str:
    survey = get_survey_in_scope_or_404(slug)
    unit = get_unit_in_scope_or_404(code)
    flt = ResultFilter.from_args(request.args)
    history = lineage_results.unit_history(survey, unit, flt)
    return render_template(
        "results/history.html",
        history=history,
        history_chart=history_figure(history),
        **common(survey, unit, flt),
    )
