"""Celery entry points; the work is in search.indexing."""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import connection, transaction

from core.queue import run_or_queue
from search.engines.base import EngineUnavailable
from search.indexing import drain_all_due, reconcile_index
from search.service import prune_query_log

logger = logging.getLogger(__name__)


@shared_task(
    name="search.tasks.drain_index_outbox",
    bind=True,
    acks_late=True,
    ignore_result=True,
    max_retries=5,
)
def drain_index_outbox(self) -> dict:
    report = drain_all_due()
    if report.error and not self.request.is_eager:
        # The rows keep their own backoff; this retry only shortens the wait for beat.
        raise self.retry(
            exc=EngineUnavailable(report.error), countdown=min(10 * 2**self.request.retries, 300)
        )
    return {"rows": report.rows, "indexed": report.indexed, "deleted": report.deleted}


@shared_task(name="search.tasks.reconcile_index", acks_late=True, ignore_result=True)
def reconcile_index_task() -> dict:
    report = reconcile_index()
    return {
        "indexed_missing": len(report.indexed_missing),
        "reindexed_stale": len(report.reindexed_stale),
        "deleted_extra": len(report.deleted_extra),
    }


@shared_task(name="search.tasks.prune_query_log", ignore_result=True)
def prune_query_log_task() -> int:
    return prune_query_log()


def drain_after_commit() -> None:
    """Ask for a drain once the current transaction commits; once per transaction, so an
    import that publishes 10,000 pages asks for one drain."""
    if connection.in_atomic_block and any(
        callback is send_drain_task for _sids, callback, _robust in connection.run_on_commit
    ):
        return
    transaction.on_commit(send_drain_task, robust=True)


def send_drain_task() -> None:
    """Queue a drain. A broker outage never fails the caller: beat re-drains every minute."""
    try:
        run_or_queue(drain_index_outbox)
    except Exception:
        logger.warning("Could not queue an index drain; the periodic drain will pick it up.")
