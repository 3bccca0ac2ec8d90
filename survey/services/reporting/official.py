"""The official figure: invited answers with an invitation, design-weighted.

docs/methodology.md, "The official figure". The database side: the invited
answers to the overall question that came through an invitation of one of
the survey's waves, the waves' frames and draws by stratum (rebuilt from the
cases, their contacts and the invitations, as ``services.fieldwork.waves`` drew them),
and the cases of the period by stratum. ``survey.domain.design_weights`` does
the arithmetic. An invited answer without an invitation behind it is counted
and named on the page, never weighted into the figure.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date, timedelta

from survey.domain import design_weights as dw
from survey.domain import statistics as st
from survey.models import (
    Unit,
)
from survey.models.surveys import Survey
from survey.services.reporting import publishing, unit_tree
from survey.services.reporting.official_reads import (
    count_without_invitation,
    draws,
    invited_respondents,
)
from survey.services.reporting.reports import Overview, channel_split
from survey.services.reporting.result_filter import ResultFilter
from survey.services.reporting.share_figures import ShareFigure, hidden_figure


@dataclass(frozen=True)
class OfficialFigure:
    """The official M1 of a unit or a scope for a period."""

    figure: ShareFigure  # figure.prop.n is n_eff: the small-n rule goes by it
    n: int  # invited answers with an invitation behind them
    design_effect: float | None
    largest_share: float | None  # the heaviest respondent's share of the figure
    capped: int  # respondents whose weight was cut to the cap
    cap_met: bool

    @property
    def n_eff(self) -> float:
        return self.figure.prop.n

    @property
    def has_data(self) -> bool:
        return self.n > 0


@dataclass(frozen=True)
class OfficialRow:
    unit: Unit
    official: OfficialFigure
    under_review: bool = False
    rankable: bool = False  # the only source of the incentive export


@dataclass(frozen=True)
class OfficialChange:
    """The official figure now against the previous period of the same length."""

    before_from: date
    before_to: date
    before: OfficialFigure
    difference: st.Difference


@dataclass(frozen=True)
class OfficialOverview:
    scope: OfficialFigure
    rows: tuple[OfficialRow, ...]
    optin: ShareFigure | None  # beside it, never pooled into it
    gap: st.Difference | None  # opt-in minus official
    without_invitation: int  # invited answers left out: no invitation behind them
    cap: float = dw.TRIM_CAP
    change: OfficialChange | None = None


# --------------------------------------------------------------------------- #
# Figures
# --------------------------------------------------------------------------- #


def _figure(
    respondents: list[dw.Respondent],
    weights: dict,
    min_n: int,
    keys: dict[int, int] | None = None,
) -> OfficialFigure:
    """The trimmed figure of these respondents; n published with its noise."""
    if not respondents:
        prop = st.Proportion(0.0, 0.0, None, None, None)
        return OfficialFigure(
            ShareFigure(prop, st.display_share(prop, min_n=min_n)),
            0,
            None,
            None,
            0,
            True,
        )
    result = dw.estimate(
        {r.key: weights[r.key] for r in respondents},
        {r.key: r.satisfied for r in respondents},
    )
    figure = ShareFigure(result.prop, st.display_share(result.prop, min_n=min_n))
    key_sum = sum((keys or {}).get(r.key, 0) for r in respondents)  # type: ignore[call-overload]
    return OfficialFigure(
        figure,
        publishing.publish_count(result.n, key_sum, "invited", None),
        result.design_effect,
        result.largest_share,
        result.capped,
        result.cap_met,
    )


def _read(
    survey: Survey, scope: Unit, flt: ResultFilter
) -> tuple[list[dw.Respondent], dict, dict[int, int]]:
    respondents, keys = invited_respondents(survey, scope, flt)
    frame, drawn, targets = draws(respondents, flt)
    design = dw.design_weights(respondents, frame, drawn)
    return respondents, dw.adjusted_weights(respondents, design, targets), keys


def unit_weights(
    survey: Survey, scope: Unit, flt: ResultFilter
) -> tuple[list[dw.Respondent], dict]:
    """The respondents of the scope and their untrimmed official weights."""
    respondents, weights, _ = _read(survey, scope, flt)
    return respondents, weights


def official_figure(
    survey: Survey, scope: Unit, flt: ResultFilter, min_n: int = st.MIN_N
) -> OfficialFigure:
    """The official figure of one scope (a unit's subtree) for the filter."""
    respondents, weights, keys = _read(survey, scope, flt)
    return _figure(respondents, weights, min_n, keys)


def _previous(flt: ResultFilter) -> ResultFilter | None:
    """The period of the same length just before the filter's, if it has dates."""
    if not (flt.date_from and flt.date_to):
        return None
    length = (flt.date_to - flt.date_from).days + 1
    return replace(
        flt,
        date_from=flt.date_from - timedelta(days=length),
        date_to=flt.date_from - timedelta(days=1),
    )


def _change(
    survey: Survey, scope: Unit, flt: ResultFilter, now: OfficialFigure, min_n: int
) -> OfficialChange | None:
    before_flt = _previous(flt)
    if before_flt is None or now.figure.display.kind != "value":
        return None
    before = official_figure(survey, scope, before_flt, min_n)
    if before.figure.display.kind != "value":
        return None
    assert before_flt.date_from and before_flt.date_to
    difference = st.newcombe_difference(now.figure.prop, before.figure.prop)
    return OfficialChange(before_flt.date_from, before_flt.date_to, before, difference)


def official_overview(report: Overview) -> OfficialOverview:
    """The official figure of the report's scope and of its child units.

    Whatever channel the page filters on, the official figure is the invited
    channel's; the opt-in channel's figure stands beside it with the gap.
    The overview's suppression holds: min n on n_eff, complementary
    suppression among the rows, nothing when the overview protects a sibling.
    """
    survey, scope, flt, min_n = report.survey, report.scope, report.filter, report.min_n
    respondents, weights, keys = _read(survey, scope, flt)
    overall = _figure(respondents, weights, min_n, keys)
    tree = unit_tree.scope_tree(scope)
    members: dict[int, list[dw.Respondent]] = defaultdict(list)
    for r in respondents:
        child = tree.child_of.get(r.unit)  # type: ignore[call-overload]
        if child is not None:
            members[child].append(r)
    units = list(tree.children)
    if members.get(scope.id):
        units.insert(0, scope)
    figures = {
        u.id: _figure(members.get(u.id, []), weights, min_n, keys) for u in units
    }
    hidden = st.complementary_suppression(
        overall.n_eff if overall.figure.shown else 0,
        {str(u.id): figures[u.id].n_eff for u in units},
        min_n=min_n,
    )
    reviewed = {r.unit.id for r in report.children if r.under_review}
    rows = []
    for unit in units:
        official = figures[unit.id]
        if report.protected or str(unit.id) in hidden:
            official = replace(official, figure=hidden_figure(official.figure))
        under_review = unit.id in reviewed
        prop = official.figure.prop
        rankable = (
            not under_review
            and official.figure.display.kind == "value"
            and st.rankable(prop.n, prop.half_width)
        )
        rows.append(OfficialRow(unit, official, under_review, rankable))
    change = _change(survey, scope, flt, overall, min_n)
    if report.protected:
        overall = replace(overall, figure=hidden_figure(overall.figure))
        change = None
    channels = report.channels or channel_split(survey, scope, flt, min_n)
    optin = None if report.protected else channels.optin
    gap = None
    if optin is not None and optin.display.kind == "value":
        if overall.figure.display.kind == "value":
            gap = st.newcombe_difference(optin.prop, overall.figure.prop)
    return OfficialOverview(
        scope=overall,
        rows=tuple(rows),
        optin=optin,
        gap=gap,
        without_invitation=count_without_invitation(
            survey, scope, flt, len(respondents)
        ),
        change=change,
    )
