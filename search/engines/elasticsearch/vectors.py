"""Passage vectors in the index: their mapping, how a document carries them, and how they are
written and read back.

Each document holds its passages (search.semantic.passages) as a `nested` field, one vector
each, so a kNN search over `passages.vector` scores a document by its best passage ("kNN search
over nested dense_vectors will always diversify the top results over the top-level document",
docs-content solutions/search/vector/knn.md, "Nested kNN search"). Beside them, `vector_model`
(which model made them) and `vector_fingerprint` (DocumentVectors.fingerprint, for reconcile).

The index's model is recorded in its mapping's `_meta` when the template is built; the engine
reads it back to know whether a query vector can be compared with what the index holds.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any

import numpy as np
from elasticsearch.dsl import DenseVector, Keyword, Nested

from search.engines.base import DocumentVectors

PASSAGES = "passages"
VECTOR_FIELD = f"{PASSAGES}.vector"
VECTOR_MODEL = "vector_model"
VECTOR_FINGERPRINT = "vector_fingerprint"
# The mapping's _meta keys (Mapping reference, "_meta field": free-form, never used by
# Elasticsearch itself).
META_MODEL = "vector_model"
META_DIMENSION = "vector_dimension"

# Decimals sent per vector component. Unit vectors of a few hundred dimensions have components
# around 0.05: seven decimals change a cosine by less than 1e-6 and the squared length by far
# less than the 1e-4 Elasticsearch tolerates for `dot_product` (which "requires unit length
# vectors", dense-vector.md), and keep a bulk request a third of the size of full floats.
VECTOR_DECIMALS = 7


@dataclass(frozen=True)
class VectorSpace:
    """The model whose vectors an index holds, and their dimension."""

    model_key: str
    dimension: int

    @classmethod
    def from_embedder(cls, embedder: Any) -> VectorSpace | None:
        return None if embedder is None else cls(embedder.key, int(embedder.dimension))


def configured_vector_space() -> VectorSpace | None:
    """The configured embedder's space (search.semantic.embedders), or None for words only."""
    from search.semantic.embedders import get_embedder  # loads the model: only when asked

    return VectorSpace.from_embedder(get_embedder())


def vector_properties(space: VectorSpace) -> dict[str, Any]:
    """The mapping of the vector fields, for an index of this space.

    dense-vector.md: `dot_product` "provides an optimized way to perform cosine similarity" and
    needs unit-length vectors (Embedder vectors are L2-normalised); `int8_hnsw` quantises each
    dimension to a byte (4x less memory, "int8 requires minimal if any rescoring", knn.md), and
    is named explicitly because 9.1 made `bbq_hnsw` the default from 384 dimensions up.
    `vector_fingerprint` is only read back (indexed_vector_versions), never searched.
    """
    passages = Nested(
        properties={
            "vector": DenseVector(
                dims=space.dimension,
                index=True,
                similarity="dot_product",
                index_options={"type": "int8_hnsw"},
            )
        }
    )
    return {
        PASSAGES: passages.to_dict(),
        VECTOR_MODEL: Keyword().to_dict(),
        VECTOR_FINGERPRINT: Keyword(index=False).to_dict(),
    }


def vector_meta(space: VectorSpace) -> dict[str, Any]:
    return {META_MODEL: space.model_key, META_DIMENSION: space.dimension}


def models_by_index(mappings: dict[str, Any]) -> dict[str, str | None]:
    """Each index's vector model from a GET <index>/_mapping response (None: no vectors)."""
    found: dict[str, str | None] = {}
    for index_name, value in mappings.items():
        if not isinstance(value, dict):
            continue
        meta = (value.get("mappings") or {}).get("_meta") or {}
        found[index_name] = meta.get(META_MODEL) or None
    return found


def rounded(vector: np.ndarray) -> list[float]:
    return [round(float(value), VECTOR_DECIMALS) for value in np.asarray(vector).ravel()]


def vector_source(item: DocumentVectors) -> dict[str, Any]:
    """What a document's _source holds of its vectors (added to document_source, or sent as a
    partial update)."""
    return {
        PASSAGES: [{"vector": rounded(row)} for row in np.atleast_2d(item.vectors)],
        VECTOR_MODEL: item.model_key,
        VECTOR_FINGERPRINT: item.fingerprint,
    }


def fits(item: DocumentVectors, space: VectorSpace | None) -> bool:
    """Whether an index of this space can hold these vectors."""
    vectors = np.atleast_2d(item.vectors)
    return (
        space is not None
        and item.model_key == space.model_key
        and vectors.shape[0] > 0
        and vectors.shape[1] == space.dimension
    )


def update_actions(
    items: Iterable[DocumentVectors], targets: list[str]
) -> Iterator[dict[str, Any]]:
    """Bulk `update` actions replacing each document's vectors, never creating a document.

    Bulk API `update` with a partial `doc` and without `doc_as_upsert` or `upsert`: a document
    that is not there fails with document_missing_exception (404) instead of being created
    (UpdateHelper.prepareUpsert), so a page deleted meanwhile stays deleted and a rebuild's
    stream still writes a document the update found missing. The partial doc replaces the
    `passages` array whole (objects merge, arrays are replaced).

    Versions: the update reads the stored document and indexes the merged one with if_seq_no
    and if_primary_term, as an internally versioned write (Update API; UpdateHelper), so it
    also applies to a document the rebuild stream wrote with `version_type: external,
    version: 1` and raises its version past 1: the stream's own copy is never written twice,
    and live writes are internally versioned, so nothing later refuses or undoes it.
    `retry_on_conflict` re-reads and re-applies when a live write lands between the read and
    the write.
    """
    for item in items:
        doc = vector_source(item)
        for target in targets:
            yield {
                "_op_type": "update",
                "_index": target,
                "_id": item.document.id,
                "retry_on_conflict": 3,
                "doc": doc,
            }


def missing_document(item: dict[str, Any]) -> bool:
    """A bulk update item refused because the document is not there (deleted, or not yet
    streamed into the index a rebuild is loading): skipped, not an error."""
    error = item.get("error") or {}
    return item.get("status") == 404 and error.get("type") == "document_missing_exception"


def first_passage_vector(hit: dict[str, Any]) -> list[float] | None:
    """The first passage's vector of a hit fetched with `fields: ["passages.vector"]`.

    The fields option returns a nested field as a list of objects, one per passage
    (retrieve-selected-fields.md; the 9.2 REST tests of `_source.exclude_vectors` read
    `fields.<nested>.0.vector`). From 9.2 vectors are left out of _source in responses
    (dense-vector.md, index.mapping.exclude_source_vectors), and `_source.exclude_vectors` is
    an unknown key before 9.1, so the fields option is what works on every 9.x. A _source
    that carries the vectors is read too.
    """
    passages = (hit.get("fields") or {}).get(PASSAGES) or (hit.get("_source") or {}).get(PASSAGES)
    if not passages or not isinstance(passages, list):
        return None
    vector = passages[0].get("vector") if isinstance(passages[0], dict) else None
    # The fields option returns every field's values as a list, and dense_vector's value
    # fetcher (an ArraySourceValueFetcher) returns the whole vector as one value: [[...]].
    # _source holds the vector itself: [...].
    if vector and isinstance(vector[0], list):
        vector = vector[0]
    if not vector:
        return None
    return [float(value) for value in vector]


def batches(values: Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(values)
    while batch := list(islice(iterator, size)):
        yield batch
