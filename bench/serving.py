"""Serving the public site: requests/s and latency per kind of URL, errors, and memory.

    .venv/bin/python bench/serving.py [--practices 10000] [--databases postgresql,sqlite]
        [--duration 10] [--connections 20,200] [--prepared var/bench-serving]

For each database a stack of its own: a PostgreSQL database (or a SQLite file) holding the demo
content and `--practices` generated practices, the embedded index with its vectors, and a Redis
server of its own as CACHE_URL (the page cache and the throttling counts, as in
docker/compose.yaml). What is prepared is kept under --prepared/<database> and reused by the
next run (delete the folder to start again).

The web server is the production command: docker/compose.yaml's `web` command (gunicorn with
its worker count and --preload), bound to loopback, with production settings over plain HTTP.
wrk (`apt-get install wrk`) then asks, at each number of connections, for /healthz (the floor
of a Django response), a static file, the home page, a practice, a topic page, the search page
and the search API; the last two rotate through the judged queries of bench/relevance/ (seven
languages), each in its own language. The search API's per-client rate limit is off for the
run: wrk is one client.

Then the memory of all web processes (the master and its workers): the sum of their RSS, which
counts every shared page once per process, and of their PSS, which shares each page among the
processes that map it: the memory they take together.

Prints a Markdown table per database and the targets of issue 15; exits 1 on any error.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import yaml
from stack import (
    PROJECT_ROOT,
    VENV_BIN,
    Stack,
    conditions,
    default_database_url,
    fetch,
    free_port,
    log,
    redis_ping,
    run_wrk,
    start_redis,
    stop_redis,
    wait_http,
)

RELEVANCE = PROJECT_ROOT / "bench" / "relevance"
ANALYZE = "from django.db import connection; connection.cursor().execute('ANALYZE')"


def judged_queries() -> list[tuple[str, str]]:
    """(query, language) of every judged query, in file order."""
    queries = []
    for name in ("judgments.jsonl", "generated.jsonl"):
        for line in (RELEVANCE / name).read_text(encoding="utf-8").splitlines():
            if line.strip():
                record = json.loads(line)
                queries.append((record["query"], record["language"]))
    return queries


def search_page_paths(queries) -> list[str]:
    return [f"/{lang}/search/?" + urllib.parse.urlencode({"q": q}) for q, lang in queries]


def search_api_paths(queries) -> list[str]:
    return [
        "/api/v1/search/?" + urllib.parse.urlencode({"q": q, "lang": lang}) for q, lang in queries
    ]


def wait_until_idle(base: str, timeout: float = 300) -> None:
    """Until the server has answered what the last run left queued: /healthz comes back at
    once. Otherwise the next run would measure the previous one's backlog."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        _status, seconds, _body = fetch(f"{base}/healthz", timeout=timeout)
        if seconds < 0.05:
            return
        time.sleep(0.5)
    raise SystemExit(f"the server at {base} stayed busy for {timeout} s")


def web_command(port: int) -> list[str]:
    """docker/compose.yaml's web command, bound to loopback on `port`."""
    compose = yaml.safe_load((PROJECT_ROOT / "docker" / "compose.yaml").read_text())
    command = list(compose["services"]["web"]["command"])
    command = [f"--bind=127.0.0.1:{port}" if arg.startswith("--bind") else arg for arg in command]
    if command[0] == "gunicorn":
        command[0] = str(VENV_BIN / "gunicorn")
    return command


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def memory_of(pids: list[int]) -> dict:
    """Sum of RSS and of PSS (MB) over `pids`, from /proc/<pid>/smaps_rollup."""
    rss = pss = 0
    for pid in pids:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
        rss += int(re.search(r"^Rss:\s+(\d+) kB", text, re.M).group(1))
        pss += int(re.search(r"^Pss:\s+(\d+) kB", text, re.M).group(1))
    return {"processes": len(pids), "rss_mb": rss / 1024, "pss_mb": pss / 1024}


def targets_from_pages(base: str) -> dict[str, list[str]]:
    """One URL of each kind, read from the served pages themselves."""
    status, _s, home = fetch(f"{base}/en/")
    if status != 200:
        raise SystemExit(f"/en/ answered {status}")
    html = home.decode()
    stylesheet = re.search(r'href="(/static/[^"]+\.css)"', html).group(1)
    _status, _s, topics = fetch(f"{base}/en/topics/")
    topic = re.search(r'href="(/en/topics/[^"/]+/)"', topics.decode()).group(1)
    # A generated practice (the import's slugs), found through the API as a visitor would.
    _status, _s, body = fetch(f"{base}/api/v2/pages/?type=knowledge.PracticePage&limit=50")
    items = json.loads(body)["items"]
    practice = urllib.parse.urlsplit(items[-1]["meta"]["html_url"]).path
    return {
        "/healthz": ["/healthz"],
        "static file": [stylesheet],
        "home": ["/en/"],
        "practice": [practice],
        "topic page": [topic],
    }


def measure(
    stack: Stack, args, database: str, *, caches: bool, connections: list[int]
) -> tuple[list[tuple], dict]:
    """Every kind of URL at each number of connections; `caches` False turns the page cache
    and the kept search answers off, for what a page costs when it is rendered."""
    port = free_port()
    command = web_command(port)
    log(f"{database}: {' '.join(shlex.quote(a) for a in command[1:])}")
    env = {} if caches else {"PAGE_CACHE_SECONDS": "0", "SEARCH_CACHE_SECONDS": "0"}
    log(f"  caches {'on' if caches else 'off'}")
    master = stack.spawn(f"web-{database}-{'cached' if caches else 'uncached'}", command, **env)
    wait_http(f"http://127.0.0.1:{port}/healthz", timeout=180)
    base = f"http://127.0.0.1:{port}"
    queries = judged_queries()
    targets = targets_from_pages(base)
    targets["search page"] = search_page_paths(queries)
    targets["search API"] = search_api_paths(queries)
    for name, paths in targets.items():
        status, _s, _b = fetch(base + paths[0])
        log(f"  {name}: {paths[0][:70]} -> {status}")
        if status != 200:
            raise SystemExit(f"{paths[0]} answered {status}")
    log("  warming every worker (5 s on each kind)")
    for paths in targets.values():
        run_wrk(base, paths, 20, 5, stack.folder)
        wait_until_idle(base)
    rows = []
    suffix = "" if caches else " (no caches)"
    for name, paths in targets.items():
        if not caches and name in ("/healthz", "static file"):
            continue  # no cache in their way
        for count in connections:
            result = run_wrk(base, paths, count, args.duration, stack.folder)
            wait_until_idle(base)
            log(
                f"  {name + suffix:24} c={count:3}: {result['rps']:8.1f} req/s, "
                f"p50 {result['p50']:.1f} ms, p95 {result['p95']:.1f} ms, "
                f"errors {result['errors']}"
            )
            rows.append((name + suffix, count, len(paths), result))
    memory = memory_of([master.pid, *children(master.pid)])
    log(f"  memory: {memory}")
    stack.kill(master)
    return rows, memory


def report(database: str, workers: str, rows: list[tuple], memory: dict, practices: int) -> bool:
    print()
    print(f"### {database}: {practices} generated practices + demo content; {workers}")
    print()
    print("| URL | Connections | URLs rotated | Req/s | p50 ms | p95 ms | p99 ms | Errors |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, connections, count, r in rows:
        print(
            f"| {name} | {connections} | {count} | {r['rps']:.0f} | {r['p50']:.1f} "
            f"| {r['p95']:.1f} | {r['p99']:.1f} | {r['errors']} |"
        )
    print()
    print(
        f"Web processes: {memory['processes']}, RSS {memory['rss_mb']:.0f} MB in sum, "
        f"PSS {memory['pss_mb']:.0f} MB in sum (the memory they take together)."
    )
    rate = {(name, c): r["rps"] for name, c, _n, r in rows}
    checks = []
    for connections in sorted({c for _n, c, _k, _r in rows}):
        floor = rate[("/healthz", connections)]
        for page in ("home", "practice", "topic page"):
            share = rate[(page, connections)] / floor
            label = f"{page} c={connections} ≥ 50% of /healthz"
            checks.append((label, share >= 0.5, f"{share:.0%}"))
        checks.append(
            (f"search API c={connections} ≥ 250 req/s", rate[("search API", connections)] >= 250,
             f"{rate[('search API', connections)]:.0f}")
        )  # fmt: skip
        checks.append(
            (f"search page c={connections} ≥ 120 req/s",
             rate[("search page", connections)] >= 120,
             f"{rate[('search page', connections)]:.0f}")
        )  # fmt: skip
    fresh_api, fresh_page = (
        next((r for n, _c, _k, r in rows if n == f"search {kind} (no caches)"), None)
        for kind in ("API", "page")
    )
    if fresh_api and fresh_page:
        ratio = fresh_api["rps"] / fresh_page["rps"]
        checks.append(("search page renders in ≤ 2× the API's time (no caches)", ratio <= 2,
                       f"{ratio:.2f}×"))  # fmt: skip
    errors_at_200 = sum(r["errors"] for _n, c, _k, r in rows if c >= 200)
    checks.append(("0 errors at 200 connections", errors_at_200 == 0, str(errors_at_200)))
    checks.append(
        ("web processes ≤ 1.5 GB (PSS)", memory["pss_mb"] <= 1536, f"{memory['pss_mb']:.0f} MB")
    )
    print()
    for label, met, value in checks:
        print(f"- {'met' if met else 'NOT MET'}: {label}: {value}")
    return all(r["errors"] == 0 for _n, _c, _k, r in rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--practices", type=int, default=10_000)
    parser.add_argument("--databases", default="postgresql,sqlite")
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--connections", default="20,200")
    parser.add_argument("--prepared", type=Path, default=PROJECT_ROOT / "var" / "bench-serving")
    parser.add_argument("--redis-port", type=int, default=6391)
    args = parser.parse_args()
    args.connections = [int(c) for c in args.connections.split(",")]
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install -y wrk")
    compose = yaml.safe_load((PROJECT_ROOT / "docker" / "compose.yaml").read_text())
    web = compose["services"]["web"]["command"]
    workers = ", ".join(a for a in web if a.startswith(("--workers", "--preload", "--threads")))
    print(f"Conditions: {conditions()}; web command of docker/compose.yaml ({workers})")

    if redis_ping(args.redis_port):
        raise SystemExit(f"something already answers on port {args.redis_port}")
    start_redis(args.redis_port)
    ok = True
    try:
        for number, database in enumerate(args.databases.split(",")):
            folder = args.prepared.resolve() / database
            url = (
                f"sqlite:///{folder / 'cac.sqlite3'}"
                if database == "sqlite"
                else default_database_url("cac_bench_serving")
            )
            with Stack(url, redis_port=None, keep=True, folder=folder) as stack:
                stack.configure(
                    SEARCH_API_RATE_LIMIT="",
                    SEARCH_PAGE_RATE_LIMIT="",
                    CACHE_URL=f"redis://127.0.0.1:{args.redis_port}/{number}",
                    CACHE_PER_PROCESS="false",
                )
                marker = folder / "prepared"
                if marker.exists() and marker.read_text() == str(args.practices):
                    log(f"{database}: reusing what {folder} holds")
                else:
                    stack.prepare(args.practices)
                    marker.write_text(str(args.practices))
                # Code may have changed since: its migrations and static files.
                stack.manage("migrate")
                stack.manage("collectstatic", "--noinput")
                # Planner statistics, as autovacuum (or SQLite's optimize) keeps them in
                # production: right after a bulk import PostgreSQL has none and walks the
                # whole page tree for a home page's LIMIT 1.
                stack.manage("shell", "-c", ANALYZE)
                subprocess.run(
                    ["redis-cli", "-p", str(args.redis_port), "-n", str(number), "flushdb"],
                    check=True, stdout=subprocess.DEVNULL,
                )  # fmt: skip
                rows, memory = measure(
                    stack, args, database, caches=True, connections=args.connections
                )
                uncached, _memory = measure(
                    stack, args, database, caches=False, connections=args.connections[:1]
                )
                rows += uncached
                ok = report(database, workers, rows, memory, args.practices) and ok
    finally:
        stop_redis(args.redis_port)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    os.chdir(PROJECT_ROOT)
    main()
