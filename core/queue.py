"""Sending a background job: to the Celery broker, or run here when there is none; and work
that waits for the current transaction to commit."""

from __future__ import annotations

from collections.abc import Callable

from django.db import connection, transaction


def run_or_queue(task, *args) -> None:
    """Queue `task`, or run it here when there is no broker (the embedded default).

    Celery's eager `delay()` still builds a broker producer and warns about a missing host;
    `apply()` runs the same task body without one. `retry=False`: a broker outage fails
    fast, and the caller decides what to keep for later.
    """
    if task.app.conf.task_always_eager:
        task.apply(args=args, throw=True)
    else:
        task.apply_async(args=args, retry=False)


def once_after_commit(callback: Callable[[], None]) -> None:
    """Run `callback` once the current transaction commits, once per transaction (at once
    outside one). A failing callback is logged, never raised into the commit's caller."""
    if connection.in_atomic_block and any(
        queued is callback for _sids, queued, _robust in connection.run_on_commit
    ):
        return
    transaction.on_commit(callback, robust=True)
