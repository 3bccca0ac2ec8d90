"""The benchmark behind ``make bench`` (issue 7): prints a table, writes JSON.

    .venv/bin/python bench/run.py            # full: about 30 minutes
    .venv/bin/python bench/run.py --quick    # under 3 minutes, for development

Everything runs on 127.0.0.1 in private databases (a temporary SQLite file; a
``survey_bench_<random>`` database on postgres@127.0.0.1:5432, dropped at the
end). Throughputs are compared with ``bench/baseline_app.py`` measured in the
same run with the same gunicorn settings, because absolute figures move with
whatever else the two cores are doing; the load generator shares those cores.
"""

from __future__ import annotations

import argparse
import datetime
import json
import multiprocessing
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from html import unescape
from pathlib import Path
from urllib.parse import urlencode, urljoin

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
SECRET = f"bench-secret-{uuid.uuid4().hex}"
SLUG = "hai-long-dich-vu-cong"
UNIT = "P-SAI-GON"
FORM_PATH = f"/s/{SLUG}/{UNIT}"
LEADER = ("leader@demo.gov.vn", "demo-leader-2025")
ADMIN = ("admin@demo.gov.vn", "demo-admin-2025")
PG_ADMIN = os.environ.get(
    "BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
MODES = ("submit", "cycle")
WORKERS = int(os.environ.get("BENCH_WORKERS", "3"))  # gunicorn.conf's cores + 1


# --- a small HTTP client: light enough to share two cores with the server ---


def http(
    port: int,
    method: str,
    path: str,
    body: str | None = None,
    cookie: str = "",
    gzip: bool = False,
    timeout: float = 60,
    agent: str = "",
) -> tuple[int, dict[str, str], bytes]:
    """One request on a fresh connection (gunicorn's sync workers close it)."""
    head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
    if agent:
        head += f"User-Agent: {agent}\r\n"
    if cookie:
        head += f"Cookie: {cookie}\r\n"
    if gzip:
        head += "Accept-Encoding: gzip\r\n"
    data = b""
    if body is not None:
        data = body.encode()
        head += "Content-Type: application/x-www-form-urlencoded\r\n"
        head += f"Content-Length: {len(data)}\r\n"
    chunks = []
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(head.encode() + b"\r\n" + data)
        while chunk := sock.recv(262144):
            chunks.append(chunk)
    header, _sep, payload = b"".join(chunks).partition(b"\r\n\r\n")
    lines = header.decode("latin-1").split("\r\n")
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, _sep, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(lines[0].split()[1]), headers, payload


def cookie_of(headers: dict[str, str], cookie: str) -> str:
    fresh = headers.get("set-cookie")
    return fresh.split(";", 1)[0] if fresh else cookie


def field(html: str, name: str) -> str:
    match = re.search(rf'name="{name}"[^>]*value="([^"]*)"', html)
    if match is None:
        raise RuntimeError(f"no field {name} in the page")
    return unescape(match.group(1))


# --- processes and databases -------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def app_env(database_url: str) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": SECRET}


def flask(database_url: str, *args: str) -> str:
    result = subprocess.run(  # noqa: S603 - our own interpreter and code
        [PYTHON, "-m", "flask", "--app", "wsgi", *args],
        cwd=ROOT,
        env=app_env(database_url),
        capture_output=True,
        text=True,
        timeout=3600,
    )
    if result.returncode != 0:
        raise RuntimeError(f"flask {' '.join(args)}: {result.stderr[-2000:]}")
    return result.stdout


@dataclass
class Server:
    port: int
    process: subprocess.Popen

    def workers(self) -> list[int]:
        pid = self.process.pid
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        return [int(child) for child in children]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


@contextmanager
def gunicorn(database_url: str, app: str, workers: int, ready: str) -> Iterator[Server]:
    port = free_port()
    env = {
        **app_env(database_url),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": str(workers),
        "GUNICORN_TIMEOUT": "120",
        "GUNICORN_ACCESSLOG": "/dev/null",
        "RATELIMIT_ENABLED": "false",
    }
    log = tempfile.TemporaryFile()
    process = subprocess.Popen(  # noqa: S603 - our own interpreter
        [PYTHON, "-m", "gunicorn", "-c", "gunicorn.conf.py", app],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    server = Server(port, process)
    try:
        for _ in range(300):
            with suppress(OSError):
                if http(port, "GET", ready, timeout=5)[0] == 200:
                    while len(server.workers()) < workers:
                        time.sleep(0.05)
                    break
            time.sleep(0.1)
        else:
            log.seek(0)
            raise RuntimeError(log.read().decode()[-3000:])
        yield server
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def postgres_reachable() -> bool:
    import psycopg

    try:
        psycopg.connect(PG_ADMIN, connect_timeout=3).close()
    except psycopg.Error:
        return False
    return True


@contextmanager
def database(kind: str, folder: Path) -> Iterator[str]:
    """A migrated database with the demo city, survey and users, no responses."""
    if kind == "sqlite":
        url = f"sqlite:///{folder / 'bench.sqlite3'}"
        name = None
    else:
        import psycopg

        name = f"survey_bench_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(PG_ADMIN, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        url = PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"
    try:
        flask(url, "db", "upgrade")
        flask(url, "seed-demo", "--responses", "0")
        yield url
    finally:
        if name:
            import psycopg

            with psycopg.connect(PG_ADMIN, autocommit=True) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def count_responses(database_url: str) -> int:
    from sqlalchemy import create_engine, text

    engine = create_engine(
        database_url.replace("postgresql://", "postgresql+psycopg://", 1)
    )
    with engine.connect() as connection:
        count = connection.execute(text("SELECT count(*) FROM responses")).scalar()
    engine.dispose()
    return int(count or 0)


ANSWERS_CODE = """
import json
from sqlalchemy import select
from survey import create_app
from survey.extensions import db
from survey.models import Survey
from survey.services.answering.surveys import load_version_questions
app = create_app()
with app.app_context():
    survey = db.session.scalar(select(Survey).where(Survey.slug == %r))
    answers = []
    for q in load_version_questions(survey.published_version):
        plain = [o.code for o in q.options if not o.is_other]
        value = {
            "likert5": "4", "nps": "8", "rating5": "4",
            "short_text": "Tốt", "long_text": "Cán bộ hướng dẫn tận tình, cảm ơn.",
            "number": str(q.min_value or 1), "date": "2026-01-15",
        }.get(q.type, plain[0] if plain else "")
        answers.append((f"q_{q.id}", value))
    print(json.dumps(answers))
"""


def demo_answers(database_url: str) -> list[tuple[str, str]]:
    """A valid answer to every question of the demo survey (hidden ones dropped)."""
    result = subprocess.run(  # noqa: S603 - our own interpreter and code
        [PYTHON, "-c", ANSWERS_CODE % SLUG],
        cwd=ROOT,
        env=app_env(database_url),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return [tuple(pair) for pair in json.loads(result.stdout)]


# --- (a) submissions -----------------------------------------------------------


def _tickets():  # noqa: ANN202 - itsdangerous' serializer, imported late
    from itsdangerous import URLSafeSerializer

    return URLSafeSerializer(SECRET, salt="answer-ticket")


def mint_ticket(version_id: int, owner: str) -> str:
    """A ticket as the form issues it, begun four minutes ago (no speeder flag),
    bound to the client's session (``owner``, from the form's own ticket)."""
    data = {"t": uuid.uuid4().hex, "s": int(time.time()) - 240, "c": "qr"}
    return _tickets().dumps({**data, "v": version_id, "o": owner})


def submit_once(
    port: int, kind: str, answers: list[tuple[str, str]], mode: str, state: dict
) -> tuple:
    """One response; (acknowledged, POST seconds, status).

    ``cycle``: GET the form (cookie, CSRF token, ticket), then POST every answer.
    ``submit``: the POST alone, as the target counts it; the client opened the
    form once (cookie and CSRF token) and brings a fresh ticket each time.
    Each response comes from its own phone (User-Agent), as a city's
    citizens do: from one device, every response after the third would be
    flagged "repeated device" (a flag row more to insert) and the device
    check would count the whole run's responses.
    """
    phone = f"bench-phone-{uuid.uuid4().hex[:12]}"
    if kind == "app":
        if mode == "cycle" or "csrf" not in state:
            status, headers, html = http(port, "GET", FORM_PATH, agent=phone)
            if status != 200:
                return False, 0.0, status
            page = html.decode()
            state.update(
                cookie=cookie_of(headers, ""),
                csrf=field(page, "csrf_token"),
                ticket=field(page, "ticket"),
            )
            issued = _tickets().loads(state["ticket"])
            state["version"], state["owner"] = issued["v"], issued.get("o", "")
        ticket = state.pop("ticket", None) or mint_ticket(
            state["version"], state["owner"]
        )
        cookie = state["cookie"]
        fields = [
            ("csrf_token", state["csrf"]),
            ("ticket", ticket),
            ("page", "99"),  # clamped to the last page
            ("website", ""),
            ("action", "submit"),
        ]
        post_path, thanks = FORM_PATH, "/thanks"
    else:
        if mode == "cycle":
            status, headers, html = http(port, "GET", "/b/form", agent=phone)
            ticket = field(html.decode(), "ticket")
        else:
            ticket = uuid.uuid4().hex
        cookie = ""
        fields = [("ticket", ticket)]
        post_path, thanks = "/b/submit", "/b/thanks"
    body = urlencode(fields + answers)
    started = time.perf_counter()
    status, headers, _page = http(port, "POST", post_path, body, cookie, agent=phone)
    seconds = time.perf_counter() - started
    acknowledged = status == 302 and headers.get("location", "").endswith(thanks)
    return acknowledged, seconds, status


def _load_process(port, kind, answers, mode, threads, deadline, out) -> None:
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    acknowledged = [0]
    lock = threading.Lock()

    def citizen() -> None:
        state: dict = {}
        while time.monotonic() < deadline:
            try:
                ok, seconds, status = submit_once(port, kind, answers, mode, state)
            except OSError:
                ok, seconds, status = False, 0.0, 0
            with lock:
                statuses[status] = statuses.get(status, 0) + 1
                if ok:
                    acknowledged[0] += 1
                    latencies.append(seconds)

    pool = [threading.Thread(target=citizen) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    out.put((acknowledged[0], latencies, statuses))


def load(
    port: int, kind: str, answers, mode: str, clients: int, seconds: float
) -> dict:
    """``clients`` citizens submitting in a closed loop for ``seconds``."""
    processes = 2 if clients >= 8 else 1
    context = multiprocessing.get_context("fork")
    out = context.Queue()
    started = time.monotonic()
    deadline = started + seconds
    workers = [
        context.Process(
            target=_load_process,
            args=(port, kind, answers, mode, clients // processes, deadline, out),
        )
        for _ in range(processes)
    ]
    for worker in workers:
        worker.start()
    parts = [out.get() for _ in workers]
    for worker in workers:
        worker.join()
    elapsed = time.monotonic() - started
    acknowledged = sum(part[0] for part in parts)
    latencies = sorted(x for part in parts for x in part[1])
    statuses: dict[str, int] = {}
    for part in parts:
        for status, n in part[2].items():
            statuses[str(status)] = statuses.get(str(status), 0) + n
    return {
        "clients": clients,
        "mode": mode,
        "seconds": round(elapsed, 2),
        "acknowledged": acknowledged,
        "per_second": acknowledged / elapsed,
        "p50_ms": percentile(latencies, 50) * 1000,
        "p99_ms": percentile(latencies, 99) * 1000,
        "statuses": statuses,
    }


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]


def bench_submissions(url: str, kind: str, args) -> dict:
    """App and baseline, alternating, at each concurrency; medians of the reps."""
    answers = demo_answers(url)
    runs: dict[str, dict[tuple[str, int], list[dict]]] = {"app": {}, "baseline": {}}
    combos = [(mode, clients) for mode in MODES for clients in args.clients]
    stored: dict[str, int] = {}
    acknowledged: dict[str, int] = {}
    targets = {
        "app": ("wsgi:app", "/healthz"),
        "baseline": ("bench.baseline_app:app", "/b/form"),
    }
    for _rep in range(args.reps):
        for which, (spec, ready) in targets.items():
            before = count_responses(url)
            with gunicorn(url, spec, WORKERS, ready) as server:
                ok, _seconds, status = submit_once(
                    server.port, which, answers, "cycle", {}
                )
                if not ok:
                    raise RuntimeError(f"{which}: a valid submission got {status}")
                for mode, clients in combos:
                    result = load(
                        server.port, which, answers, mode, clients, args.seconds
                    )
                    runs[which].setdefault((mode, clients), []).append(result)
                    acknowledged[which] = (
                        acknowledged.get(which, 0) + result["acknowledged"]
                    )
                acknowledged[which] += 1  # the check above
            stored[which] = stored.get(which, 0) + count_responses(url) - before
    table = []
    for mode, clients in combos:
        app = median_run(runs["app"][mode, clients])
        base = median_run(runs["baseline"][mode, clients])
        table.append(
            {
                "database": kind,
                "mode": mode,
                "clients": clients,
                "app_per_second": app["per_second"],
                "baseline_per_second": base["per_second"],
                "ratio": app["per_second"] / base["per_second"],
                "app_p50_ms": app["p50_ms"],
                "app_p99_ms": app["p99_ms"],
                "baseline_p50_ms": base["p50_ms"],
                "baseline_p99_ms": base["p99_ms"],
                "runs": {
                    "app": runs["app"][mode, clients],
                    "baseline": runs["baseline"][mode, clients],
                },
            }
        )
    return {
        "rows": table,
        "acknowledged": acknowledged,
        "stored": stored,
        "lost": {k: acknowledged[k] - stored[k] for k in acknowledged},
    }


def median_run(runs: list[dict]) -> dict:
    ordered = sorted(runs, key=lambda run: run["per_second"])
    return ordered[len(ordered) // 2]


# --- (b) the form's first view -----------------------------------------------


def bench_first_view(port: int, page: str = FORM_PATH, cookie: str = "") -> dict:
    """Bytes (gzip) and requests of a page and everything it links."""
    status, headers, body = http(port, "GET", page, cookie=cookie, gzip=True)
    items = [(page, status, headers.get("content-encoding", ""), len(body))]
    html = body
    if headers.get("content-encoding") == "gzip":
        import gzip

        html = gzip.decompress(body)
    linked = re.findall(
        r'<(?:link[^>]*rel="(?:stylesheet|icon|preload)"[^>]*href|script[^>]*src|'
        r'img[^>]*src)="([^"]+)"',
        html.decode(),
    )
    for href in linked:
        if href.startswith("data:"):
            continue
        path = urljoin(page, unescape(href))
        status, headers, body = http(port, "GET", path, cookie=cookie, gzip=True)
        items.append((path, status, headers.get("content-encoding", ""), len(body)))
    return {
        "requests": len(items),
        "bytes": sum(item[3] for item in items),
        "items": [
            {"path": p, "status": s, "encoding": e, "bytes": b} for p, s, e, b in items
        ],
    }


# --- (c, d) results pages and memory -------------------------------------------


def login(port: int, who: tuple[str, str] = LEADER) -> str:
    status, headers, html = http(port, "GET", "/login")
    cookie = cookie_of(headers, "")
    body = urlencode(
        {
            "csrf_token": field(html.decode(), "csrf_token"),
            "email": who[0],
            "password": who[1],
        }
    )
    status, headers, _page = http(port, "POST", "/login", body, cookie)
    if status != 302:
        raise RuntimeError(f"login as {who[0]} answered {status}")
    return cookie_of(headers, cookie)


def bench_export(port: int, worker: int) -> dict:
    """The raw CSV of every response: time, size and the worker's peak RSS.

    The body is counted as it arrives, never held: the client must not be
    what runs out of memory.
    """
    cookie = login(port, ADMIN)
    peak = [rss_mb(worker)]
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            with suppress(OSError):
                peak.append(rss_mb(worker))
            time.sleep(0.1)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    head = (
        f"GET /results/{SLUG}/raw.csv HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Connection: close\r\nCookie: {cookie}\r\n\r\n"
    )
    size, first = 0, b""
    started = time.perf_counter()
    with socket.create_connection(("127.0.0.1", port), timeout=600) as sock:
        sock.sendall(head.encode())
        while chunk := sock.recv(1 << 20):
            if len(first) < 200:
                first += chunk[:200]
            size += len(chunk)
    seconds = time.perf_counter() - started
    done.set()
    watcher.join()
    status = int(first.split(b" ", 2)[1]) if first else 0
    return {
        "status": status,
        "seconds": seconds,
        "megabytes": size / 1e6,
        "peak_rss_mb": max(peak),
    }


def _range_views() -> list[str]:
    """The weekly trend and a range not starting on the 1st (issue 24)."""
    today = datetime.date.today()
    start = (today - datetime.timedelta(days=150)).replace(day=15)
    dates = f"from={start}&to={today - datetime.timedelta(days=10)}"
    return [
        f"/results/{SLUG}?trend=week",
        f"/results/{SLUG}?{dates}",
        f"/results/{SLUG}/questions?{dates}",
    ]


RANGE_VIEWS = _range_views()


def discover_results(port: int, cookie: str) -> tuple[list[str], list[str]]:
    """Results URLs answering 200: the index, its links, and likely addresses."""
    candidates = ["/results/"]
    status, _headers, html = http(port, "GET", "/results/", cookie=cookie)
    if status == 200:
        links = re.findall(r'href="(/results/[^"#?]+)"', html.decode())
        candidates += [unescape(link) for link in links]
    candidates += [
        f"/results/{SLUG}",
        f"/results/{SLUG}/",
        f"/results/{SLUG}/units/{UNIT}",
        f"/results/{SLUG}/unit/{UNIT}",
        f"/results/{SLUG}/questions",
        f"/open/{SLUG}",
        *RANGE_VIEWS,
    ]
    found, missing = [], []
    for path in dict.fromkeys(candidates):
        if len(found) >= 8 + len(RANGE_VIEWS):
            break
        status = http(port, "GET", path, cookie=cookie)[0]
        (found if status == 200 else missing).append(
            path if status == 200 else f"{path} ({status})"
        )
    return found, missing


def bench_results(url: str, args) -> dict:
    """Cold (first request of a fresh worker) and warm timings, one worker."""
    cold: dict[str, list[float]] = {}
    warm: dict[str, list[float]] = {}
    memory = {}
    export: dict = {}
    first_view: dict = {}
    found: list[str] = []
    missing: list[str] = []
    for restart in range(args.cold_runs):
        with gunicorn(url, "wsgi:app", 1, "/healthz") as server:
            worker = server.workers()[0]
            if restart == 0:
                http(server.port, "GET", FORM_PATH, gzip=True)
                memory["at_rest_mb"] = rss_mb(worker)
                cookie = login(server.port)
                found, missing = discover_results(server.port, cookie)
                first_view = bench_first_view(server.port, f"/results/{SLUG}", cookie)
                continue  # discovery warmed this worker: not a cold run
            for path in found:
                started = time.perf_counter()
                http(server.port, "GET", path, cookie=cookie, gzip=True)
                cold.setdefault(path, []).append(time.perf_counter() - started)
            if restart == args.cold_runs - 1:
                for path in found:
                    for _ in range(args.warm_requests):
                        started = time.perf_counter()
                        http(server.port, "GET", path, cookie=cookie, gzip=True)
                        warm.setdefault(path, []).append(time.perf_counter() - started)
                memory["after_results_mb"] = rss_mb(worker)
                if not getattr(args, "no_export", False):
                    export = bench_export(server.port, worker)
    pages = [
        {
            "path": path,
            "cold_p50_ms": percentile(cold.get(path, []), 50) * 1000,
            "cold_p95_ms": percentile(cold.get(path, []), 95) * 1000,
            "warm_p50_ms": percentile(warm.get(path, []), 50) * 1000,
            "warm_p95_ms": percentile(warm.get(path, []), 95) * 1000,
        }
        for path in found
    ]
    return {
        "pages": pages,
        "missing": missing,
        "memory": memory,
        "export": export,
        "first_view": first_view,
    }


def generate(url: str, total: int) -> dict:
    have = count_responses(url)
    if total <= have:
        return {"responses": have, "generated": 0}
    started = time.perf_counter()
    flask(url, "generate-responses", str(total - have), "--seed", "7")
    seconds = time.perf_counter() - started
    return {
        "responses": total,
        "generated": total - have,
        "seconds": round(seconds, 1),
        "per_second": (total - have) / seconds,
    }


# --- the run ---------------------------------------------------------------------


def citizen():  # noqa: ANN201 - bench/citizen.py, which imports this module
    sys.modules.setdefault("run", sys.modules[__name__])
    import citizen

    return citizen


def leader():  # noqa: ANN201 - bench/leader.py, which imports this module
    sys.modules.setdefault("run", sys.modules[__name__])
    import leader

    return leader


def run_database(kind: str, size: int | None, args, folder: Path) -> dict:
    report: dict = {"database": kind}
    print(f"[{kind}] the citizen's form against a bare insert", flush=True)
    report["citizen"] = citizen().bench_citizen(kind, args, folder)
    with database(kind, folder) as url:
        print(f"[{kind}] submissions", flush=True)
        report["submissions"] = bench_submissions(url, kind, args)
        if kind == "sqlite":
            with gunicorn(url, "wsgi:app", WORKERS, "/healthz") as server:
                report["first_view"] = bench_first_view(server.port)
        if size:
            print(f"[{kind}] generating {size:,} responses", flush=True)
            report["generation"] = generate(url, size)
            print(f"[{kind}] results pages at {size:,}", flush=True)
            report["results"] = bench_results(url, args)
            if kind == "sqlite":
                print(f"[{kind}] the leader's overview on a slow phone", flush=True)
                report["leader"] = leader().bench_leader(url, args.phone_runs)
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="under 3 minutes")
    parser.add_argument("--output", default=str(ROOT / "bench" / "results.json"))
    parser.add_argument(
        "--sqlite-responses", type=int, help="results at this size on SQLite"
    )
    parser.add_argument(
        "--postgres-responses", type=int, help="results at this size on PostgreSQL"
    )
    parser.add_argument(
        "--results-on",
        metavar="DATABASE_URL",
        help="only the results pages and memory, on an existing database "
        "(seed-demo, then generate-responses: the way to measure 10M once)",
    )
    parser.add_argument(
        "--no-export",
        action="store_true",
        help="with --results-on: leave the raw export out (its target is 1M)",
    )
    args = parser.parse_args()
    args.clients = [16, 64]
    if args.quick:
        args.seconds, args.reps, args.cold_runs, args.warm_requests = 3, 1, 3, 8
        args.phone_runs = 1
        sqlite_size = args.sqlite_responses or 100_000
        postgres_size = args.postgres_responses or 0
    else:
        args.seconds, args.reps, args.cold_runs, args.warm_requests = 8, 3, 6, 20
        args.phone_runs = 3
        sqlite_size = args.sqlite_responses or 1_000_000
        postgres_size = args.postgres_responses or 1_000_000
    started = time.monotonic()
    report: dict = {
        "mode": "quick" if args.quick else "full",
        "machine": {"cores": os.cpu_count(), "load_before": os.getloadavg()},
        "workers": WORKERS,
        "databases": [],
        "notes": [],
    }
    if args.results_on:
        report["mode"] = "results only"
        report["databases"].append(results_on(args.results_on, args))
        finish(report, args, started)
        return
    folder = Path(tempfile.mkdtemp(prefix="survey-bench-"))
    try:
        report["databases"].append(run_database("sqlite", sqlite_size, args, folder))
        if postgres_reachable():
            report["databases"].append(
                run_database("postgresql", postgres_size, args, folder)
            )
            if not postgres_size:
                report["notes"].append("PostgreSQL results pages: full run only")
        else:
            report["notes"].append(f"PostgreSQL skipped: {PG_ADMIN} unreachable")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    finish(report, args, started)


def results_on(url: str, args) -> dict:
    """The results figures on a database someone filled before."""
    kind = "postgresql" if url.startswith("postgresql") else "sqlite"
    print(f"[{kind}] folding what the tallies lack", flush=True)
    flask(url, "tallies", "fold")
    responses = count_responses(url)
    print(f"[{kind}] results pages at {responses:,}", flush=True)
    return {
        "database": kind,
        "submissions": {"rows": []},
        "generation": {"responses": responses, "generated": 0},
        "results": bench_results(url, args),
        "leader": leader().bench_leader(url, args.phone_runs),
    }


def finish(report: dict, args, started: float) -> None:
    report["seconds"] = round(time.monotonic() - started)
    report["machine"]["load_after"] = os.getloadavg()
    add_projection(report)
    Path(args.output).write_text(json.dumps(report, indent=2, default=str))
    print(render(report))
    print(f"\nWritten to {args.output} in {report['seconds']} s.")


def add_projection(report: dict) -> None:
    for database in report["databases"]:
        generation = database.get("generation", {})
        if database["database"] == "postgresql" and generation.get("per_second"):
            minutes = 10_000_000 / generation["per_second"] / 60
            report["notes"].append(
                f"10M responses on PostgreSQL would take about {minutes:.0f} min to "
                "generate at the measured rate: not part of the run"
            )


def render(report: dict) -> str:
    lines = [f"Benchmark ({report['mode']}, {report['workers']} gunicorn workers)", ""]
    lines.append(
        "| database | load | clients | app resp/s | baseline resp/s | ratio | "
        "app POST p50 / p99 ms | baseline POST p50 / p99 ms |"
    )
    lines.append("|---|---|---|---|---|---|---|---|")
    for database in report["databases"]:
        for row in database["submissions"]["rows"]:
            lines.append(
                f"| {row['database']} | {row['mode']} | {row['clients']} | "
                f"{row['app_per_second']:.0f} | {row['baseline_per_second']:.0f} | "
                f"{row['ratio']:.0%} | {row['app_p50_ms']:.0f} / "
                f"{row['app_p99_ms']:.0f} | {row['baseline_p50_ms']:.0f} / "
                f"{row['baseline_p99_ms']:.0f} |"
            )
    lines.append("")
    for database in report["databases"]:
        sub = database["submissions"]
        if not sub["rows"]:
            continue
        lines.append(
            f"{database['database']}: acknowledged {sub['acknowledged']} vs stored "
            f"{sub['stored']} (lost {sub['lost']})"
        )
    for database in report["databases"]:
        view = database.get("first_view")
        if view:
            lines.append(
                f"Form first view: {view['bytes'] / 1024:.1f} KB gzip in "
                f"{view['requests']} requests (target 40 KB, 3 requests)"
            )
    for database in report["databases"]:
        lines += citizen().render(database)
    for database in report["databases"]:
        lines += leader().render(database)
    for database in report["databases"]:
        generation = database.get("generation")
        if generation and generation.get("generated"):
            lines.append(
                f"{database['database']}: generated {generation['generated']:,} "
                f"responses in {generation['seconds']} s "
                f"({generation['per_second']:,.0f}/s)"
            )
    lines.append("")
    lines.append(
        "| database | responses | page | cold p50 / p95 ms | warm p50 / p95 ms |"
    )
    lines.append("|---|---|---|---|---|")
    for database in report["databases"]:
        results = database.get("results")
        if not results:
            continue
        size = database["generation"]["responses"]
        for page in results["pages"]:
            lines.append(
                f"| {database['database']} | {size:,} | `{page['path']}` | "
                f"{page['cold_p50_ms']:.0f} / {page['cold_p95_ms']:.0f} | "
                f"{page['warm_p50_ms']:.0f} / {page['warm_p95_ms']:.0f} |"
            )
    lines.append("")
    for database in report["databases"]:
        results = database.get("results")
        if not results:
            continue
        memory = results["memory"]
        lines.append(
            f"{database['database']}: worker RSS at rest "
            f"{memory.get('at_rest_mb', 0):.0f} MB, after the results load "
            f"{memory.get('after_results_mb', 0):.0f} MB (target under 150 MB)"
        )
        view = results.get("first_view")
        if view:
            lines.append(
                f"{database['database']}: results overview first view "
                f"{view['bytes'] / 1024:.0f} KB gzip in {view['requests']} requests, "
                "Plotly included (target 600 KB)"
            )
        export = results.get("export")
        if export:
            lines.append(
                f"{database['database']}: raw CSV of every response: "
                f"{export['megabytes']:.0f} MB in {export['seconds']:.1f} s "
                f"(HTTP {export['status']}), worker peak "
                f"{export['peak_rss_mb']:.0f} MB (targets 20 s, 300 MB)"
            )
        if results["missing"]:
            lines.append(
                f"{database['database']}: not answering 200 (skipped): "
                + ", ".join(results["missing"])
            )
    lines += [f"Note: {note}" for note in report["notes"]]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
