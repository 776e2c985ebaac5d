"""Redis stops for a minute while editors publish: publishing goes on, search catches up.

    .venv/bin/python bench/fault_broker_outage.py [DATABASE_URL] [--publish 500]
        [--outage-seconds 60] [--redis-port 6390] [--keep]

Creates its own PostgreSQL database (default postgres://postgres@127.0.0.1:5432/cac_faults),
loads the demo content and `--publish` draft practices, builds the embedded index, starts its
own redis-server on --redis-port, a Celery worker and beat against it. Then stops Redis,
publishes every draft through Wagtail's revision.publish() (what the editor's Publish button
runs; the outbox row is written in that transaction), keeps Redis down for --outage-seconds,
starts it again (empty, as a restarted cache without persistence would be) and measures how
long until every published practice is found in the index. Prints a Markdown table.
--worst-case brings Redis back just after one of beat's failed reconnect attempts, so beat
waits its whole retry interval before it sends the drain: the slowest case.
"""

from __future__ import annotations

import argparse
import logging
import time

from stack import (
    Stack,
    conditions,
    django_setup,
    imported_drafts,
    log,
    percentile,
    stack_arguments,
    start_redis,
    stop_redis,
    wait_for_worker,
)

BEAT_RETRY = "beat: Connection error"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    stack_arguments(parser, practices=300)
    parser.add_argument("--publish", type=int, default=500)
    parser.add_argument("--outage-seconds", type=float, default=60)
    parser.add_argument("--catch-up-timeout", type=float, default=300)
    parser.add_argument(
        "--worst-case",
        action="store_true",
        help="bring Redis back just after one of beat's failed reconnect attempts (slowest case)",
    )
    args = parser.parse_args()

    with Stack(args.database_url, redis_port=args.redis_port, keep=args.keep) as stack:
        stack.configure()
        stack.prepare(args.practices, drafts=args.publish)
        django_setup()
        from search.engines.selection import get_engine
        from search.models import IndexOutboxEntry

        drafts, wanted = imported_drafts()
        assert len(drafts) == args.publish, f"{len(drafts)} drafts imported"
        engine = get_engine()
        assert not wanted & set(engine.indexed_versions()), "drafts must not be indexed yet"

        stack.worker()
        stack.beat()
        log(f"worker ready after {wait_for_worker():.1f} s; beat started")

        log(f"stopping redis on {args.redis_port}")
        stop_redis(args.redis_port)
        down_at = time.monotonic()

        # search.outbox warns once per publish that it could not queue a drain: expected here.
        logging.getLogger("search.outbox").setLevel(logging.ERROR)
        log(f"publishing {len(drafts)} practices with Redis down")
        timings = []
        for page in drafts:
            started = time.perf_counter()
            page.get_latest_revision().publish()
            timings.append(time.perf_counter() - started)
        publish_seconds = time.monotonic() - down_at
        log(
            f"published in {publish_seconds:.1f} s: p50 {percentile(timings, 50) * 1000:.0f} ms, "
            f"p95 {percentile(timings, 95) * 1000:.0f} ms, max {max(timings) * 1000:.0f} ms"
        )
        outbox_during = IndexOutboxEntry.objects.count()
        found_during = len(wanted & set(engine.indexed_versions()))
        log(f"outbox rows {outbox_during}; published practices indexed so far {found_during}")

        remaining = args.outage_seconds - (time.monotonic() - down_at)
        if remaining > 0:
            log(f"keeping redis down {remaining:.0f} s more")
            time.sleep(remaining)
        beat_retry = ""
        if args.worst_case:
            # While Redis is down, beat is stuck in its reconnect loop (2, 4, 6 ... 30 s apart)
            # since its first failed tick; it sends the due drain only at its next attempt.
            beat_log = stack.folder / "beat.log"
            failures = beat_log.read_text(errors="replace").count(BEAT_RETRY)
            log("waiting for beat's next failed reconnect attempt")
            give_up = time.monotonic() + 120  # beat retries at most 30 s apart
            while time.monotonic() < give_up:
                lines = beat_log.read_text(errors="replace").splitlines()
                retries = [line for line in lines if BEAT_RETRY in line]
                if len(retries) > failures:
                    beat_retry = retries[-1].rsplit("Trying again in ", 1)[-1].split()[0]
                    break
                time.sleep(0.2)
            else:
                raise SystemExit("beat logged no reconnect attempt for 120 s: see beat.log")
            log(f"beat will try again in {beat_retry} s; bringing Redis back now")
        outage = time.monotonic() - down_at
        found_at_return = len(wanted & set(engine.indexed_versions()))
        rows = list(IndexOutboxEntry.objects.all())
        max_attempts = max((row.attempts for row in rows), default=0)
        worker_alive = all(p.poll() is None for name, p in stack.processes if name == "worker")
        beat_alive = all(p.poll() is None for name, p in stack.processes if name == "beat")
        log(
            f"redis down {outage:.0f} s; outbox {len(rows)} rows (max attempts {max_attempts}); "
            f"worker alive {worker_alive}, beat alive {beat_alive}; starting redis"
        )
        start_redis(args.redis_port)
        back_at = time.monotonic()

        found = 0
        caught_up = None
        while time.monotonic() - back_at < args.catch_up_timeout:
            found = len(wanted & set(engine.indexed_versions()))
            if found == len(wanted):
                caught_up = time.monotonic() - back_at
                break
            time.sleep(1)
        log(
            f"{found}/{len(wanted)} searchable "
            + (f"{caught_up:.1f} s after Redis came back" if caught_up is not None else
               f"after {args.catch_up_timeout:.0f} s (gave up)")
        )  # fmt: skip
        worker_alive = all(p.poll() is None for name, p in stack.processes if name == "worker")
        beat_alive = all(p.poll() is None for name, p in stack.processes if name == "beat")

        print()
        print(f"Conditions: {conditions()}; own redis-server on port {args.redis_port}; "
              "1 Celery worker (prefork, 2 processes) + beat; embedded engine")  # fmt: skip
        print()
        print("| Measure | Value |")
        print("|---|---:|")
        print(f"| Practices published while Redis was down | {len(drafts)} |")
        print(f"| Publish time p50 / p95 / max (ms) | {percentile(timings, 50) * 1000:.0f} / "
              f"{percentile(timings, 95) * 1000:.0f} / {max(timings) * 1000:.0f} |")  # fmt: skip
        print(f"| All {len(drafts)} published in (s) | {publish_seconds:.1f} |")
        print(f"| Redis down (s) | {outage:.0f} |")
        if beat_retry:
            print(f"| Beat's next reconnect attempt when Redis came back (s) | {beat_retry} |")
        print(f"| Outbox rows when Redis came back | {len(rows)} |")
        print(f"| Published practices searchable when Redis came back | {found_at_return} |")
        print(
            f"| Seconds from Redis back to all {len(wanted)} searchable | "
            + (f"{caught_up:.1f}" if caught_up is not None else f"> {args.catch_up_timeout:.0f}")
            + " |"
        )
        print(f"| Worker / beat still running at the end | {worker_alive} / {beat_alive} |")
        if caught_up is None or caught_up > 60:
            raise SystemExit(1)


if __name__ == "__main__":
    main()
