"""The overview's export: exactly the aggregates the page shows, suppression kept.

The raw responses' downloads are in ``survey.results.raw_download``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from flask import Response
from flask_babel import gettext as _

from survey import current_lang
from survey.results.presenters import BAND_LABELS, FACTOR_LABELS, WEIGHTING_LABELS
from survey.services.fieldwork.weights import (
    ResponseRate,
    WeightedFigure,
    WeightedOverview,
)
from survey.services.reporting.official import OfficialOverview
from survey.services.reporting.raw_export import FORMULA_STARTS
from survey.services.reporting.reports import Overview
from survey.services.reporting.share_figures import ShareFigure
from survey.services.reporting.unit_rows import UnitRow

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def neutralise(value: object) -> object:
    """Text a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _share_cells(figure: ShareFigure) -> list[object]:
    """Estimate, low, high (percent, one decimal) and status; blank when hidden."""
    p = figure.prop
    if figure.display.kind == "suppressed" or p.estimate is None:
        return ["", "", "", _("insufficient data")]
    if figure.display.kind == "capped":
        value = figure.display.value or 0.0
        capped = f"> {round(100 * value)}" if value > 0.5 else f"< {round(100 * value)}"
        return [capped, "", "", _("caution: fewer than 30 answers")]
    status = _("caution: fewer than 30 answers") if figure.display.caution else ""
    return [*_interval_cells(p.estimate, p.low, p.high), status]


def _interval_cells(
    estimate: float, low: float | None, high: float | None
) -> list[object]:
    """A share and its limits in percent, one decimal (a missing limit as 0)."""
    return [round(100 * v, 1) for v in (estimate, low or 0, high or 0)]


def _ranking_cell(row: UnitRow, official: OfficialOverview | None) -> str:
    """Whether a unit may enter a ranking or an incentive export.

    Read from the unit's official figure only: a unit without one (no invited
    answer with an invitation behind it) is not eligible.
    """
    if row.under_review:
        return _("under review: left out")
    found = {r.unit.id: r for r in official.rows} if official else {}
    eligible = row.unit.id in found and found[row.unit.id].rankable
    return _("eligible") if eligible else _("not eligible")


def _shrunk_cells(row: UnitRow) -> list[object]:
    """M6 and the rank interval among the table's rows, as the page shows them."""
    shrunk = row.shrunk
    if shrunk is None or shrunk.estimate is None or row.protected:
        return ["", "", "", ""]
    rank = f"{row.rank.low}-{row.rank.high} / {row.ranked}" if row.rank else ""
    return [*_interval_cells(shrunk.estimate, shrunk.low, shrunk.high), rank]


def _standardised_header() -> list[str]:
    return [
        _("Standardised for the mix of procedures (%)"),
        _("Standardised, lower %(level)s %% limit (%%)", level="95"),
        _("Standardised, upper %(level)s %% limit (%%)", level="95"),
        _("Answers linked to a case (n)"),
    ]


def _standardised_cells(report: Overview, row: UnitRow) -> list[object]:
    """M5 of a unit row as the page shows it: blank where the page shows none."""
    figure = report.standardised.get(row.unit.id)
    if figure is None or not row.index.shown or row.protected:
        return ["", "", "", ""]
    return [*_share_cells(figure)[:3], figure.n]


def _weighted_cells(weighted: WeightedFigure, rate: ResponseRate) -> list[object]:
    deff = weighted.design_effect
    return [
        round(weighted.n_eff, 1),
        "" if deff is None else round(deff, 3),
        str(WEIGHTING_LABELS[weighted.method]),
        rate.cases,
        rate.invitations,
        rate.responses,
        "" if rate.rate is None else round(100 * rate.rate, 1),
    ]


def _trend_rows(report: Overview) -> Iterator[list[object]]:
    """The trend as the page draws it: each period with its interval."""
    scope = report.scope.name(current_lang())
    for m in report.months:
        label = _("Overall satisfaction (M1), %(period)s", period=m.month)
        cells = _figure_row(scope, label, m.responses, m.index)
        if m.incomplete:
            cells[7] = " ".join(
                filter(None, [str(cells[7]), _("current period, incomplete")])
            )
        yield cells


def comparison_method(report: Overview) -> str:
    """The comparison's parameters in one line (also stated on the page)."""
    model = report.comparison.model if report.comparison else None
    if model is None:
        return ""
    return _(
        "Each unit against the city; two-sided test; Benjamini-Hochberg "
        "false-discovery rate %(fdr)s %% over %(m)s units of the survey; "
        "plain 95 %% and 99.8 %% limits; overdispersion phi = %(phi)s",
        fdr=round(100 * model.fdr),
        m=model.family,
        phi=round(model.phi, 2),
    )


def _official_rows(
    report: Overview, official: OfficialOverview | None
) -> Iterator[list[object]]:
    """The official figure of the scope and of each unit, with the incentive column."""
    if official is None or not official.scope.has_data:
        return
    lang = current_lang()
    measure = _("Overall satisfaction (M1), official (invited, design-weighted)")
    for name, fig, ranking in [
        (report.scope.name(lang), official.scope, ""),
        *(
            (
                r.unit.name(lang),
                r.official,
                _("under review: left out")
                if r.under_review
                else (_("eligible") if r.rankable else _("not eligible")),
            )
            for r in official.rows
        ),
    ]:
        deff = fig.design_effect
        yield [
            name,
            measure,
            "",
            fig.n,
            *_share_cells(fig.figure),
            "",
            round(fig.n_eff, 1),
            "" if deff is None else round(deff, 3),
            *[""] * 5,
            ranking,
        ]


def overview_rows(
    report: Overview,
    weighted: WeightedOverview | None = None,
    official: OfficialOverview | None = None,
) -> Iterator[list[object]]:
    """Header, then one row per figure of the overview page.

    The weighted invited figures follow when the scope has any cases,
    invitations or invited answers; a unit under review says so in the
    ranking column and is never "eligible".
    """
    yield _header(report)
    yield from _scope_rows(report)
    yield from _trend_rows(report)
    yield from _channel_gap_rows(report)
    yield from _unit_rows(report, official)
    yield from _comparison_rows(report)
    yield from _official_rows(report, official)
    if weighted is not None and weighted.has_data:
        yield from _weighted_rows(report, weighted)


def _header(report: Overview) -> list[object]:
    return [
        _("Unit"),
        _("Measure"),
        _("Responses"),
        _("n"),
        _("Estimate (%)"),
        _("Lower %(level)s %% limit (%%)", level="95"),
        _("Upper %(level)s %% limit (%%)", level="95"),
        _("Status"),
        _("Compared with the city"),
        _("n_eff"),
        _("Design effect"),
        _("Weighting"),
        _("Cases"),
        _("Invitations"),
        _("Invited responses"),
        _("Response rate (%)"),
        _("Ranking and incentives"),
        _("Adjusted for chance (%)"),
        _("Adjusted, lower %(level)s %% limit (%%)", level="95"),
        _("Adjusted, upper %(level)s %% limit (%%)", level="95"),
        _("Rank interval (1 = highest)"),
        *(_standardised_header() if report.standardised else []),
    ]


BLANK_EXTRA = ["", "", "", "", "", "", ""]  # n_eff .. response rate


def _figure_row(
    unit: str, measure: str, responses: object, figure: ShareFigure
) -> list[object]:
    """One share figure in the columns up to the ranking (left blank)."""
    return [
        unit,
        measure,
        responses,
        figure.n,
        *_share_cells(figure),
        "",
        round(figure.prop.n, 1),
        *BLANK_EXTRA[1:],
        "",
    ]


def _scope_rows(report: Overview) -> Iterator[list[object]]:
    """The scope's headline (M1 with its verdict), M4, the factors and M2."""
    scope = report.scope.name(current_lang())
    m1 = _("Overall satisfaction (M1)")
    headline = _figure_row(scope, m1, report.responses, report.overall)
    if report.verdict:
        headline[8] = str(BAND_LABELS[report.verdict])
    yield headline
    yield _figure_row(
        scope, _("Dissatisfied (M4)"), report.responses, report.dissatisfied
    )
    for dimension, figure in report.factors:
        yield _figure_row(
            scope, str(FACTOR_LABELS[dimension]), report.responses, figure
        )
    yield _composite_row(report, scope)


def _composite_row(report: Overview, scope: str) -> list[object]:
    composite = report.composite
    return [
        scope,
        _("Composite index (M2)"),
        report.responses,
        "",
        _rounded_pct(composite.estimate),
        _rounded_pct(composite.low),
        _rounded_pct(composite.high),
        _("partial") if composite.is_partial else "",
        "",
        *BLANK_EXTRA,
        "",
    ]


def _rounded_pct(value: float | None) -> object:
    """A share in percent with one decimal, blank when there is none."""
    return "" if value is None else round(100 * value, 1)


def _channel_gap_rows(report: Overview) -> Iterator[list[object]]:
    """Opt-in minus invited, when the page shows the channels' gap."""
    gap = report.channels.gap if report.channels else None
    if gap is None or gap.estimate is None:
        return
    yield [
        report.scope.name(current_lang()),
        _("Opt-in minus invited (points)"),
        "",
        "",
        *_interval_cells(gap.estimate, gap.low, gap.high),
        _("a real difference") if gap.real else _("could be noise"),
        *[""] * 9,
    ]


def _unit_rows(
    report: Overview, official: OfficialOverview | None
) -> Iterator[list[object]]:
    """Each unit's M1 with its band, ranking, M6 and (when any) M5."""
    lang = current_lang()
    for child in report.children:
        cells = _figure_row(
            child.unit.name(lang),
            _("Overall satisfaction (M1)"),
            child.responses,
            child.index,
        )
        cells[8] = str(BAND_LABELS[child.band]) if child.band else ""
        cells[-1] = _ranking_cell(child, official)
        extra = _standardised_cells(report, child) if report.standardised else []
        yield [*cells, *_shrunk_cells(child), *extra]


def _comparison_rows(report: Overview) -> Iterator[list[object]]:
    """The comparison's parameters: n is the number of units compared and
    the estimate the city's share every unit is compared with."""
    model = report.comparison.model if report.comparison else None
    if model is None or model.p0 is None:
        return
    scope = report.scope.name(current_lang())
    method = [scope, comparison_method(report), "", model.family]
    yield [*method, round(100 * model.p0, 1), *[""] * 12]


def _weighted_rows(
    report: Overview, weighted: WeightedOverview
) -> Iterator[list[object]]:
    """The invited channel weighted by case volume: the scope, then each unit."""
    lang = current_lang()
    yield [
        report.scope.name(lang),
        _("Overall satisfaction (M1), weighted by case volume, invited channel"),
        "",
        weighted.scope.n,
        *_share_cells(weighted.scope.figure),
        "",
        *_weighted_cells(weighted.scope, weighted.rate),
        "",
    ]
    measure = _("Overall satisfaction (M1), weighted, invited channel")
    for wrow in weighted.rows:
        # not an incentive source: the official rows above are
        ranking = _("under review: left out") if wrow.under_review else ""
        yield [
            wrow.unit.name(lang),
            measure,
            "",
            wrow.weighted.n,
            *_share_cells(wrow.weighted.figure),
            "",
            *_weighted_cells(wrow.weighted, wrow.rate),
            ranking,
        ]


def overview_response(
    report: Overview,
    fmt: str,
    weighted: WeightedOverview | None = None,
    official: OfficialOverview | None = None,
) -> Response:
    rows = [
        [neutralise(cell) for cell in row]
        for row in overview_rows(report, weighted, official)
    ]
    name = f"{report.survey.slug}-{report.scope.code}"
    if fmt == "xlsx":
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet(report.scope.code[:31])
        for row in rows:
            sheet.append(row)
        buffer = io.BytesIO()
        book.save(buffer)
        return Response(
            buffer.getvalue(),
            mimetype=XLSX_TYPE,
            headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'},
        )
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerows(rows)
    return Response(
        "\ufeff" + text.getvalue(),  # a BOM, so that Excel reads UTF-8
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )
