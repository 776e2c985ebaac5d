"""Moving outbox rows into the engine, repairing drift, and reporting the index's state."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone

from search.documents import build_documents_by_id, iter_search_documents
from search.engines.base import EngineHealth, SearchDocument, SearchEngine
from search.engines.selection import get_engine
from search.models import IndexOutboxEntry
from search.semantic.indexing import cached_vectors
from search.serving.results_cache import forget_answers

logger = logging.getLogger(__name__)

FIRST_RETRY_SECONDS = 5
MAX_RETRY_SECONDS = 600


def _engine(engine: SearchEngine | None) -> SearchEngine:
    if engine is not None:
        return engine
    return get_engine()


@dataclass
class DrainReport:
    rows: int = 0  # outbox rows taken
    indexed: int = 0  # documents sent to engine.index
    deleted: int = 0  # ids sent to engine.delete
    failed_rows: int = 0  # rows kept for a later attempt
    error: str = ""
    indexed_ids: list[str] = field(default_factory=list)  # what now needs its vectors

    @property
    def ok(self) -> bool:
        return not self.error


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff: 5 s, 10 s, 20 s ... capped at ten minutes."""
    return timedelta(
        seconds=min(FIRST_RETRY_SECONDS * 2 ** max(attempts - 1, 0), MAX_RETRY_SECONDS)
    )


def _due_rows(batch_size: int) -> list[IndexOutboxEntry]:
    rows = IndexOutboxEntry.objects.filter(next_attempt_at__lte=timezone.now()).order_by("pk")
    if connection.features.has_select_for_update_skip_locked:
        # Several workers drain at once; each takes rows the others have not locked.
        rows = rows.select_for_update(skip_locked=True)
    return list(rows[:batch_size])


def _documents_for(document_ids: Iterable[str]):
    """(documents to index, ids to delete) from the pages and topic areas as they are now."""
    document_ids = list(document_ids)
    documents = build_documents_by_id(document_ids)
    gone = [doc_id for doc_id in document_ids if doc_id not in documents]
    return list(documents.values()), gone


def drain_index_outbox(batch_size: int = 200, engine: SearchEngine | None = None) -> DrainReport:
    """Apply one batch of due outbox rows to the engine; rows go only once it acknowledged.

    A document appearing in several rows is built and sent once. Whatever the row's action,
    the current state decides: a page or area that is no longer public leaves the index.
    """
    report = DrainReport()
    with transaction.atomic():
        rows = _due_rows(batch_size)
        if not rows:
            return report
        report.rows = len(rows)
        document_ids = list(dict.fromkeys(row.document_id for row in rows))
        try:
            documents, gone_ids = _documents_for(document_ids)
            target = _engine(engine)
            if documents:
                target.index(documents)
            if gone_ids:
                target.delete(gone_ids)
        except Exception as error:  # the engine is down, or refused: keep every row
            logger.warning("Index drain failed; %s rows kept for retry: %s", len(rows), error)
            now = timezone.now()
            for row in rows:
                row.attempts += 1
                row.next_attempt_at = now + retry_delay(row.attempts)
                row.last_error = f"{type(error).__name__}: {error}"[:2000]
            IndexOutboxEntry.objects.bulk_update(
                rows, ["attempts", "next_attempt_at", "last_error"], batch_size=500
            )
            report.failed_rows = len(rows)
            report.error = str(error) or type(error).__name__
            return report
        IndexOutboxEntry.objects.filter(pk__in=[row.pk for row in rows]).delete()
        report.indexed, report.deleted = len(documents), len(gone_ids)
        report.indexed_ids = [document.id for document in documents]
    # What search finds has changed, and practice pages list related practices from the
    # index: every kept search answer and cached page is stale.
    forget_answers()
    return report


def drain_all_due(batch_size: int = 200, engine: SearchEngine | None = None) -> DrainReport:
    """Drain batches until nothing is due or the engine fails."""
    total = DrainReport()
    while True:
        report = drain_index_outbox(batch_size=batch_size, engine=engine)
        total.rows += report.rows
        total.indexed += report.indexed
        total.deleted += report.deleted
        total.failed_rows += report.failed_rows
        total.indexed_ids.extend(report.indexed_ids)
        if not report.ok:
            total.error = report.error
            return total
        if report.rows < batch_size:
            return total


# ---------------------------------------------------------------------------
# Reconcile
# ---------------------------------------------------------------------------


@dataclass
class ReconcileReport:
    indexed_missing: list[str] = field(default_factory=list)  # built, not in the index
    reindexed_stale: list[str] = field(default_factory=list)  # indexed with another fingerprint
    deleted_extra: list[str] = field(default_factory=list)  # indexed, no longer built


Progress = Callable[[Iterator[SearchDocument]], Iterable[SearchDocument]]


def reconcile_index(
    engine: SearchEngine | None = None, chunk: int = 500, progress: Progress | None = None
) -> ReconcileReport:
    """Make the index hold exactly the indexable documents, each as it is built now.

    Each freshly built document's fingerprint is compared with the one the engine stored:
    missing ones are indexed, different ones reindexed, ids nothing builds any more deleted.
    Unchanged documents are not written. `progress` wraps the document stream (a progress bar).
    """
    target = _engine(engine)
    indexed = target.indexed_versions()
    report = ReconcileReport()
    pending: list[SearchDocument] = []
    documents = iter_search_documents()
    if progress is not None:
        documents = progress(documents)
    for document in documents:
        stored = indexed.pop(document.id, None)
        if stored is None:
            report.indexed_missing.append(document.id)
        elif stored != document.fingerprint:
            report.reindexed_stale.append(document.id)
        else:
            continue
        pending.append(document)
        if len(pending) >= chunk:
            target.index(pending)
            pending = []
    if pending:
        target.index(pending)
    report.deleted_extra = sorted(indexed)
    if report.deleted_extra:
        target.delete(report.deleted_extra)
    if report.indexed_missing or report.reindexed_stale or report.deleted_extra:
        forget_answers()
    return report


def rebuild_index(engine: SearchEngine | None = None, progress: Progress | None = None) -> int:
    """Rebuild aside and swap; `progress` wraps the document stream (a progress bar).

    The new index gets every vector the cache holds for its documents; the others are
    computed afterwards (search_rebuild --embeddings, or the reconcile task)."""
    documents = iter_search_documents()
    if progress is not None:
        documents = progress(documents)
    count = _engine(engine).rebuild(documents, cached_vectors())
    forget_answers()
    return count


# ---------------------------------------------------------------------------
# Status
# ---------------------------------------------------------------------------


@dataclass
class IndexStatus:
    documents: int | None
    backlog: int
    failing: int  # rows that failed at least once
    oldest_pending_age: timedelta | None
    health: EngineHealth


def index_status(engine: SearchEngine | None = None) -> IndexStatus:
    """What an operator checks: documents indexed, the outbox backlog and engine health."""
    try:
        target = _engine(engine)
        health = target.health()
    except Exception as error:
        health = EngineHealth(ok=False, engine="unknown", detail=str(error))
        target = None
    documents = health.documents
    if documents is None and target is not None and health.ok:
        try:
            documents = target.count()
        except Exception:
            documents = None
    backlog, oldest_pending_age = outbox_backlog()
    return IndexStatus(
        documents=documents,
        backlog=backlog,
        failing=IndexOutboxEntry.objects.filter(attempts__gt=0).count(),
        oldest_pending_age=oldest_pending_age,
        health=health,
    )


def outbox_backlog() -> tuple[int, timedelta | None]:
    """Changes waiting for the index, and how long the oldest has waited (None: none wait)."""
    oldest = IndexOutboxEntry.objects.order_by("created_at").values_list("created_at", flat=True)
    oldest_created = oldest.first()
    age = timezone.now() - oldest_created if oldest_created else None
    return IndexOutboxEntry.objects.count(), age
