"""The search API (and page) under 50 and 200 concurrent connections, on gunicorn over loopback.

    .venv/bin/python bench/load_search_api.py [DATABASE_URL] [--practices 2000] [--duration 30]
        [--workers 5] [--keep]

Creates its own PostgreSQL database (default postgres://postgres@127.0.0.1:5432/cac_load),
migrates, loads the demo content and generated practices, builds the embedded index, starts
gunicorn (production settings, plain HTTP on 127.0.0.1) and runs wrk (`apt-get install wrk`)
with a Lua script that rotates English and Korean queries and prints p50/p95/p99. Prints a
Markdown table; drops the database and stops gunicorn at the end unless --keep. The search
API's per-client rate limit (SEARCH_API_RATE_LIMIT) is turned off for the run: wrk is one
client, which the limit would answer with 429s after 60 requests.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import urllib.parse

from stack import (
    Stack,
    conditions,
    default_database_url,
    fetch,
    free_port,
    log,
    run_wrk,
)

QUERIES = [
    "masks", "testing", "quarantine", "schools", "digital", "community care", "public safety",
    "recovery", "transport", "green jobs", "방역수칙", "자가격리자", "선별진료소", "재난지원금",
    "volunteers", "health workers", "seoul", "online", "relief business", "distance",
]  # fmt: skip


def query_paths(path: str) -> list[str]:
    return [f"{path}?" + urllib.parse.urlencode({"q": query}) for query in QUERIES]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database_url", nargs="?", default=default_database_url("cac_load"))
    parser.add_argument("--practices", type=int, default=2000)
    parser.add_argument("--duration", type=int, default=30, help="seconds per wrk run")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--connections", default="50,200")
    parser.add_argument("--no-page", action="store_true", help="only the API, not /en/search/")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install -y wrk")

    with Stack(args.database_url, redis_port=None, keep=args.keep) as stack:
        # The per-client rate limit (60/minute by default) would answer this one client 429s:
        # it is turned off here, so the run measures the search itself.
        stack.configure(SEARCH_API_RATE_LIMIT="", SEARCH_PAGE_RATE_LIMIT="")
        stack.prepare(args.practices)
        port = free_port()
        log(f"gunicorn: {args.workers} workers on 127.0.0.1:{port}")
        stack.gunicorn(port, args.workers)
        base = f"http://127.0.0.1:{port}"
        status, _s, body = fetch(f"{base}/api/v1/search/?q=masks")
        total = json.loads(body).get("total", json.loads(body).get("count"))
        log(f"/api/v1/search/?q=masks -> {status}, total {total}")
        log("warming up every worker (5 s, 20 connections)")
        run_wrk(base, query_paths("/api/v1/search/"), 20, 5, stack.folder)
        targets = ["/api/v1/search/"] + ([] if args.no_page else ["/en/search/"])
        rows = []
        for path in targets:
            for connections in (int(c) for c in args.connections.split(",")):
                log(f"wrk -c{connections} -d{args.duration}s {path}?q=<{len(QUERIES)} queries>")
                result = run_wrk(base, query_paths(path), connections, args.duration, stack.folder)
                log(
                    f"  {result['rps']:.1f} req/s, p95 {result['p95']:.0f} ms, "
                    f"errors {result['errors']}"
                )
                rows.append((path, connections, result))
        print()
        print(
            f"Conditions: {conditions()}; gunicorn {args.workers} sync workers; "
            f"{args.practices} generated practices + demo content; wrk {args.duration} s per run; "
            "SEARCH_API_RATE_LIMIT off"
        )
        print()
        print("| URL | Connections | Requests | Req/s | p50 ms | p95 ms | p99 ms | max ms "
              "| Non-2xx/3xx | Socket errors |")  # fmt: skip
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for path, connections, r in rows:
            socket_errors = r["connect"] + r["read"] + r["write"] + r["timeout"]
            print(
                f"| `{path}?q=…` | {connections} | {r['requests']} | {r['rps']:.1f} "
                f"| {r['p50']:.0f} | {r['p95']:.0f} | {r['p99']:.0f} | {r['max']:.0f} "
                f"| {r['status']} | {socket_errors} |"
            )
        if any(r["errors"] for _p, _c, r in rows):
            sys.exit(1)


if __name__ == "__main__":
    main()
