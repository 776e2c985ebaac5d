"""The search engine is down: search says so (503), every other page keeps serving.

    .venv/bin/python bench/fault_engine_outage.py [DATABASE_URL] [--redis-port 6390] [--keep]

The embedded engine lives in the web process and cannot be stopped on its own, so this runs
gunicorn with ELASTICSEARCH_URL pointing at a closed port on 127.0.0.1: the Elasticsearch
engine is selected and cannot connect, which is what a stopped search server looks like.
Creates its own PostgreSQL database (default postgres://postgres@127.0.0.1:5432/cac_faults)
with the demo content and a few generated practices, its own redis-server (so the readiness
check's broker is up and only the engine fails), then requests the search page, the search
API, /readyz and the other public pages. Prints a Markdown table of URL, status and time.
"""

from __future__ import annotations

import argparse
import json

from stack import Stack, conditions, django_setup, fetch, free_port, log, stack_arguments

UNAVAILABLE_TEXT = b"Search is temporarily unavailable"
KOREAN_UNAVAILABLE_TEXT = "검색을 일시적으로 사용할 수 없습니다".encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    stack_arguments(parser, practices=200)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    with Stack(args.database_url, redis_port=args.redis_port, keep=args.keep) as stack:
        stack.configure()
        stack.prepare(args.practices)
        django_setup()
        from knowledge.models import PracticePage, SessionPage

        practice = PracticePage.objects.live().public().filter(locale__language_code="en").first()
        session = SessionPage.objects.live().public().first()
        closed = free_port()  # nothing listens on it
        port = free_port()
        log(f"gunicorn on 127.0.0.1:{port} with ELASTICSEARCH_URL=http://127.0.0.1:{closed}")
        stack.gunicorn(port, args.workers, ELASTICSEARCH_URL=f"http://127.0.0.1:{closed}")
        base = f"http://127.0.0.1:{port}"
        # (path, expected status, what the body must show)
        checks = [
            ("/en/search/?q=masks", 503, "page says search is temporarily unavailable"),
            ("/ko/search/?q=%EB%A7%88%EC%8A%A4%ED%81%AC", 503, "page says search is unavailable"),
            ("/api/v1/search/?q=masks", 503, "JSON error"),
            ("/api/v1/search/suggest?q=mas", 503, "JSON error"),
            ("/readyz", 503, "search check failing, others ok"),
            ("/healthz", 200, ""),
            ("/en/", 200, ""),
            ("/ko/", 200, ""),
            (practice.url, 200, "practice page (related practices come from the engine)"),
            ("/en/summit-2020/", 200, ""),
            (session.url, 200, "session page"),
            ("/en/practices/", 200, ""),
            ("/en/open-data/", 200, ""),
            ("/api/v2/pages/", 200, ""),
        ]
        rows = []
        failures = 0
        for path, expected, note in checks:
            fetch(base + path)  # first request per worker loads templates; time the second
            status, seconds, body = fetch(base + path)
            detail = note
            ok = status == expected
            if path.startswith("/en/search/"):
                ok = ok and UNAVAILABLE_TEXT in body
            if path.startswith("/ko/search/"):
                ok = ok and KOREAN_UNAVAILABLE_TEXT in body
            if path.startswith("/api/v1/search/"):
                detail = body.decode()[:80]
            if path == "/readyz":
                checks_json = json.loads(body).get("checks", {})
                failing = sorted(name for name, c in checks_json.items() if not c.get("ok"))
                detail = f"failing: {', '.join(failing) or 'none'}"
                ok = ok and failing == ["search"]
            failures += not ok
            log(f"{status} {seconds * 1000:6.0f} ms {path} {'OK' if ok else 'UNEXPECTED'}")
            rows.append((path, expected, status, seconds, ok, detail))

        print()
        print(f"Conditions: {conditions()}; gunicorn {args.workers} workers, ELASTICSEARCH_URL "
              "at a closed port; times are the second request of each URL")  # fmt: skip
        print()
        print("| URL | Expected | Status | Time (ms) | As expected | Note |")
        print("|---|---:|---:|---:|---|---|")
        for path, expected, status, seconds, ok, detail in rows:
            detail = detail.replace("|", "\\|")
            print(f"| `{path}` | {expected} | {status} | {seconds * 1000:.0f} "
                  f"| {'yes' if ok else 'NO'} | {detail} |")  # fmt: skip
        if failures:
            raise SystemExit(1)


if __name__ == "__main__":
    main()
