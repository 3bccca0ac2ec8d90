"""The citizen's side of ``make bench`` (issue 24): the form against a bare insert.

Measured in one run, on the same 3 gunicorn workers and the same load client:

- the **bare insert**: ``bench/baseline_app.py``'s ``POST /b/insert``, one row
  of 10 integers and nothing else (no session, CSRF, template or check);
- the **form GET**: a new citizen opening the 10-question, one-page demo
  form (no cookie), with the worker's page cache on, and off for comparison;
- the **whole cycle**: GET the form, POST every answer, GET the thank-you
  page, as a phone does (a ticket begun four minutes earlier, so that no
  speeder flag is written: a real citizen takes that long);
- the **first response**: the form's page as sent compressed (headers and
  body), which must fit a TCP initial window (14 KB);
- the **first paint** in Chromium with the link throttled to 400 kbit/s and
  400 ms round trips (CDP ``Network.emulateNetworkConditions``): first
  contentful paint, and when the first answer can be tapped (the form's
  controls parsed and laid out), when Chromium and Playwright are there.

Throughputs are ratios against the bare insert of the same run, its loads
taken in turn in short slices (``bench_citizen``); absolute figures move
with what else the cores are doing.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
import uuid
from contextlib import ExitStack, contextmanager
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import run  # bench/run.py: the client, the servers, the databases

CLIENTS = 16
TARGET_GET, TARGET_CYCLE, TARGET_BYTES = 1.0, 0.33, 14 * 1024
CHROMIUM = "/usr/bin/chromium"
SLOW_LINK = {  # 400 kbit/s both ways, 400 ms round trip
    "offline": False,
    "latency": 400,
    "downloadThroughput": 400_000 / 8,
    "uploadThroughput": 400_000 / 8,
}
BARE_TABLE = "bench_bare_insert"


# The survey measured, as issue 24 measured it: ten five-point questions on
# one page, at the demo's first service point. Made in the bench database.
SLUG = "bench-10"
FORM_PATH = f"/s/{SLUG}/{run.UNIT}"
SURVEY_CODE = """
import json, sys
from sqlalchemy import select
from survey import create_app
from survey.domain.questions import LIKERT5, OptionSpec, PageSpec, QuestionSpec
from survey.domain.questions import SurveySpec
from survey.extensions import db
from survey.models import Unit
from survey.services.design.definitions import create_survey
slug, code = sys.argv[1:3]
app = create_app()
with app.app_context():
    scale = tuple(OptionSpec(str(i), f"Mức {i}", f"Level {i}") for i in range(1, 6))
    questions = tuple(
        QuestionSpec(f"Q{i}", LIKERT5,
            f"Ông/Bà hài lòng như thế nào về khía cạnh số {i} của dịch vụ?",
            f"How satisfied are you with aspect {i} of the service?",
            options=(*scale, OptionSpec("9", "Không biết", "Don't know")))
        for i in range(1, 11)
    )
    spec = SurveySpec("Khảo sát 10 câu", "Ten questions", "Giới thiệu.", "Intro.",
                      pages=(PageSpec("", "", questions),))
    unit = db.session.scalar(select(Unit).where(Unit.code == code))
    survey = create_survey(slug, spec, unit, [unit])
    survey.versions[0].publish()
    survey.open()
    db.session.commit()
    print(json.dumps([(f"q_{q.id}", "4") for q in survey.versions[0].questions]))
"""


def ten_question_survey(url: str) -> list[tuple[str, str]]:
    """Make the measured survey; an answer of 4 to each of its questions."""
    import json
    import subprocess

    result = subprocess.run(  # noqa: S603 - our own interpreter and code
        [run.PYTHON, "-c", SURVEY_CODE, SLUG, run.UNIT],
        cwd=run.ROOT,
        env=run.app_env(url),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return [tuple(pair) for pair in json.loads(result.stdout.splitlines()[-1])]


# --- one citizen's requests ------------------------------------------------------


def _phone() -> str:
    return f"bench-phone-{uuid.uuid4().hex[:12]}"


def bare_insert(port: int, _answers: list) -> bool:
    body = urlencode({f"a{i}": str(i) for i in range(1, 11)})
    return run.http(port, "POST", "/b/insert", body)[0] == 200


def form_get(port: int, _answers: list) -> bool:
    status, _headers, page = run.http(port, "GET", FORM_PATH, agent=_phone())
    return status == 200 and b'name="ticket"' in page


def whole_cycle(port: int, answers: list) -> bool:
    """GET the form, POST the answers, GET the thank-you page."""
    phone = _phone()
    status, headers, html = run.http(port, "GET", FORM_PATH, agent=phone)
    if status != 200:
        return False
    page = html.decode()
    cookie = run.cookie_of(headers, "")
    issued = run._tickets().loads(run.field(page, "ticket"))
    fields = [
        ("csrf_token", run.field(page, "csrf_token")),
        ("ticket", run.mint_ticket(issued["v"], issued.get("o", ""))),
        ("page", "99"),  # clamped to the last page: every answer is checked
        ("website", ""),
        ("action", "submit"),
    ]
    body = urlencode(fields + answers)
    status, headers, _page = run.http(
        port, "POST", FORM_PATH, body, cookie, agent=phone
    )
    thanks = headers.get("location", "")
    if status != 302 or "/thanks" not in thanks:
        return False
    cookie = run.cookie_of(headers, cookie)
    parts = urlsplit(thanks)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return run.http(port, "GET", path, cookie=cookie, agent=phone)[0] == 200


STEPS = {"insert": bare_insert, "get": form_get, "cycle": whole_cycle}


# --- a closed loop of citizens ---------------------------------------------------


def _loop(port, step, answers, threads, deadline, out) -> None:
    done = [0, 0]  # succeeded, failed
    lock = threading.Lock()

    def citizen() -> None:
        while time.monotonic() < deadline:
            try:
                ok = STEPS[step](port, answers)
            except (OSError, RuntimeError, ValueError):
                ok = False
            with lock:
                done[0 if ok else 1] += 1

    pool = [threading.Thread(target=citizen) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    out.put(tuple(done))


def closed_loop(
    port: int, step: str, answers: list, seconds: float, warm: bool = True
) -> dict:
    """CLIENTS citizens repeating ``step`` for ``seconds``: completions per second."""
    context = multiprocessing.get_context("fork")
    for _ in range(3 * run.WORKERS if warm else 0):  # templates, pages kept
        STEPS[step](port, answers)
    out = context.Queue()
    started = time.monotonic()
    processes = [
        context.Process(
            target=_loop,
            args=(port, step, answers, CLIENTS // 2, started + seconds, out),
        )
        for _ in range(2)
    ]
    for process in processes:
        process.start()
    parts = [out.get() for _ in processes]
    for process in processes:
        process.join()
    elapsed = time.monotonic() - started
    ok = sum(part[0] for part in parts)
    failed = sum(part[1] for part in parts)
    return {"per_second": ok / elapsed, "ok": ok, "failed": failed, "seconds": elapsed}


@contextmanager
def _environment(**values: str):
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _bare_table(url: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    key = (
        "id INTEGER PRIMARY KEY"
        if engine.dialect.name == "sqlite"
        else "id BIGSERIAL PRIMARY KEY"
    )
    numbers = ", ".join(f"a{i} INTEGER NOT NULL" for i in range(1, 11))
    with engine.begin() as connection:
        connection.execute(
            text(f"CREATE TABLE IF NOT EXISTS {BARE_TABLE} ({key}, {numbers})")
        )
    engine.dispose()


# --- the first view ---------------------------------------------------------------


def first_response(port: int) -> dict:
    """The form's page as a phone first receives it: gzip, headers included."""
    status, headers, body = run.http(port, "GET", FORM_PATH, gzip=True)
    head = sum(len(f"{name}: {value}\r\n") for name, value in headers.items()) + 17
    return {
        "status": status,
        "encoding": headers.get("content-encoding", ""),
        "body_bytes": len(body),
        "bytes": len(body) + head,
    }


def first_paint(port: int) -> dict:
    """First contentful paint and first tappable answer on a throttled link."""
    if not os.path.exists(CHROMIUM):
        return {"skipped": f"no {CHROMIUM}"}
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return {"skipped": "Playwright is not installed"}
    args = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]
    runs = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=args)
        try:
            for _ in range(3):  # a new phone each time: nothing cached
                context = browser.new_context(viewport={"width": 360, "height": 740})
                page = context.new_page()
                cdp = context.new_cdp_session(page)
                cdp.send("Network.enable")
                cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
                cdp.send("Network.emulateNetworkConditions", SLOW_LINK)
                page.goto(f"http://127.0.0.1:{port}{FORM_PATH}", wait_until="load")
                runs.append(page.evaluate(_PAINT_SCRIPT))
                context.close()
        finally:
            browser.close()
    runs.sort(key=lambda r: r["fcp_ms"] or 1e9)
    median = runs[len(runs) // 2]
    return {**median, "runs": runs}


# Times from the navigation's start: first contentful paint, the DOM parsed
# (the form's first answer exists and can be tapped: no script is needed),
# and the load event (the deferred script run).
_PAINT_SCRIPT = """() => {
  const paint = performance.getEntriesByName('first-contentful-paint')[0];
  const nav = performance.getEntriesByType('navigation')[0];
  return {
    fcp_ms: paint ? paint.startTime : null,
    tappable_ms: nav.domInteractive,
    loaded_ms: nav.loadEventEnd,
    requests: performance.getEntriesByType('resource').length + 1,
  };
}"""


# --- the run ----------------------------------------------------------------------


SLICE_SECONDS = 2.0


def bench_citizen(kind: str, args, folder: Path) -> dict:
    """The citizen's figures, in a database of their own (``kind``): the
    survey and the rows they add stay out of the results figures."""
    own = folder / "citizen"
    own.mkdir(exist_ok=True)
    with run.database(kind, own) as url:
        return measure(url, args)


def measure(url: str, args) -> dict:
    """The ratios of issue 24: short slices of each load, taken in turn.

    The three servers (bare insert, app with and without the page cache)
    run side by side, idle but for the one measured; each load runs in
    slices of SLICE_SECONDS, alternating, ``args.reps`` × ``args.seconds``
    seconds in all per load. Whatever else the cores do then weighs on every
    load alike, which sequential runs of several seconds did not ensure.
    """
    answers = ten_question_survey(url)
    _bare_table(url)
    loads = ("insert", "get_uncached", "get", "cycle")
    done = {name: [0, 0.0, 0] for name in loads}  # ok, seconds, failed
    slices = max(1, round(args.reps * args.seconds / SLICE_SECONDS))
    with ExitStack() as servers:
        base = servers.enter_context(
            run.gunicorn(url, "bench.baseline_app:app", run.WORKERS, "/b/form")
        )
        app = servers.enter_context(
            run.gunicorn(url, "wsgi:app", run.WORKERS, "/healthz")
        )
        with _environment(SURVEY_PAGE_CACHE="false"):
            uncached = servers.enter_context(
                run.gunicorn(url, "wsgi:app", run.WORKERS, "/healthz")
            )
        ports = {"insert": base.port, "get_uncached": uncached.port}
        ports |= {"get": app.port, "cycle": app.port}
        for number in range(slices):
            for name in loads:
                step = name.removesuffix("_uncached")
                result = closed_loop(
                    ports[name], step, answers, SLICE_SECONDS, warm=number == 0
                )
                done[name][0] += result["ok"]
                done[name][1] += result["seconds"]
                done[name][2] += result["failed"]
        view = first_response(app.port)
        view["paint"] = first_paint(app.port)
    rates = {name: ok / seconds for name, (ok, seconds, _f) in done.items()}
    insert = rates["insert"] or float("nan")
    return {
        "clients": CLIENTS,
        "seconds": slices * SLICE_SECONDS,
        "per_second": rates,
        "failed": {name: failed for name, (_o, _s, failed) in done.items()},
        "get_ratio": rates["get"] / insert,
        "get_uncached_ratio": rates["get_uncached"] / insert,
        "cycle_ratio": rates["cycle"] / insert,
        "first_view": view,
    }


def render(report: dict) -> list[str]:
    """The citizen's lines of the printed table (one database's report)."""
    citizen = report.get("citizen")
    if not citizen:
        return []
    name, rates = report["database"], citizen["per_second"]
    lines = [
        f"{name}: bare one-row insert {rates['insert']:.0f}/s ({citizen['clients']} "
        "clients); form GET "
        f"{rates['get']:.0f}/s = {citizen['get_ratio']:.0%} of it "
        f"(target {TARGET_GET:.0%}; page cache off: {rates['get_uncached']:.0f}/s = "
        f"{citizen['get_uncached_ratio']:.0%}); whole cycle GET + POST + thanks "
        f"{rates['cycle']:.0f}/s = {citizen['cycle_ratio']:.0%} "
        f"(target {TARGET_CYCLE:.0%})",
    ]
    view = citizen.get("first_view") or {}
    if view:
        lines.append(
            f"{name}: form's first response {view['bytes'] / 1024:.1f} KB "
            f"{view['encoding'] or 'uncompressed'} with headers "
            f"(target {TARGET_BYTES // 1024} KB, one round trip)"
        )
        paint = view.get("paint") or {}
        if paint.get("skipped"):
            lines.append(f"{name}: first paint skipped: {paint['skipped']}")
        elif paint:
            lines.append(
                f"{name}: at 400 kbit/s, 400 ms RTT: first contentful paint "
                f"{paint['fcp_ms'] / 1000:.2f} s, first answer tappable "
                f"{paint['tappable_ms'] / 1000:.2f} s, loaded (script run) "
                f"{paint['loaded_ms'] / 1000:.2f} s, {paint['requests']} requests"
            )
    return lines
