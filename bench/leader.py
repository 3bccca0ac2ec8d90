"""The leader's side of ``make bench`` (issue 24): the results overview on a phone.

A leader on a cheap phone over a slow link: Chromium with the link throttled to
400 kbit/s both ways and 400 ms round trips (CDP
``Network.emulateNetworkConditions``) and the CPU slowed 4x
(``Emulation.setCPUThrottlingRate``). A new phone each run (an empty cache):
it opens ``/login``, the leader types the demo leader's address and password
and taps the button, lands on the page the app sends a leader to, then opens
the survey's results overview. Measured from the overview's navigation:

- **headline**: first contentful paint (the headline and the summary table are
  in the page itself: no script or second request is needed to read them);
- **charts drawn**: when every chart of the page has been drawn by Plotly
  (``data-drawn`` set by ``charts.js`` once ``Plotly.newPlot`` resolved),
  against the issue's 4 s target. ``charts.js`` draws a chart as it comes
  near the screen, so the phone scrolls to the next undrawn chart every
  100 ms, as a reader would; **first chart** is when the first was drawn;
- the bytes of each response as they crossed the link (CDP's
  ``encodedDataLength``, headers included), their encoding, and whether they
  came from the browser's cache (as the Plotly bundle does when the login page
  fetched it while the leader typed).

A second figure takes the login out: the same phone but with the bundle not
fetched before (the overview opened by a leader already signed in whose cache
is empty), the worst first view.
"""

from __future__ import annotations

import os
import statistics
import time

import run  # bench/run.py: the client, the servers, the databases

CHROMIUM = "/usr/bin/chromium"
TARGET_SECONDS = 4.0
CPU_SLOWDOWN = 4
SLOW_LINK = {  # 400 kbit/s both ways, 400 ms round trip
    "offline": False,
    "latency": 400,
    "downloadThroughput": 400_000 / 8,
    "uploadThroughput": 400_000 / 8,
}
OVERVIEW = f"/results/{run.SLUG}"
# A person types about five characters a second on a phone's keyboard.
TYPING_DELAY_MS = 200

# Runs in the overview before its own scripts (Playwright's init script is not
# subject to the page's CSP): the time at which every chart was drawn.
_WATCH_CHARTS = """(() => {
  if (location.pathname !== OVERVIEW) { return; }
  window.__charts = {count: 0, drawn_ms: null, first_ms: null};
  const check = () => {
    const charts = document.querySelectorAll('.chart');
    const drawn = document.querySelectorAll('.chart[data-drawn="true"]');
    window.__charts.count = charts.length;
    if (drawn.length && window.__charts.first_ms === null) {
      window.__charts.first_ms = performance.now();
    }
    if (charts.length && drawn.length === charts.length
        && window.__charts.drawn_ms === null) {
      window.__charts.drawn_ms = performance.now();
    }
  };
  new MutationObserver(check).observe(document, {
    subtree: true, attributes: true, attributeFilter: ['data-drawn'],
    childList: true,
  });
})();""".replace("OVERVIEW", repr(OVERVIEW))

_TIMES = """() => {
  const paint = performance.getEntriesByName('first-contentful-paint')[0];
  const nav = performance.getEntriesByType('navigation')[0];
  return {
    headline_ms: paint ? paint.startTime : null,
    dom_ms: nav.domContentLoadedEventEnd,
    loaded_ms: nav.loadEventEnd,
    charts: window.__charts.count,
    drawn_ms: window.__charts.drawn_ms,
    first_ms: window.__charts.first_ms,
    arrived_ms: Object.fromEntries(performance.getEntriesByType('resource')
      .map(r => [new URL(r.name).pathname, Math.round(r.responseEnd)])),
  };
}"""


# Scrolls to the first chart not yet drawn; true once every one is drawn.
_SCROLL_TO_NEXT = """() => {
  const next = [...document.querySelectorAll('.chart')]
    .find(c => c.dataset.drawn !== 'true');
  if (next) { next.scrollIntoView(); }
  return window.__charts.drawn_ms !== null;
}"""


class _Traffic:
    """What crossed the (emulated) link, by request, from CDP's events."""

    def __init__(self, cdp) -> None:
        self.items: dict[str, dict] = {}
        cdp.on("Network.responseReceived", self._response)
        cdp.on("Network.loadingFinished", self._finished)
        cdp.on("Network.requestServedFromCache", self._cached)

    def _response(self, event: dict) -> None:
        response = event["response"]
        if not response["url"].startswith("http"):
            return  # a data: address: nothing crossed the link
        headers = {k.lower(): v for k, v in response.get("headers", {}).items()}
        self.items[event["requestId"]] = {
            "url": response["url"],
            "status": response["status"],
            "encoding": headers.get("content-encoding", ""),
            "cached": bool(response.get("fromDiskCache"))
            or bool(response.get("fromPrefetchCache")),
            "connection": response.get("connectionId"),
            "reused": bool(response.get("connectionReused")),
            "bytes": 0,
        }

    def _finished(self, event: dict) -> None:
        item = self.items.get(event["requestId"])
        if item is not None:
            item["bytes"] = int(event.get("encodedDataLength", 0))
            item["cached"] = item["cached"] or not item["bytes"]

    def _cached(self, event: dict) -> None:
        item = self.items.get(event["requestId"])
        if item is not None:
            item["cached"] = True

    def take(self) -> list[dict]:
        items = list(self.items.values())
        self.items.clear()
        return items


def _short(url: str) -> str:
    path = url.split("://", 1)[-1].split("/", 1)[-1]
    return "/" + path.split("?", 1)[0]


def _metrics(cdp) -> dict[str, float]:
    return {
        m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]
    }


def _one_phone(browser, base: str, via_login: bool, cookies: list) -> dict:
    context = browser.new_context(viewport={"width": 360, "height": 740})
    try:
        if cookies:
            context.add_cookies(cookies)
        context.add_init_script(_WATCH_CHARTS)
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.emulateNetworkConditions", SLOW_LINK)
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
        traffic = _Traffic(cdp)
        if via_login:
            page.goto(base + "/login", wait_until="load", timeout=120_000)
            page.locator("input[name=email]").press_sequentially(
                run.LEADER[0], delay=TYPING_DELAY_MS
            )
            page.locator("input[name=password]").press_sequentially(
                run.LEADER[1], delay=TYPING_DELAY_MS
            )
            with page.expect_navigation(wait_until="load"):
                page.locator("form button[type=submit]").last.click()
        traffic.take()
        cdp.send("Performance.enable")
        before = _metrics(cdp)
        started = time.monotonic()
        page.goto(base + OVERVIEW, wait_until="load", timeout=120_000)
        for _poll in range(1200):  # the CSP forbids wait_for_function's eval
            if page.evaluate(_SCROLL_TO_NEXT):
                break
            page.wait_for_timeout(100)
        wall = time.monotonic() - started
        after = _metrics(cdp)
        times = page.evaluate(_TIMES)
        page.wait_for_timeout(200)  # the last loadingFinished events
        items = traffic.take()
        return {
            **times,
            "wall_s": wall,
            # The page's main thread: busy (throttled, as the phone) and the
            # CPU it used on this machine (unthrottled; other loads excluded).
            "busy_s": after["TaskDuration"] - before["TaskDuration"],
            "cpu_s": after["ThreadTime"] - before["ThreadTime"],
            "bytes": sum(item["bytes"] for item in items),
            "requests": len(items),
            "connections": len({i["connection"] for i in items if not i["cached"]}),
            "items": [{**item, "url": _short(item["url"])} for item in items],
        }
    finally:
        context.close()


def leader_charts(port: int, runs: int = 3) -> dict:
    """The median run of each way in (see the module's docstring)."""
    if not os.path.exists(CHROMIUM):
        return {"skipped": f"no {CHROMIUM}"}
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return {"skipped": "Playwright is not installed"}
    base = f"http://127.0.0.1:{port}"
    cookie = run.login(port).split("=", 1)
    cookies = [{"name": cookie[0], "value": cookie[1], "url": base}]
    args = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]
    report: dict = {"target_s": TARGET_SECONDS, "cpu_slowdown": CPU_SLOWDOWN}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=args)
        try:
            for name, via_login in (("via_login", True), ("signed_in", False)):
                done = [
                    _one_phone(browser, base, via_login, [] if via_login else cookies)
                    for _ in range(runs)
                ]
                done.sort(key=lambda r: r["drawn_ms"] or 1e9)
                report[name] = {
                    **done[len(done) // 2],
                    "drawn_runs_ms": [r["drawn_ms"] for r in done],
                    "drawn_median_ms": statistics.median(r["drawn_ms"] for r in done),
                }
        finally:
            browser.close()
    return report


def bench_leader(url: str, runs: int) -> dict:
    """The overview on a phone, against a server as ``make run`` starts it."""
    with run.gunicorn(url, "wsgi:app", run.WORKERS, "/healthz") as server:
        return leader_charts(server.port, runs)


def render(report: dict) -> list[str]:
    """The leader's lines of the printed table (one database's report)."""
    leader = report.get("leader")
    if not leader:
        return []
    name = report["database"]
    if leader.get("skipped"):
        return [f"{name}: leader's charts on a phone skipped: {leader['skipped']}"]
    lines = []
    ways = {
        "via_login": "after typing the login",
        "signed_in": "signed in, nothing cached",
    }
    for key, words in ways.items():
        one = leader.get(key)
        if not one:
            continue
        plotly = [i for i in one["items"] if "plotly" in i["url"]]
        bundle = ", ".join(
            f"{i['url'].rsplit('/', 1)[-1]} "
            + ("from cache" if i["cached"] else f"{i['bytes'] / 1024:.0f} KB")
            + (f" {i['encoding']}" if i["encoding"] else "")
            for i in plotly
        )
        lines.append(
            f"{name}: leader's overview at 400 kbit/s, 400 ms RTT, CPU "
            f"{leader['cpu_slowdown']}x slower ({words}): headline "
            f"{one['headline_ms'] / 1000:.2f} s, first chart "
            f"{(one.get('first_ms') or 0) / 1000:.2f} s, {one['charts']} charts drawn "
            f"{one['drawn_ms'] / 1000:.2f} s (target {leader['target_s']:.0f} s; "
            f"runs {', '.join(f'{r / 1000:.1f}' for r in one['drawn_runs_ms'])}), "
            f"{one['bytes'] / 1024:.0f} KB in {one['requests']} requests over "
            f"{one['connections']} connections ({bundle}); main thread busy "
            f"{one['busy_s']:.1f} s, of which CPU {one['cpu_s']:.2f} s here"
        )
    return lines
