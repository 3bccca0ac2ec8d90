"""The overview's export holds what the page shows: the trend with its
intervals (the running period marked), the channel gap and the comparison's
method beside the verdicts."""

from __future__ import annotations

import csv
import io

from survey.services.demo import DEMO_SLUG
from survey.services.reporting import reports
from survey.services.reporting.result_filter import ResultFilter
from tests.results.conftest import unit


def test_export_holds_the_trend_the_gap_and_the_method(client, demo, make_user, login):
    make_user("leader@city.vn", "leader", unit("HCM"))
    login("leader@city.vn")
    text = client.get(f"/results/{DEMO_SLUG}/export.csv?lang=en").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    report = reports.overview(demo, unit("HCM"), ResultFilter())
    by_measure = {r["Measure"]: r for r in rows}
    for m in report.months:
        exported = by_measure[f"Overall satisfaction (M1), {m.month}"]
        assert exported["Responses"] == str(m.responses)
        if m.index.display.kind == "value":
            assert exported["Estimate (%)"] == str(
                round(100 * m.index.prop.estimate, 1)
            )
            assert exported["Lower 95 % limit (%)"] == str(
                round(100 * m.index.prop.low, 1)
            )
        assert ("current period, incomplete" in exported["Status"]) == m.incomplete
    gap = report.channels.gap
    if gap is not None:
        exported = by_measure["Opt-in minus invited (points)"]
        assert exported["Estimate (%)"] == str(round(100 * gap.estimate, 1))
    method = [r for r in rows if "Benjamini-Hochberg" in r["Measure"]]
    assert len(method) == 1
    assert method[0]["n"] == str(report.comparison.model.family)


def test_page_and_export_show_the_same_shrunk_estimates_and_ranks(
    client, demo, make_user, login
):
    make_user("leader@city.vn", "leader", unit("HCM"))
    login("leader@city.vn")
    report = reports.overview(demo, unit("HCM"), ResultFilter())
    html = client.get(f"/results/{DEMO_SLUG}?lang=en").get_data(as_text=True)
    text = client.get(f"/results/{DEMO_SLUG}/export.csv?lang=en").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    exported = {
        r["Unit"]: r for r in rows if r["Measure"] == "Overall satisfaction (M1)"
    }
    ranked = [r for r in report.children if r.rank is not None]
    assert len(ranked) >= 10
    for row in ranked:
        line = exported[row.unit.name_en]
        assert line["Adjusted for chance (%)"] == str(
            round(100 * row.shrunk.estimate, 1)
        )
        assert line["Rank interval (1 = highest)"] == (
            f"{row.rank.low}-{row.rank.high} / {row.ranked}"
        )
        cell = html[html.index(f'data-unit="{row.unit.code}"') :]
        cell = cell[: cell.index("</tr>")]
        assert f"rank {row.rank.low}–{row.rank.high} of {row.ranked}" in cell
        # shrunk towards the average: never further from it than the raw share
        mean = report.comparison.prior[0] / sum(report.comparison.prior)
        assert abs(row.shrunk.estimate - mean) <= abs(row.index.prop.estimate - mean)
