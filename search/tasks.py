"""Celery entry points; the work is in search.indexing."""

from __future__ import annotations

from celery import shared_task

from .engines.base import EngineUnavailable
from .indexing import drain_all_due, reconcile_index
from .service import prune_query_log


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
