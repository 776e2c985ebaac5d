"""Sending a background job: to the Celery broker, or run here when there is none."""

from __future__ import annotations


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
