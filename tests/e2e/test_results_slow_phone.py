"""A leader on a phone over a slow link (issue 24): what she would notice.

The login page fetches Plotly's bundle while she types, so the overview draws
its charts from the phone's cache; the bundle crosses the link once, Brotli-
compressed, and every script and style sheet comes compressed. No clock is
read: the link is slowed (400 kbit/s, 400 ms) only so that the order of
things is a phone's; the times are ``make bench``'s (bench/leader.py).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from survey.services.demo import DEMO_SLUG
from tests.e2e.conftest import PHONE, city_user

pytestmark = pytest.mark.browser

EMAIL = "slow-phone-leader@demo.gov.vn"
PASSWORD = "a-long-password-on-a-slow-link"
SLOW_LINK = {
    "offline": False,
    "latency": 400,
    "downloadThroughput": 400_000 / 8,
    "uploadThroughput": 400_000 / 8,
}
BUNDLE = "/charts/plotly.min.js"
# Plotly's "basic" bundle as Brotli: 311 KB (gzip 373 KB, plain 1.1 MB).
BUNDLE_MAX_BYTES = 330 * 1024


class Link:
    """Every response a page received, from CDP: address, encoding, bytes."""

    def __init__(self, cdp) -> None:
        self.responses: dict[str, dict] = {}
        cdp.on("Network.responseReceived", self._received)
        cdp.on("Network.loadingFinished", self._finished)
        cdp.on("Network.requestServedFromCache", self._cached)

    def _received(self, event: dict) -> None:
        response = event["response"]
        headers = {k.lower(): v for k, v in response["headers"].items()}
        self.responses[event["requestId"]] = {
            "path": response["url"].split("://", 1)[-1].partition("/")[2],
            "type": event.get("type", ""),
            "status": response["status"],
            "encoding": headers.get("content-encoding", ""),
            "vary": headers.get("vary", ""),
            "cached": bool(response.get("fromDiskCache")),
            "bytes": None,
        }

    def _finished(self, event: dict) -> None:
        response = self.responses.get(event["requestId"])
        if response is not None:
            response["bytes"] = event["encodedDataLength"]
            # Nothing crossed the link: Chromium's memory or prefetch cache.
            response["cached"] = response["cached"] or not response["bytes"]

    def _cached(self, event: dict) -> None:
        if event["requestId"] in self.responses:
            self.responses[event["requestId"]]["cached"] = True

    def of(self, path: str) -> list[dict]:
        return [
            r for r in self.responses.values() if ("/" + r["path"]).startswith(path)
        ]

    def clear(self) -> None:
        self.responses.clear()


@pytest.fixture
def slow_phone(live_server, browser) -> Iterator[tuple[object, Link, list[str]]]:
    """A new phone (empty cache) on the slow link, under the real CSP."""
    context = browser.new_context(viewport=PHONE, locale="vi-VN")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console",
        lambda message: (
            errors.append(message.text) if message.type == "error" else None
        ),
    )
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", SLOW_LINK)
    yield page, Link(cdp), errors
    context.close()


def wait_for(page, script: str, attempts: int = 900) -> bool:
    """Counted polling (the CSP forbids wait_for_function's eval): whether
    ``script`` turned true within ``attempts`` checks 100 ms apart."""
    for _attempt in range(attempts):
        if page.evaluate(script):
            return True
        page.wait_for_timeout(100)
    return False


def log_in(page, live_server, link: Link) -> None:
    email = city_user(live_server, EMAIL, PASSWORD, "leader")
    page.goto(live_server.url + "/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    # A leader types for longer than the bundle takes: wait for it as she would.
    assert wait_for(
        page,
        f"() => performance.getEntriesByType('resource')"
        f".some(r => r.name.includes('{BUNDLE}') && r.responseEnd > 0)",
    )
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state()


def open_overview(page, live_server) -> None:
    page.goto(f"{live_server.url}/results/{DEMO_SLUG}")
    assert wait_for(
        page,
        # Drawn as they come near the screen: scroll to the next one, as she would.
        "() => { const c = [...document.querySelectorAll('.chart')];"
        " const next = c.find(e => e.dataset.drawn !== 'true');"
        " if (next) { next.scrollIntoView(); }"
        " return c.length > 0 && !next; }",
    )


def test_login_page_fetches_the_bundle_the_overview_draws_with(live_server, slow_phone):
    page, link, errors = slow_phone
    log_in(page, live_server, link)
    # Fetched once (the results index she lands on asks again: from the cache).
    fetched = [r for r in link.of(BUNDLE) if not r["cached"]]
    assert [r["encoding"] for r in fetched] == ["br"], [
        (r["bytes"], r["cached"], r["status"]) for r in link.of(BUNDLE)
    ]
    assert 0 < fetched[0]["bytes"] <= BUNDLE_MAX_BYTES, fetched
    assert "cookie" not in fetched[0]["vary"].lower(), fetched  # kept across login
    link.clear()
    open_overview(page, live_server)
    # Every chart drawn, the bundle taken from the phone's cache: it did not
    # cross the link a second time, nor was it asked for again.
    again = link.of(BUNDLE)
    assert all(r["cached"] for r in again), again
    assert page.evaluate("document.querySelectorAll('.chart .main-svg').length") >= 1
    assert errors == []


def test_every_script_and_style_sheet_arrives_compressed(live_server, slow_phone):
    page, link, errors = slow_phone
    log_in(page, live_server, link)
    # Signed in, on a phone whose cache holds nothing: every file crosses the link.
    page.context.new_cdp_session(page).send("Network.clearBrowserCache")
    link.clear()
    open_overview(page, live_server)
    files = [
        r for r in link.responses.values() if r["type"] in ("Script", "Stylesheet")
    ]
    names = {r["path"].split("?")[0].rsplit("/", 1)[-1].split(".")[0] for r in files}
    assert names >= {"plotly", "charts", "site", "results"}, files
    assert not [r for r in files if r["cached"]], files
    assert all(r["encoding"] in ("br", "gzip") for r in files), files
    assert errors == []
