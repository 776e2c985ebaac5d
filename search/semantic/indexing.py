"""Putting vectors into the engine: after a publish, in a rebuild, and when reconciling.

Publishing never waits for a vector: the outbox drain indexes the words at once and then asks
for the vectors (search.tasks.embed_documents, on its own queue); the document is found by
its words until they arrive. Every step reads passage vectors from the cache first.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from search.documents import build_documents_by_id, iter_search_documents
from search.engines.base import (
    DocumentVectors,
    SearchDocument,
    SearchEngine,
    VectorLookup,
    vector_fingerprint,
)
from search.engines.common import batched
from search.engines.selection import get_engine
from search.semantic.embedders import Embedder, get_embedders
from search.semantic.vectors import document_vectors

logger = logging.getLogger(__name__)

EMBED_DOCUMENTS_BATCH = 50  # documents per call of the engine's index_vectors


def _embedders(embedders: Sequence[Embedder] | None) -> Sequence[Embedder]:
    return get_embedders() if embedders is None else embedders


def embed_documents(
    document_ids: Iterable[str],
    engine: SearchEngine | None = None,
    embedders: Sequence[Embedder] | None = None,
) -> int:
    """Vectors for these documents as they are now, by each model, into the engine. Returns
    how many documents got vectors; documents no longer public are skipped."""
    embedders = _embedders(embedders)
    if not embedders:
        return 0
    engine = engine or get_engine()
    documents = list(build_documents_by_id(list(document_ids)).values())
    for batch in batched(documents, EMBED_DOCUMENTS_BATCH):
        for embedder in embedders:
            engine.index_vectors(document_vectors(batch, embedder))
    return len(documents)


def cached_vectors(embedders: Sequence[Embedder] | None = None) -> VectorLookup | None:
    """For a rebuild: the vectors the cache holds for a batch of documents, never computed."""
    embedders = _embedders(embedders)
    if not embedders:
        return None

    def lookup(documents: list[SearchDocument]) -> list[DocumentVectors]:
        return [
            item
            for embedder in embedders
            for item in document_vectors(documents, embedder, embed_missing=False)
        ]

    return lookup


@dataclass
class VectorReport:
    documents: int = 0  # public documents
    current: int = 0  # with vectors of every model for this version of the document
    missing: list[str] = field(default_factory=list)  # lacking some model's, or stale


def vector_report(
    engine: SearchEngine | None = None, embedders: Sequence[Embedder] | None = None
) -> VectorReport:
    """Which public documents lack current vectors in the engine (search_status, reconcile)."""
    embedders = _embedders(embedders)
    report = VectorReport()
    if not embedders:
        return report
    indexed = (engine or get_engine()).indexed_vector_versions()
    for document in iter_search_documents():
        report.documents += 1
        if _has_current_vectors(indexed, document, embedders):
            report.current += 1
        else:
            report.missing.append(document.id)
    return report


def _has_current_vectors(indexed, document: SearchDocument, embedders) -> bool:
    held = indexed.get(document.id, set())
    return all(vector_fingerprint(embedder.key, document) in held for embedder in embedders)


def embed_all(
    engine: SearchEngine | None = None,
    embedders: Sequence[Embedder] | None = None,
    only_missing: bool = True,
    on_documents: Callable[[int], None] | None = None,
) -> int:
    """Vectors for every public document (only those the engine lacks, by default), computed
    here: `search_rebuild --embeddings`. `on_documents(n)` is told of each batch done."""
    embedders = _embedders(embedders)
    if not embedders:
        return 0
    engine = engine or get_engine()
    indexed = engine.indexed_vector_versions() if only_missing else {}
    wanted = (
        document
        for document in iter_search_documents()
        if not (only_missing and _has_current_vectors(indexed, document, embedders))
    )
    done = 0
    for batch in batched(wanted, EMBED_DOCUMENTS_BATCH):
        for embedder in embedders:
            engine.index_vectors(document_vectors(batch, embedder))
        done += len(batch)
        if on_documents:
            on_documents(len(batch))
    return done
