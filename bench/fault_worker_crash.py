"""A Celery worker is killed (SIGKILL) in the middle of an index drain: nothing lost or doubled.

    .venv/bin/python bench/fault_worker_crash.py [DATABASE_URL] [--publish 1000]
        [--redis-port 6390] [--keep]

Creates its own PostgreSQL database (default postgres://postgres@127.0.0.1:5432/cac_faults),
loads the demo content and `--publish` draft practices, builds the embedded index, starts its
own redis-server and Celery beat. Publishes every draft in one transaction (one outbox row
each, one drain task queued), starts a worker, kills it and its pool with SIGKILL when about
half of the outbox is drained, starts a new worker and waits until the outbox is empty. Then
compares the index with the documents the live pages build now: none missing, none stored
twice, none stale, none extra. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import signal
import time

from stack import (
    Stack,
    conditions,
    django_setup,
    imported_drafts,
    indexed_id_counts,
    log,
    stack_arguments,
    wait_for_worker,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    stack_arguments(parser, practices=300)
    parser.add_argument("--publish", type=int, default=1000)
    parser.add_argument("--drain-timeout", type=float, default=300)
    args = parser.parse_args()

    with Stack(args.database_url, redis_port=args.redis_port, keep=args.keep) as stack:
        stack.configure()
        stack.prepare(args.practices, drafts=args.publish)
        django_setup()
        from django.db import transaction

        from search.documents import iter_search_documents
        from search.engines.selection import get_engine
        from search.models import IndexOutboxEntry

        drafts, wanted = imported_drafts()
        engine = get_engine()

        stack.beat()
        log(f"publishing {len(drafts)} practices in one transaction (no worker running yet)")
        started = time.monotonic()
        with transaction.atomic():
            for page in drafts:
                page.get_latest_revision().publish()
        backlog = IndexOutboxEntry.objects.count()
        log(f"published in {time.monotonic() - started:.0f} s; outbox {backlog} rows")

        first = stack.worker("worker1")
        start_worker = time.monotonic()
        half = backlog // 2
        remaining = backlog
        while remaining > half:
            if first.poll() is not None:
                raise SystemExit("worker1 exited on its own")
            time.sleep(0.1)
            remaining = IndexOutboxEntry.objects.count()
        stack.kill(first, signal.SIGKILL)
        killed_at = time.monotonic()
        in_index_at_kill = len(wanted & set(engine.indexed_versions()))
        log(
            f"SIGKILL to worker1 and its pool {killed_at - start_worker:.1f} s after it started; "
            f"outbox {remaining} of {backlog} rows left; {in_index_at_kill} practices indexed"
        )
        time.sleep(2)
        after_kill = IndexOutboxEntry.objects.count()
        stack.worker("worker2")
        log(f"worker2 ready after {wait_for_worker():.1f} s; outbox {after_kill} rows")

        empty_after = None
        while time.monotonic() - killed_at < args.drain_timeout:
            if IndexOutboxEntry.objects.count() == 0:
                empty_after = time.monotonic() - killed_at
                break
            time.sleep(0.5)
        log(
            "outbox empty "
            + (f"{empty_after:.1f} s after the kill" if empty_after is not None else
               f"NOT after {args.drain_timeout:.0f} s")
        )  # fmt: skip

        built = {document.id: document.fingerprint for document in iter_search_documents()}
        counts = indexed_id_counts(engine)
        versions = engine.indexed_versions()
        missing = sorted(set(built) - set(counts))
        duplicated = sorted(doc_id for doc_id, n in counts.items() if n > 1)
        stale = sorted(
            doc_id for doc_id, fp in built.items() if doc_id in versions and versions[doc_id] != fp
        )
        extra = sorted(set(counts) - set(built))
        published_missing = sorted(wanted - set(counts))
        log(
            f"index {sum(counts.values())} stored documents, {len(counts)} ids; "
            f"built {len(built)}; "
            f"missing {len(missing)}, duplicated {len(duplicated)}, stale {len(stale)}, "
            f"extra {len(extra)}"
        )
        for label, ids in (("missing", missing), ("duplicated", duplicated), ("stale", stale),
                           ("extra", extra)):  # fmt: skip
            if ids:
                log(f"  {label}: {', '.join(ids[:10])}{' …' if len(ids) > 10 else ''}")

        print()
        print(f"Conditions: {conditions()}; own redis-server on port {args.redis_port}; "
              "worker prefork 2 processes, killed with SIGKILL to its process group; "
              "embedded engine")  # fmt: skip
        print()
        print("| Measure | Value |")
        print("|---|---:|")
        print(f"| Practices published (one transaction) | {len(drafts)} |")
        print(f"| Outbox rows queued | {backlog} |")
        print(f"| Outbox rows left when the worker was killed | {remaining} |")
        print(f"| Published practices in the index at the kill | {in_index_at_kill} |")
        print(
            "| Outbox empty after the kill (s) | "
            + (f"{empty_after:.1f}" if empty_after is not None else "never") + " |"
        )  # fmt: skip
        print(f"| Documents the live pages build | {len(built)} |")
        print(f"| Documents stored in the index (ids) | {sum(counts.values())} ({len(counts)}) |")
        print(
            f"| Missing / of the published practices | {len(missing)} / {len(published_missing)} |"
        )
        print(f"| Duplicated (id stored more than once) | {len(duplicated)} |")
        print(f"| Stale (fingerprint differs from the page) | {len(stale)} |")
        print(f"| Extra (in the index, not built) | {len(extra)} |")
        if empty_after is None or missing or duplicated or stale or extra:
            raise SystemExit(1)


if __name__ == "__main__":
    main()
