"""Template contexts of the results pages: labels, links and chart JSON.

The numbers come ready from ``survey.services.reporting.reports``; this module only
names them in the reader's language and turns them into Plotly figures.
"""

from __future__ import annotations

from datetime import timedelta
from functools import lru_cache
from typing import Any

from babel import Locale, numbers
from flask_babel import format_date, format_decimal, get_locale
from flask_babel import format_percent as babel_percent
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from survey import current_lang
from survey.domain import comparison, disclosure, weighting
from survey.domain import statistics as st
from survey.models import Survey, Unit
from survey.models.responses import RESPONDENT_GROUPS
from survey.results import caterpillar, charts, plotly_assets
from survey.results.funnel import funnel_chart
from survey.results.question_charts import choice_chart, likert_chart, nps_chart
from survey.results.trend import trend_chart
from survey.services.answering.responses import (
    HARD_SPEED_SECONDS_PER_ITEM,
    REPEATED_DEVICE_PER_DAY,
)
from survey.services.city.reforms import local_today
from survey.services.fieldwork import weights
from survey.services.reporting import (
    comment_pages,
    funnel,
    lineage_results,
    question_results,
    reports,
    share_figures,
)
from survey.services.reporting.experience import experience_facts
from survey.services.reporting.perception import perception_figures
from survey.services.reporting.result_filter import ResultFilter

FACTOR_LABELS = {
    "S1": _l("Access to the service"),
    "S2": _l("Administrative procedure"),
    "S3": _l("Officials"),
    "S4": _l("Result"),
    "S5": _l("Handling of feedback"),
}
CHANNEL_LABELS = {
    "": _l("All channels"),
    "invited": _l("Invited respondents"),
    "optin": _l("Opt-in (QR, kiosk, link)"),
}
GROUP_LABELS = {
    "": _l("All respondents"),
    "citizen": _l("Citizens"),
    "business": _l("Businesses"),
}
WEIGHTING_LABELS = {
    "cells": _l("cells"),
    "margins": _l("margins"),
    "unit": _l("unit total"),
    "none": _l("unweighted"),
}
# Why a figure is not post-stratified on its cells (survey.domain.weighting).
WEIGHTING_REASONS = {
    "": "",
    "sparse_cells": _l("Too few answers per cell: raked on the margins instead."),
    "sparse_margins": _l(
        "Too few answers for cells or margins: one weight for the whole unit."
    ),
    "margins_unmet": _l(
        "The answers cannot meet the case totals: one weight for the whole unit."
    ),
    "no_cases": _l("No completed cases in the period: unweighted."),
    "not_linked": _l("The answers are not linked to cases: unweighted."),
    "no_respondents": _l("No invited answers."),
}
EXPERIENCE_LABELS = {
    "visits": _l("Visits to complete the procedure (mean)"),
    "on_time": _l("Result on time or earlier"),
    "receipt": _l("Receipt for every fee paid"),
    "informal_payment": _l("Asked for an informal payment"),
}
BAND_LABELS = {
    "above": _l("Above the city"),
    "expected": _l("No clear difference"),
    "below": _l("Below the city"),
}


def common(survey: Survey, unit: Unit, flt: ResultFilter) -> dict[str, Any]:
    return {
        "survey": survey,
        "unit": unit,
        "flt": flt,
        "filter_args": flt.to_args(),
        "versions": [v.number for v in survey.versions if v.published_at],
        "channel_labels": CHANNEL_LABELS,
        "group_labels": {g: GROUP_LABELS[g] for g in ("", *RESPONDENT_GROUPS)},
        "plotly_version": plotly_assets.VERSION,
        "plotly_guards": plotly_assets.inline_style_guards(),
        "breadcrumb": _breadcrumb(unit),
    }


def _breadcrumb(unit: Unit) -> list[Unit]:
    """The reader's scope unit down to ``unit`` (empty for the public page)."""
    if not current_user.is_authenticated:
        return []
    chain = [unit]
    while chain[-1].id != current_user.unit.id and chain[-1].parent is not None:
        chain.append(chain[-1].parent)
    return list(reversed(chain))


def overview_context(
    report: reports.Overview,
    public: bool = False,
    weighted: weights.WeightedOverview | None = None,
) -> dict[str, Any]:
    lang = current_lang()
    factor_names = [str(FACTOR_LABELS[d]) for d, _ in report.factors]
    reforms = reform_periods(report)
    figures: dict[str, Any] = {
        "factors": charts.chart_json(
            charts.index_bars(
                [str(_l("Overall satisfaction")), *factor_names],
                [report.overall, *(f for _, f in report.factors)],
            )
        ),
        "trend": charts.chart_json(trend_chart(report.months, reforms)),
    }
    p0 = report.benchmark.prop.estimate
    funnel_rows = [r for r in report.children if r.index.shown and not r.former]
    if p0 is not None and funnel_rows:
        lines = funnel.funnel_lines(p0, max(r.index.prop.n for r in funnel_rows), 1.0)
        figures["funnel"] = charts.chart_json(
            funnel_chart([r for r in report.children if not r.former], lines, p0, lang)
        )
    if len(caterpillar.caterpillar_rows(report.children)) >= caterpillar.MANY_UNITS:
        figures["caterpillar"] = charts.chart_json(
            caterpillar.caterpillar_chart(report.children, p0, lang)
        )
    context = common(report.survey, report.scope, report.filter)
    context.update(
        report=report,
        public=public,
        factor_labels=FACTOR_LABELS,
        band_labels=BAND_LABELS,
        summary=summary_of(report),
        trend_reforms=reforms,
        charts=figures,
        weighted=weighted,
        printed_on=local_today(),  # the print header's date (results.css)
        weighting_labels=WEIGHTING_LABELS,
        weighting_reasons=WEIGHTING_REASONS,
        response_rate_warning=babel_percent(weighting.RESPONSE_RATE_WARNING),
        weighting_limits={
            "low": format_decimal(weighting.TRIM_LOW),
            "high": format_decimal(weighting.TRIM_HIGH),
        },
        can_export_raw=(
            not public
            and current_user.is_authenticated
            and current_user.role == "admin"
        ),
    )
    return context


def reform_periods(report: reports.Overview) -> tuple[str, ...]:
    """The trend's periods in which a reform of the scope's units took effect.

    A reform between two charted periods is marked on the first period after
    it; one before the first or after the last charted period is not marked.
    """
    keys = [m.month for m in report.months]
    marked: list[str] = []
    for day in lineage_results.reform_dates(report.scope):
        if report.filter.trend == "week":
            key = (day - timedelta(days=day.weekday())).isoformat()
        else:
            key = day.strftime("%Y-%m")
        later = [k for k in keys if k >= key]
        if keys and key >= keys[0] and later and later[0] not in marked:
            marked.append(later[0])
    return tuple(marked)


def summary_of(report: reports.Overview) -> dict[str, Any]:
    """What a leader reads first: the units below and above the city (this
    page's rows, lowest first) and the change between the last two complete
    periods, with its interval."""
    rows = [
        r
        for r in report.children
        if r.band and r.index.shown and not r.is_scope and not r.former
    ]
    by_share = sorted(rows, key=lambda r: r.index.prop.estimate or 0.0)
    complete = [m for m in report.months if not m.incomplete]
    change = None
    if len(complete) >= 2 and all(_value(m.index) for m in complete[-2:]):
        before, last = complete[-2], complete[-1]
        change = {
            "before": before.month,
            "last": last.month,
            "difference": st.newcombe_difference(last.index.prop, before.index.prop),
        }
    return {
        "below": [r for r in by_share if r.band == "below"],
        "above": [r for r in reversed(by_share) if r.band == "above"],
        "change": change,
    }


def _value(figure: share_figures.ShareFigure) -> bool:
    return figure.display.kind == "value"


def questions_context(report: question_results.QuestionReport) -> dict[str, Any]:
    lang = current_lang()
    likert = [r for r in report.questions if r.likert is not None and r.shown]
    figures: dict[str, Any] = {}
    if likert:
        figures["likert"] = charts.chart_json(likert_chart(likert, lang))
    for r in report.questions:
        if r.shown and r.choice is not None:
            figures[r.question.code] = charts.chart_json(choice_chart(r, lang))
        if r.shown and r.nps is not None:
            figures[r.question.code] = charts.chart_json(nps_chart(r.nps))
    option_labels = {
        r.question.code: {o.code: o.label(lang) for o in r.question.options}
        for r in report.questions
    }
    scale_columns = {
        r.question.code: [
            (o.label(lang), int(o.code)) for o in r.question.options if o.code.isdigit()
        ]
        or [(str(code), code) for code in (1, 2, 3, 4, 5)]
        for r in report.questions
        if r.likert is not None
    }
    context = common(report.survey, report.scope, report.filter)
    context.update(
        report=report,
        charts=figures,
        perception=perception_figures(report),
        experience=experience_facts(report),
        experience_labels=EXPERIENCE_LABELS,
        perception_labels={
            f"P{d[1:]}": label for d, label in FACTOR_LABELS.items()
        },  # P1..P5 are the B-items of the factors S1..S5 rate
        likert=likert,
        option_labels=option_labels,
        scale_columns=scale_columns,
    )
    return context


def format_percent(value: float | None) -> str:
    """A 0..1 share as a percentage with one decimal, in the page's locale."""
    if value is None:
        return "–"
    return _formatted(round(100 * value, 1), "#,##0.0", get_locale())


def format_number(value: float | None, digits: int = 1) -> str:
    """A number with ``digits`` decimals in the page's locale; "–" for None."""
    if value is None:
        return "–"
    pattern = "#,##0." + "0" * digits if digits > 0 else "#,##0"
    return _formatted(round(value, digits), pattern, get_locale())


@lru_cache(maxsize=4096)
def _formatted(value: float, pattern: str, locale: Locale | None) -> str:
    """Memoised: a results page formats a few hundred numbers, most of them
    shares rounded to 0.1, and Babel takes about 0.1 ms for each."""
    text = numbers.format_decimal(value, format=pattern, locale=locale)
    return text.replace("-", "\u2212")  # a true minus sign: −0,8, not -0,8


def comments_context(
    survey: Survey, unit: Unit, flt: ResultFilter, result: comment_pages.CommentPage
) -> dict[str, Any]:
    context = common(survey, unit, flt)
    months = result.months
    context.update(
        result=result,
        comment_from=months and months.date_from and format_date(months.date_from),
        comment_to=months and months.date_to and format_date(months.date_to),
    )
    return context


def method_context(public: bool) -> dict[str, Any]:
    """The thresholds the "how we compute" page names, read from the code."""
    return {
        "public": public,
        "limits": {
            "min_n": st.MIN_N,
            "max_noise": disclosure.MAX_NOISE,
            "caution_n": st.CAUTION_N,
            "ranking_n": st.RANKING_N,
            "ranking_points": format_decimal(100 * st.RANKING_HALF_WIDTH),
            "capped": babel_percent(st.CAPPED_SHARE),
            "z95": format_decimal(st.Z95),
            "z998": format_decimal(st.Z998),
            "exact_funnel_n": st.EXACT_FUNNEL_N,
            "fdr": babel_percent(comparison.FDR),
            "bootstrap_draws": format_decimal(st.BOOTSTRAP_DRAWS),
            "top_two": ", ".join(str(c) for c in st.LIKERT_CODES[-2:]),
            "bottom_two": ", ".join(str(c) for c in st.LIKERT_CODES[:2]),
            "not_applicable": st.NOT_APPLICABLE,
            "hard_speed_seconds": HARD_SPEED_SECONDS_PER_ITEM,
            "repeated_device": REPEATED_DEVICE_PER_DAY,
            "min_cell_n": st.MIN_CELL_N,
            "trim_low": format_decimal(weighting.TRIM_LOW),
            "trim_high": format_decimal(weighting.TRIM_HIGH),
            "trim_rounds": weighting.MAX_TRIM_ROUNDS,
            "rake_tolerance": format_decimal(
                weighting.RAKE_TOLERANCE, format="0.#########"
            ),
            "rake_rounds": weighting.RAKE_MAX_ROUNDS,
            "response_rate_warning": babel_percent(weighting.RESPONSE_RATE_WARNING),
        },
    }
