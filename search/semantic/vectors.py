"""Vectors for documents: each passage's from the cache when it is there, else from the model.

The cache (PassageVector) is keyed by the model's key and the passage's text hash, so a vector
is computed once per model and text, whoever asks: the embedding task after a publish, a
rebuild, a reconcile, a translation whose text did not change.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from functools import lru_cache

import numpy as np

from search.engines.base import DocumentVectors, QueryVector, SearchDocument
from search.models import PassageVector
from search.semantic.embedders import Embedder, get_embedders
from search.semantic.passages import document_passages, text_hash

logger = logging.getLogger(__name__)

EMBED_BATCH = 16  # passages per model call
LOOKUP_BATCH = 500  # hashes per cache query


def _cached(model_key: str, hashes: list[str]) -> dict[str, np.ndarray]:
    found: dict[str, np.ndarray] = {}
    for start in range(0, len(hashes), LOOKUP_BATCH):
        rows = PassageVector.objects.filter(
            model_key=model_key, text_hash__in=hashes[start : start + LOOKUP_BATCH]
        ).values_list("text_hash", "vector")
        for digest, raw in rows:
            found[digest] = np.frombuffer(bytes(raw), dtype="<f4")
    return found


def _embed_and_store(
    embedder: Embedder, texts: dict[str, str], on_batch: Callable[[int], None] | None
) -> dict[str, np.ndarray]:
    computed: dict[str, np.ndarray] = {}
    items = list(texts.items())
    for start in range(0, len(items), EMBED_BATCH):
        batch = items[start : start + EMBED_BATCH]
        vectors = embedder.embed_passages([text for _digest, text in batch])
        rows = []
        for (digest, _text), vector in zip(batch, vectors, strict=True):
            computed[digest] = vector
            rows.append(
                PassageVector(
                    model_key=embedder.key, text_hash=digest, vector=vector.astype("<f4").tobytes()
                )
            )
        # Another worker may have stored the same passage meanwhile: its vector is the same.
        PassageVector.objects.bulk_create(rows, ignore_conflicts=True)
        if on_batch:
            on_batch(len(batch))
    return computed


def document_vectors(
    documents: Iterable[SearchDocument],
    embedder: Embedder,
    *,
    embed_missing: bool = True,
    on_batch: Callable[[int], None] | None = None,
) -> list[DocumentVectors]:
    """Each document's vectors. With embed_missing=False, only documents whose passages are all
    in the cache (the model is never called); `on_batch(n)` is told of each batch embedded."""
    passages = {
        document.id: (document, document_passages(document, embedder.passage_chars))
        for document in documents
    }
    texts = {text_hash(text): text for _doc, texts in passages.values() for text in texts}
    vectors = _cached(embedder.key, list(texts))
    missing = {digest: text for digest, text in texts.items() if digest not in vectors}
    if missing and embed_missing:
        vectors.update(_embed_and_store(embedder, missing, on_batch))
    result = []
    for document, document_texts in passages.values():
        digests = [text_hash(text) for text in document_texts]
        if not digests or any(digest not in vectors for digest in digests):
            continue
        matrix = np.stack([vectors[digest] for digest in digests]).astype(np.float32)
        result.append(DocumentVectors(document, embedder.key, matrix))
    return result


QUERY_CACHE_ENTRIES = 4096


@lru_cache(maxsize=QUERY_CACHE_ENTRIES)
def _query_vectors(keys: tuple[str, ...], text: str) -> tuple[QueryVector, ...]:
    return tuple(
        QueryVector(
            embedder.key,
            embedder.embed_query(text),
            embedder.min_similarity,
            embedder.fusion_weight,
        )
        for embedder in get_embedders()
        if embedder.key in keys
    )


def query_vectors(text: str) -> tuple[QueryVector, ...]:
    """The query's embedding by each configured model; () when there is none or embedding
    failed (the search then goes by words only). Repeated queries come from a per-process
    cache."""
    text = " ".join((text or "").split())
    if not text:
        return ()
    try:
        keys = tuple(embedder.key for embedder in get_embedders())
        return _query_vectors(keys, text) if keys else ()
    except Exception:
        logger.exception("Searching by words only: the query could not be embedded")
        return ()
