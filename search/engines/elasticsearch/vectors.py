"""Passage vectors in the index: their mapping, how a document carries them, and how they are
written and read back.

An index holds the vectors of each configured model (search.semantic.embedders: several rank
by meaning at once). Each model has its own fields, since its passages are its own (each model
reads passages of its own length, search.semantic.passages):
- `passages_<model>`: a `nested` field, one object per passage with its `vector`, so a kNN
  search scores a document by its best passage ("kNN search over nested dense_vectors will
  always diversify the top results over the top-level document", docs-content
  solutions/search/vector/knn.md, "Nested kNN search");
- `vector_fingerprint_<model>`: DocumentVectors.fingerprint, read back by reconcile.
Separate fields let one model's vectors be replaced by a partial update without touching the
others' (a partial doc merges objects and replaces arrays).

The mapping's `_meta` names each model with its field and dimension; the engine reads it back
to know which query vectors the index can be searched with.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Any

import numpy as np
from elasticsearch.dsl import DenseVector, Keyword, Nested

from search.engines.base import DocumentVectors

# The mapping's _meta key (Mapping reference, "_meta field": free-form, never used by
# Elasticsearch itself): {model key: {"field": ..., "dimension": ...}}.
META_MODELS = "vector_models"
PASSAGES_PREFIX = "passages_"
FINGERPRINT_PREFIX = "vector_fingerprint_"

# Decimals sent per vector component. Unit vectors of a few hundred dimensions have components
# around 0.05: seven decimals change a cosine by less than 1e-6 and the squared length by far
# less than the 1e-4 Elasticsearch tolerates for `dot_product` (which needs unit-length
# vectors, dense-vector.md), and keep a bulk request a third of the size of full floats.
VECTOR_DECIMALS = 7


def field_name(model_key: str) -> str:
    """A field-name-safe, stable name for a model: readable, and a digest of its whole key so
    two keys never share one (dots would make object paths; '@' is a model key's own)."""
    readable = re.sub(r"[^a-z0-9]+", "_", model_key.lower()).strip("_")[:48]
    digest = hashlib.blake2b(model_key.encode(), digest_size=4).hexdigest()
    return f"{readable}_{digest}"


@dataclass(frozen=True)
class VectorModel:
    """One model whose vectors an index holds: its key, dimension and fields."""

    key: str
    dimension: int
    field: str

    @classmethod
    def of(cls, key: str, dimension: int) -> VectorModel:
        return cls(key, int(dimension), field_name(key))

    @property
    def passages_field(self) -> str:
        return f"{PASSAGES_PREFIX}{self.field}"

    @property
    def vector_field(self) -> str:
        return f"{self.passages_field}.vector"

    @property
    def fingerprint_field(self) -> str:
        return f"{FINGERPRINT_PREFIX}{self.field}"


@dataclass(frozen=True)
class VectorSpace:
    """The models an index holds vectors of (empty: words only)."""

    models: tuple[VectorModel, ...] = ()

    @classmethod
    def of(cls, *models: tuple[str, int]) -> VectorSpace:
        return cls(tuple(VectorModel.of(key, dimension) for key, dimension in models))

    @classmethod
    def from_embedders(cls, embedders: Sequence[Any]) -> VectorSpace:
        return cls.of(*((embedder.key, embedder.dimension) for embedder in embedders))

    @classmethod
    def from_meta(cls, meta: dict[str, Any] | None) -> VectorSpace:
        """The space a mapping's _meta names (vector_meta)."""
        models = []
        for key, entry in sorted(((meta or {}).get(META_MODELS) or {}).items()):
            if isinstance(entry, dict) and entry.get("field") and entry.get("dimension"):
                models.append(VectorModel(key, int(entry["dimension"]), str(entry["field"])))
        return cls(tuple(models))

    def get(self, key: str) -> VectorModel | None:
        return next((model for model in self.models if model.key == key), None)

    def keys(self) -> list[str]:
        return [model.key for model in self.models]

    def __bool__(self) -> bool:
        return bool(self.models)


def configured_vector_space() -> VectorSpace:
    """The configured embedders' space (search.semantic.embedders); empty for words only."""
    from search.semantic.embedders import get_embedders  # loads the models: only when asked

    return VectorSpace.from_embedders(get_embedders())


def vector_properties(space: VectorSpace) -> dict[str, Any]:
    """The mapping of each model's vector fields.

    dense-vector.md: `dot_product` "provides an optimized way to perform cosine similarity" and
    needs unit-length vectors (Embedder vectors are L2-normalised); `int8_hnsw` quantises each
    dimension to a byte (4x less memory, "int8 requires minimal if any rescoring", knn.md), and
    is named explicitly because 9.1 made `bbq_hnsw` the default from 384 dimensions up.
    The fingerprint is only read back (indexed_vector_versions), never searched.
    """
    properties: dict[str, Any] = {}
    for model in space.models:
        passages = Nested(
            properties={
                "vector": DenseVector(
                    dims=model.dimension,
                    index=True,
                    similarity="dot_product",
                    index_options={"type": "int8_hnsw"},
                )
            }
        )
        properties[model.passages_field] = passages.to_dict()
        properties[model.fingerprint_field] = Keyword(index=False).to_dict()
    return properties


def vector_meta(space: VectorSpace) -> dict[str, Any]:
    return {
        META_MODELS: {
            model.key: {"field": model.field, "dimension": model.dimension}
            for model in space.models
        }
    }


def spaces_by_index(mappings: dict[str, Any]) -> dict[str, VectorSpace]:
    """Each index's vector space from a GET <index>/_mapping response (filter_path
    *.mappings._meta leaves out the indices without a _meta)."""
    return {
        index_name: VectorSpace.from_meta((value.get("mappings") or {}).get("_meta"))
        for index_name, value in mappings.items()
        if isinstance(value, dict)
    }


def rounded(vector: np.ndarray | Sequence[float]) -> list[float]:
    return [round(float(value), VECTOR_DECIMALS) for value in np.asarray(vector).ravel()]


def vector_source(item: DocumentVectors, model: VectorModel) -> dict[str, Any]:
    """What a document's _source holds of one model's vectors (added to document_source, or
    sent as a partial update)."""
    return {
        model.passages_field: [{"vector": rounded(row)} for row in np.atleast_2d(item.vectors)],
        model.fingerprint_field: item.fingerprint,
    }


def model_for(item: DocumentVectors, space: VectorSpace) -> VectorModel | None:
    """The model of the space these vectors belong to, if they fit its fields."""
    model = space.get(item.model_key)
    vectors = np.atleast_2d(item.vectors)
    if model is None or vectors.shape[0] == 0 or vectors.shape[1] != model.dimension:
        return None
    return model


def update_actions(
    items: Iterable[tuple[DocumentVectors, VectorModel]], target: str
) -> Iterator[dict[str, Any]]:
    """Bulk `update` actions replacing one model's vectors of each document, never creating a
    document.

    Bulk API `update` with a partial `doc` and without `doc_as_upsert` or `upsert`: a document
    that is not there fails with document_missing_exception (404) instead of being created
    (UpdateHelper.prepareUpsert), so a page deleted meanwhile stays deleted and a rebuild's
    stream still writes a document the update found missing. The partial doc replaces that
    model's `passages_<model>` array whole and leaves the other models' fields as they are.

    Versions: the update reads the stored document and indexes the merged one with if_seq_no
    and if_primary_term, as an internally versioned write (Update API; UpdateHelper), so it
    also applies to a document the rebuild stream wrote with `version_type: external,
    version: 1` and raises its version past 1: the stream writes each document once, and live
    writes are internally versioned, so nothing later refuses or undoes it.
    `retry_on_conflict` re-reads and re-applies when a live write lands between the read and
    the write.
    """
    for item, model in items:
        yield {
            "_op_type": "update",
            "_index": target,
            "_id": item.document.id,
            "retry_on_conflict": 3,
            "doc": vector_source(item, model),
        }


def missing_document(item: dict[str, Any]) -> bool:
    """A bulk update item refused because the document is not there (deleted, or not yet
    streamed into the index a rebuild is loading): skipped, not an error."""
    error = item.get("error") or {}
    return item.get("status") == 404 and error.get("type") == "document_missing_exception"


def first_passage_vector(hit: dict[str, Any], model: VectorModel) -> list[float] | None:
    """The first passage's vector, of this model, of a hit fetched with the fields option.

    The fields option returns a nested field as a list of objects, one per passage
    (retrieve-selected-fields.md; the 9.2 REST tests of `_source.exclude_vectors` read
    `fields.<nested>.0.vector`). From 9.2 vectors are left out of _source in responses
    (dense-vector.md, index.mapping.exclude_source_vectors), and `_source.exclude_vectors` is
    an unknown key before 9.1, so the fields option is what works on every 9.x. A _source
    that carries the vectors is read too.
    """
    name = model.passages_field
    passages = (hit.get("fields") or {}).get(name) or (hit.get("_source") or {}).get(name)
    if not passages or not isinstance(passages, list) or not isinstance(passages[0], dict):
        return None
    vector = passages[0].get("vector")
    # The fields option returns every field's values as a list, and dense_vector's value
    # fetcher (an ArraySourceValueFetcher) returns the whole vector as one value: [[...]].
    # _source holds the vector itself: [...].
    if vector and isinstance(vector[0], list):
        vector = vector[0]
    if not vector or len(vector) != model.dimension:
        return None
    return [float(value) for value in vector]


def batches(values: Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(values)
    while batch := list(islice(iterator, size)):
        yield batch
