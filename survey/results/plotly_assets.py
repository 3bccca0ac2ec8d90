"""Plotly's script and style sheet, served by the app itself (no CDN).

The script is plotly.js's "basic" partial bundle (scatter, bar and pie: what
``survey.results.charts`` draws), shipped in ``survey/static/vendor`` from npm's
``plotly.js-basic-dist-min`` (MIT): 372 KB compressed where the full bundle
of the ``plotly`` package is 1.4 MB, so a results page's first view on a phone
stays under 600 KB. Its major version matches the one ``plotly`` (Python)
writes figures for; a chart type outside the bundle would fail in the
browser test of the results pages. One edit to the shipped copy: the default
``topojsonURL`` (a CDN, read only by map traces, which this bundle lacks) is
``/charts/topojson/``, so that not even a string in it points off the server.

Plotly.js injects its CSS as inline ``<style>`` rules, which the app's CSP
(``style-src 'self'``) blocks. Plotly skips that when the page already holds an
element ``#plotly.js-style-global.no-inline-styles``: the results pages link
this module's style sheet under that id. The rules are read from the bundle
itself, so they follow the installed version.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

import plotly

BUNDLE_VERSION = "3.7.0"
PLOTLY_JS = (
    Path(__file__).resolve().parents[1]
    / "static"
    / "vendor"
    / f"plotly-basic-{BUNDLE_VERSION}.min.js"
)
# The same bundle compressed with Brotli at its highest quality (311 KB where
# gzip -9 gives 373 KB): too slow to make in a worker (15 s), so made once by
# `make vendor-brotli` and shipped beside the script; sent to browsers that
# take "br" (every current one), gzip to the others.
PLOTLY_JS_BROTLI = PLOTLY_JS.with_name(PLOTLY_JS.name + ".br")
VERSION = f"{plotly.__version__}-basic-{BUNDLE_VERSION}"  # cache-busting key

_RULE = re.compile(r'"([XY][^"]*)":(\'(?:[^\'\\]|\\.)*\'|"(?:[^"\\]|\\.)*")')
_INLINE_STYLE_GUARD = re.compile(
    r'getElementById\("([0-9a-f]{64})"\)\)\{var \w+=document\.createElement\("style"\)'
)


@cache
def script_bytes() -> bytes:
    # One bytes object per worker: survey.web caches its gzip keyed on it.
    return PLOTLY_JS.read_bytes()


@cache
def script_brotli() -> bytes | None:
    """The bundle as Brotli, or None when the precompressed copy is missing."""
    try:
        return PLOTLY_JS_BROTLI.read_bytes()
    except OSError:
        return None


@cache
def style_sheet() -> str:
    """The CSS rules Plotly would have injected, as a style sheet."""
    source = script_bytes().decode("utf-8")
    start = source.find('{"X,X div":')
    end = source.find("};for(", start)
    if start < 0 or end < 0:
        return ""
    rules = []
    for selector, quoted in _RULE.findall(source[start : end + 1]):
        body = json.loads('"' + quoted[1:-1].replace('"', '\\"') + '"')
        full = (
            re.sub(r"^,", " ,", selector)
            .replace("X", ".js-plotly-plot .plotly")
            .replace("Y", ".plotly-notifier")
        )
        rules.append(f"{full}{{{body}}}")
    return "\n".join(rules) + "\n"


@cache
def inline_style_guards() -> tuple[str, ...]:
    """Ids whose presence stops bundled modules (maps) injecting inline styles."""
    return tuple(_INLINE_STYLE_GUARD.findall(script_bytes().decode("utf-8")))
