"""The public open-data page of a survey, and Plotly's script for results pages.

Registered apart from ``results.bp`` so that no login is asked: only surveys
set to publish their results are shown, at the level of the survey's owner
unit, with suppression enforced and no free text.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request, url_for
from markupsafe import Markup
from sqlalchemy import select

from survey import jobs
from survey.extensions import db, limiter
from survey.models import Survey
from survey.results import plotly_assets
from survey.results.presenters import method_context, overview_context
from survey.services.reporting import reports
from survey.services.reporting.result_filter import ResultFilter

bp = Blueprint("open", __name__)

ONE_YEAR = 365 * 24 * 3600


@bp.get("/open/method")
def open_method() -> str:
    """The "how we compute" page, readable by anyone."""
    return render_template("results/method.html", **method_context(public=True))


@bp.get("/open/<slug>")
@limiter.limit("60 per minute")  # no login: keep its full scans from being a DoS
def open_results(slug: str) -> str:
    survey = db.session.scalar(select(Survey).where(Survey.slug == slug))
    if survey is None or not survey.publish_results:
        abort(404)
    jobs.fold_soon(survey)  # queues a fold; a GET never writes
    report = reports.overview(survey, survey.owner_unit, ResultFilter())
    return render_template("results/open.html", **overview_context(report, public=True))


def _long_lived(response: Response, etag: str = plotly_assets.VERSION) -> Response:
    response.cache_control.public = True
    response.cache_control.max_age = ONE_YEAR
    response.cache_control.immutable = True
    response.set_etag(etag)
    return response.make_conditional(request)


@bp.get("/charts/plotly.min.js")
def plotly_js() -> Response:
    """Plotly's bundle, Brotli-compressed where the browser takes it, else
    gzip (by survey.web) or plain; URLs carry its version."""
    brotli = plotly_assets.script_brotli()
    if brotli is not None and request.accept_encodings["br"] > 0:
        response = Response(brotli, mimetype="application/javascript")
        response.headers["Content-Encoding"] = "br"
        response.vary.add("Accept-Encoding")
        return _long_lived(response, f"{plotly_assets.VERSION}-br")
    response = Response(
        plotly_assets.script_bytes(),
        mimetype="application/javascript",
        direct_passthrough=True,  # compressed once and cached by survey.web
    )
    if brotli is not None:
        response.vary.add("Accept-Encoding")
    return _long_lived(response)


@bp.get("/charts/plotly.css")
def plotly_css() -> Response:
    """The rules Plotly would inject inline (blocked by the CSP)."""
    return _long_lived(Response(plotly_assets.style_sheet(), mimetype="text/css"))


@bp.app_template_global()
def chart_prefetch() -> Markup:
    """Links fetching Plotly's bundle while the page before the charts is read.

    On the login page and the results index: while a leader types or picks a
    survey, the phone fetches the bundle at idle priority into its cache (the
    addresses are immutable for a year), so the overview draws its charts
    without waiting for 300 KB on a slow link. Chromium lets such a fetch
    finish across the navigation that follows.
    """
    version = plotly_assets.VERSION
    script = url_for("open.plotly_js", v=version)
    style = url_for("open.plotly_css", v=version)
    return Markup(
        '<link rel="prefetch" href="{}" as="script">'
        '<link rel="prefetch" href="{}" as="style">'
    ).format(script, style)
