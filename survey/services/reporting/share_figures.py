"""Shares with their intervals and what may be shown of them (M1, M10 grades).

Every number goes through ``survey.domain.statistics``; suppression is decided
in the report modules, once, so that pages, charts, exports and the open-data
page agree.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from survey.domain import disclosure
from survey.domain import statistics as st
from survey.services.reporting import publishing
from survey.services.reporting.result_filter import ResultFilter


@dataclass(frozen=True)
class ShareFigure:
    """A share with its interval and what may be shown of it."""

    prop: st.Proportion
    display: st.ShareDisplay

    @property
    def n(self) -> int:
        return round(self.prop.n)

    @property
    def shown(self) -> bool:
        return self.display.kind != "suppressed"


def share_figure(successes: float, n: float, min_n: int) -> ShareFigure:
    prop = st.wilson(successes, n)
    return ShareFigure(prop, st.display_share(prop, min_n=min_n))


def hidden_figure(figure: ShareFigure) -> ShareFigure:
    """The same n, but nothing else shown (complementary suppression)."""
    return ShareFigure(figure.prop, st.ShareDisplay("suppressed", None, False))


@dataclass(frozen=True)
class QualityNote:
    """Hard-flagged responses of a slice: left out of the figures by default."""

    flagged: int
    share: st.Proportion  # flagged among all responses of the slice, flagged too
    included: bool  # the filter put them back into the figures


def quality_note(responses: int, flagged: int, flt: ResultFilter) -> QualityNote:
    """``responses`` as counted under ``flt``; ``flagged`` whatever the filter."""
    total = responses if flt.include_flagged else responses + flagged
    return QualityNote(flagged, st.wilson(flagged, total), flt.include_flagged)


def grade_of(
    figure: ShareFigure, flt: ResultFilter, under_review: bool = False
) -> st.Grade:
    """M10 of a figure; a unit under review has a red integrity flag."""
    return st.reliability_grade(
        figure.prop.n,
        invited=flt.channel == "invited",
        flag="red" if under_review else "none",
    )


def likert_item(counts: Mapping[int, int]) -> st.ItemSummary:
    return st.summarise_likert(
        {k: v for k, v in counts.items() if k in (*st.LIKERT_CODES, st.NOT_APPLICABLE)}
    )


def top_two(counts: Mapping[int, int], min_n: int) -> ShareFigure:
    item = likert_item(counts)
    prop = honest_interval(item.top_two, 2)
    return ShareFigure(prop, st.display_share(prop, min_n=min_n))


def honest_interval(prop: st.Proportion, success_codes: int) -> st.Proportion:
    """With the cell-key noise on, the interval widened for it.

    The share is perturbed counts over perturbed counts; the Wilson interval
    is recomputed at the effective n whose sampling variance equals the
    share's sampling plus noise variance (``disclosure.effective_n``).
    """
    if not publishing.perturbing() or prop.estimate is None:
        return prop
    n_eff = disclosure.effective_n(
        prop.successes, prop.n, success_codes, len(st.LIKERT_CODES) - success_codes
    )
    wide = st.wilson(prop.estimate * n_eff, n_eff)
    return replace(prop, low=wide.low, high=wide.high)
