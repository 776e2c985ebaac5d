"""Celery entry points; the work is in search.indexing."""

from __future__ import annotations

import logging

from celery import shared_task

from core.queue import once_after_commit, run_or_queue
from search.engines.base import EngineUnavailable
from search.engines.selection import get_engine
from search.indexing import drain_all_due, reconcile_index
from search.semantic.embedders import configured_embedder_names
from search.semantic.indexing import embed_documents, vector_report
from search.service import prune_query_log
from search.serving.results_cache import forget_answers
from search.synonyms import forget_admin_synonym_groups

logger = logging.getLogger(__name__)

EMBED_TASK_DOCUMENTS = 100
# Tasks that retry themselves after a failure, acknowledged only once done (a worker lost
# mid-task leaves the message for another).
RETRIED = {"bind": True, "acks_late": True, "ignore_result": True, "max_retries": 5}


@shared_task(name="search.tasks.drain_index_outbox", **RETRIED)
def drain_index_outbox(self) -> dict:
    report = drain_all_due()
    if report.error and not self.request.is_eager:
        # The rows keep their own backoff; this retry only shortens the wait for beat.
        raise self.retry(
            exc=EngineUnavailable(report.error), countdown=min(10 * 2**self.request.retries, 300)
        )
    if report.indexed_ids:
        send_embed_tasks(report.indexed_ids)
    return {"rows": report.rows, "indexed": report.indexed, "deleted": report.deleted}


@shared_task(name="search.tasks.embed_documents", acks_late=True, ignore_result=True)
def embed_documents_task(document_ids: list[str]) -> int:
    """Vectors for documents just indexed by their words (on the `embeddings` queue)."""
    embedded = embed_documents(document_ids)
    if embedded:
        # They are found by meaning from now on: kept answers may miss them.
        forget_answers()
    return embedded


def send_embed_tasks(document_ids: list[str]) -> None:
    """Ask for these documents' vectors, a task per EMBED_TASK_DOCUMENTS. Never fails the
    caller: the documents are searchable by their words, and reconcile finds them later."""
    if not configured_embedder_names():
        return
    for start in range(0, len(document_ids), EMBED_TASK_DOCUMENTS):
        try:
            run_or_queue(embed_documents_task, document_ids[start : start + EMBED_TASK_DOCUMENTS])
        except Exception:
            logger.warning("Could not compute or queue vectors; reconcile will find them.")
            return


@shared_task(name="search.tasks.reconcile_index", acks_late=True, ignore_result=True)
def reconcile_index_task() -> dict:
    report = reconcile_index()
    missing_vectors = vector_report().missing
    send_embed_tasks(missing_vectors)
    return {
        "missing_vectors": len(missing_vectors),
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
    once_after_commit(send_drain_task)


def send_drain_task() -> None:
    """Queue a drain. A broker outage never fails the caller: beat re-drains every minute."""
    try:
        run_or_queue(drain_index_outbox)
    except Exception:
        logger.warning("Could not queue an index drain; the periodic drain will pick it up.")


@shared_task(name="search.tasks.sync_synonyms", **RETRIED)
def sync_synonyms_task(self) -> None:
    """Bring the engine's synonyms set up to date after an editor saved or deleted a group.

    The only push outside setup and rebuild: searches never send synonyms (every PUT reloads
    the search analyzers and clears the request cache).
    """
    # This process may cache the editors' groups from before the change (no shared cache).
    forget_admin_synonym_groups()
    try:
        get_engine().sync_synonyms()
    except EngineUnavailable as error:
        if self.request.is_eager:
            logger.warning("Could not update the search synonyms: %s", error)
            return
        raise self.retry(exc=error, countdown=min(10 * 2**self.request.retries, 300)) from error


def sync_synonyms_after_commit() -> None:
    """Ask for a synonyms push once the current transaction commits; once per transaction."""
    once_after_commit(send_synonyms_task)


def send_synonyms_task() -> None:
    """Queue a synonyms push. A broker outage never fails the editor's save: the next setup or
    rebuild (`manage.py search_rebuild`) pushes the list."""
    try:
        run_or_queue(sync_synonyms_task)
    except Exception:
        logger.warning("Could not queue a synonyms update; the next rebuild will push them.")
