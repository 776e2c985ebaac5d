"""Passage vectors beside the Tantivy index, searched by dot product.

Each generation directory holds a `vectors/` folder of immutable segments, written under the
index's write lock: `seg-<stamp>.f32` (the passages' vectors, float32, memory-mapped by every
reader, so processes share one copy in the page cache) and `seg-<stamp>.json` (the model's
key, each document's id, translation group, vector fingerprint, facet values and rows, and the
ids the segment deletes). A document's latest segment holds its live vectors. Past
MAX_SEGMENTS, the live rows are merged into one segment.

A segment of fewer than APPROXIMATE_ROWS rows is searched exactly: every live row's dot
product with the query. A larger one is searched in two steps (bench/search_semantic.py,
docs/performance.md "Hybrid search at 100,000 documents"): a first pass over the rows
projected onto their REDUCED_DIMENSION principal directions (computed once per process from
the segment and kept in memory, 1/6 of the bytes to read per query), then the exact dot
product of the CANDIDATES best rows by it, read from the memory-mapped matrix. Scores are
always exact; which near-equal rows come back can differ from the exact search's. When the
candidates hold fewer rows above the model's floor than the groups the search asks for (a
query that matches little), the first step may have missed some, and the segment is scored
exactly.
Both steps run in the request's own thread (einsum, no BLAS thread pool): with several
workers per core a thread pool only waits for cores other requests hold.
"""

from __future__ import annotations

import json
import os
import threading
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from search.engines.base import DocumentVectors
from search.engines.common import facet_values
from search.engines.embedded.schema import group_of

MAX_SEGMENTS = 8
APPROXIMATE_ROWS = 50_000  # rows from which a segment is searched in two steps
REDUCED_DIMENSION = 64  # the first step's dimension
CANDIDATES = 4096  # rows the first step passes on to the exact dot product
_PROJECTION_SAMPLE = 50_000  # rows the principal directions are computed from


def _dot(matrix: np.ndarray, vector: np.ndarray) -> np.ndarray:
    """matrix @ vector in this thread (no BLAS thread pool), float32."""
    return np.einsum("ij,j->i", matrix, vector, dtype=np.float32)


@dataclass
class _Segment:
    """One segment as read from disk (never changed once written)."""

    name: str
    model_key: str
    vectors: np.ndarray  # (rows, dimension), memory-mapped
    ids: list[str]
    groups: list[str]
    fingerprints: list[str]
    facets: list[dict[str, list[str]]]
    row_document: np.ndarray  # (rows,) index into ids
    deleted: list[str]
    group_codes: np.ndarray = field(default=None)  # (documents,) a number per group
    _facet_masks: dict = field(default_factory=dict)  # (facet, value) -> bool per document
    _reduced: tuple | None = None  # (projection, reduced rows), computed on first use
    _reduced_lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self):
        if self.group_codes is None:
            numbers: dict[str, int] = {}
            self.group_codes = np.fromiter(
                (numbers.setdefault(group, len(numbers)) for group in self.groups),
                dtype=np.int64,
                count=len(self.groups),
            )

    def facet_mask(self, facet: str, values: tuple[str, ...]) -> np.ndarray:
        """Which documents have any of these values of the facet (cached per value)."""
        if (facet, None) not in self._facet_masks:
            by_value: dict[str, list[int]] = {}
            for index, facets in enumerate(self.facets):
                for value in facets.get(facet, ()):
                    by_value.setdefault(value, []).append(index)
            masks = {}
            for value, indexes in by_value.items():
                mask = np.zeros(len(self.ids), dtype=bool)
                mask[indexes] = True
                masks[(facet, value)] = mask
            masks[(facet, None)] = np.zeros(len(self.ids), dtype=bool)  # no such value
            self._facet_masks.update(masks)
        result = np.zeros(len(self.ids), dtype=bool)
        for value in values:
            result |= self._facet_masks.get((facet, value), self._facet_masks[(facet, None)])
        return result

    def reduced(self) -> tuple[np.ndarray, np.ndarray]:
        """(projection, rows projected): the rows onto their REDUCED_DIMENSION principal
        directions (of the uncentred second moment, which is what dot products preserve)."""
        with self._reduced_lock:
            if self._reduced is None:
                rows = len(self.vectors)
                step = max(1, rows // _PROJECTION_SAMPLE)
                sample = np.asarray(self.vectors[::step], dtype=np.float32)
                _values, directions = np.linalg.eigh(sample.T @ sample)
                projection = np.ascontiguousarray(directions[:, ::-1][:, :REDUCED_DIMENSION])
                reduced = np.empty((rows, projection.shape[1]), dtype=np.float32)
                for start in range(0, rows, 16_384):
                    reduced[start : start + 16_384] = self.vectors[start : start + 16_384] @ (
                        projection
                    )
                self._reduced = (projection, reduced)
            return self._reduced

    @classmethod
    def read(cls, folder: Path, name: str) -> _Segment:
        meta = json.loads((folder / f"{name}.json").read_text())
        documents = meta["documents"]
        rows = sum(document["rows"] for document in documents)
        dimension = meta["dimension"]
        if rows:
            vectors = np.memmap(folder / f"{name}.f32", dtype="<f4", mode="r")
            vectors = vectors.reshape(rows, dimension)
        else:
            vectors = np.zeros((0, dimension), dtype=np.float32)
        row_document = np.repeat(
            np.arange(len(documents), dtype=np.int32),
            [document["rows"] for document in documents],
        )
        return cls(
            name=name,
            model_key=meta["model_key"],
            vectors=vectors,
            ids=[document["id"] for document in documents],
            groups=[document["group"] for document in documents],
            fingerprints=[document["fingerprint"] for document in documents],
            facets=[document["facets"] for document in documents],
            row_document=row_document,
            deleted=meta["deleted"],
        )


@dataclass(frozen=True)
class SemanticMatch:
    document_id: str
    group: str
    score: float


@dataclass
class VectorSnapshot:
    """The live vectors as of one set of segments."""

    segments: list[_Segment]
    live_documents: list[np.ndarray]  # per segment, a bool per document
    key_counts: dict[str, int] = field(default_factory=dict)  # live documents per model key
    _live_rows: dict[int, np.ndarray] = field(default_factory=dict)  # per segment position

    @classmethod
    def build(cls, segments: list[_Segment]) -> VectorSnapshot:
        """A document's live vectors of each model are in its latest segment of that model;
        a deletion removes them all."""
        latest: dict[tuple[str, str], tuple[int, int]] = {}
        keys_of: dict[str, set[str]] = {}
        for position, segment in enumerate(segments):
            for document_id in segment.deleted:
                for key in keys_of.pop(document_id, ()):
                    latest.pop((document_id, key), None)
            for index, document_id in enumerate(segment.ids):
                latest[(document_id, segment.model_key)] = (position, index)
                keys_of.setdefault(document_id, set()).add(segment.model_key)
        live = [np.zeros(len(segment.ids), dtype=bool) for segment in segments]
        key_counts: dict[str, int] = {}
        for position, index in latest.values():
            live[position][index] = True
            key = segments[position].model_key
            key_counts[key] = key_counts.get(key, 0) + 1
        return cls(segments, live, key_counts)

    def fingerprints(self) -> dict[str, set[str]]:
        """Every document with live vectors, and their fingerprints (one per model)."""
        found: dict[str, set[str]] = {}
        for segment, live in zip(self.segments, self.live_documents, strict=True):
            for index in np.flatnonzero(live):
                found.setdefault(segment.ids[index], set()).add(segment.fingerprints[index])
        return found

    def _document_mask(self, position: int, filters: dict[str, tuple[str, ...]]) -> np.ndarray:
        segment = self.segments[position]
        mask = self.live_documents[position].copy()
        for facet, values in filters.items():
            mask &= segment.facet_mask(facet, tuple(values))
        return mask

    def _row_mask(self, position: int, document_mask: np.ndarray, filtered: bool) -> np.ndarray:
        """A bool per row of the segment; without filters, the live rows (kept)."""
        segment = self.segments[position]
        if filtered:
            return document_mask[segment.row_document]
        if position not in self._live_rows:
            self._live_rows[position] = document_mask[segment.row_document]
        return self._live_rows[position]

    @staticmethod
    def _scored_rows(
        segment: _Segment,
        query_vector: np.ndarray,
        row_mask: np.ndarray,
        depth: int,
        min_score: float,
        enough: int,
    ) -> tuple[np.ndarray, np.ndarray]:
        """The best `depth` allowed rows by exact score, best first, and their scores.

        In two steps when the segment is large; if the candidates do not hold `enough` rows
        at or above `min_score` (a query that matches little, near the floor), the first
        step may have missed some, and every row is scored exactly instead."""
        allowed = int(row_mask.sum())
        rows = None
        if len(row_mask) >= APPROXIMATE_ROWS and allowed > CANDIDATES:
            projection, reduced = segment.reduced()
            rough = _dot(reduced, query_vector @ projection)
            if allowed < len(row_mask):
                rough[~row_mask] = -np.inf
            rows = np.argpartition(-rough, CANDIDATES - 1)[:CANDIDATES]
            rows.sort()  # reads the memory-mapped rows in file order
            scores = _dot(segment.vectors[rows], query_vector)
            if int((scores >= min_score).sum()) < enough:
                rows = None
        if rows is None:
            rows = np.flatnonzero(row_mask)
            scores = _dot(segment.vectors, query_vector)[rows]
        if depth < len(rows):
            top = np.argpartition(-scores, depth - 1)[:depth]
            rows, scores = rows[top], scores[top]
        order = np.argsort(-scores, kind="stable")
        return rows[order], scores[order]

    def search(
        self,
        query_vector: np.ndarray,
        model_key: str,
        filters: dict[str, tuple[str, ...]],
        limit: int,
        min_score: float = -1.0,
        exclude_groups: frozenset[str] = frozenset(),
    ) -> list[SemanticMatch]:
        """The best `limit` translation groups by their best passage's similarity to the
        query, within the filters, each with the document of that passage."""
        best: dict[str, SemanticMatch] = {}
        query_vector = np.asarray(query_vector, dtype=np.float32)
        for position, segment in enumerate(self.segments):
            if segment.model_key != model_key or not len(segment.row_document):
                continue
            document_mask = self._document_mask(position, filters)
            if not document_mask.any():
                continue
            # Enough rows that `limit` groups survive several passages per document and
            # several documents per group.
            row_mask = self._row_mask(position, document_mask, bool(filters))
            rows, scores = self._scored_rows(
                segment, query_vector, row_mask, limit * 8, min_score, limit
            )
            keep = scores >= min_score
            rows, scores = rows[keep], scores[keep]
            # Each group's best row (the first, rows being best first), in that order.
            groups = segment.group_codes[segment.row_document[rows]]
            _codes, first = np.unique(groups, return_index=True)
            first.sort()
            wanted = limit + len(exclude_groups)
            for row, score in zip(rows[first][:wanted], scores[first][:wanted], strict=True):
                index = int(segment.row_document[row])
                group = segment.groups[index]
                if group in exclude_groups:
                    continue
                score = float(score)
                if group not in best or best[group].score < score:
                    best[group] = SemanticMatch(segment.ids[index], group, score)
        ranked = sorted(best.values(), key=lambda match: (-match.score, match.document_id))
        return ranked[:limit]

    def vectors_of(self, document_id: str, model_key: str) -> np.ndarray | None:
        for segment, live in zip(self.segments, self.live_documents, strict=True):
            if segment.model_key != model_key:
                continue
            for index, candidate in enumerate(segment.ids):
                if candidate == document_id and live[index]:
                    rows = np.flatnonzero(segment.row_document == index)
                    return np.asarray(segment.vectors[rows])
        return None


class VectorStore:
    """The `vectors/` folder of one generation. Writers hold the index's write lock."""

    def __init__(self, folder: Path):
        self.folder = folder
        self._lock = threading.Lock()
        self._segments: dict[str, _Segment] = {}
        self._snapshot: tuple[tuple[str, ...], VectorSnapshot] | None = None

    def _names(self) -> list[str]:
        if not self.folder.exists():
            return []
        return sorted(path.stem for path in self.folder.glob("seg-*.json"))

    def snapshot(self) -> VectorSnapshot:
        names = tuple(self._names())
        with self._lock:
            if self._snapshot is None or self._snapshot[0] != names:
                segments = []
                for name in names:
                    if name not in self._segments:
                        self._segments[name] = _Segment.read(self.folder, name)
                    segments.append(self._segments[name])
                for name in set(self._segments) - set(names):
                    del self._segments[name]  # merged away
                self._snapshot = (names, VectorSnapshot.build(segments))
            return self._snapshot[1]

    # -- writing (under the index's write lock) --------------------------------------------

    def write(
        self, items: Iterable[DocumentVectors], deleted: Iterable[str] = (), merge: bool = True
    ) -> None:
        """A segment with these vectors (of one model) and deletions; past MAX_SEGMENTS, a
        merge, unless the caller merges once at the end (a rebuild)."""
        items, deleted = list(items), list(deleted)
        if not (items or deleted):
            return
        if not items and not self._names():
            return  # nothing to delete from
        self._write_segment(items, deleted)
        if merge and len(self._names()) > MAX_SEGMENTS:
            self.merge()

    def _write_segment(self, items: list[DocumentVectors], deleted: list[str]) -> None:
        keys = {item.model_key for item in items}
        if len(keys) > 1:
            raise ValueError(f"one segment holds one model's vectors, not {sorted(keys)}")
        entries = [
            _StoredVectors(
                id=item.document.id,
                group=group_of(item.document),
                fingerprint=item.fingerprint,
                facets={
                    facet: list(values) for facet, values in facet_values(item.document).items()
                },
                vectors=item.vectors,
            )
            for item in items
        ]
        self._write(next(iter(keys), ""), entries, deleted)

    def merge(self) -> None:
        """The live rows of every segment into one per model key; the old segments removed.

        Readers that list the folder in between see the merged rows as the latest of each
        document, so they find the same vectors either way."""
        snapshot = self.snapshot()
        if len(snapshot.segments) <= 1:
            return
        by_key: dict[str, list[_StoredVectors]] = {}
        for segment, live in zip(snapshot.segments, snapshot.live_documents, strict=True):
            for index in np.flatnonzero(live):
                rows = np.flatnonzero(segment.row_document == index)
                by_key.setdefault(segment.model_key, []).append(
                    _StoredVectors(
                        id=segment.ids[index],
                        group=segment.groups[index],
                        fingerprint=segment.fingerprints[index],
                        facets=segment.facets[index],
                        vectors=np.asarray(segment.vectors[rows]),
                    )
                )
        for key, entries in by_key.items():
            self._write(key, entries, [])
        for segment in snapshot.segments:
            for suffix in (".json", ".f32"):
                (self.folder / f"{segment.name}{suffix}").unlink(missing_ok=True)

    def _write(self, model_key: str, entries: list[_StoredVectors], deleted: list[str]) -> None:
        """A new segment: the vectors first, then the metadata, whose appearance publishes it."""
        self.folder.mkdir(parents=True, exist_ok=True)
        name = f"seg-{time.time_ns():020d}-{uuid.uuid4().hex[:6]}"
        dimension = int(entries[0].vectors.shape[1]) if entries else 0
        if entries:
            matrix = np.concatenate([entry.vectors for entry in entries]).astype("<f4")
            matrix.tofile(self.folder / f"{name}.f32.tmp")
            os.replace(self.folder / f"{name}.f32.tmp", self.folder / f"{name}.f32")
        meta = {
            "model_key": model_key,
            "dimension": dimension,
            "documents": [
                {
                    "id": entry.id,
                    "group": entry.group,
                    "fingerprint": entry.fingerprint,
                    "facets": entry.facets,
                    "rows": int(entry.vectors.shape[0]),
                }
                for entry in entries
            ],
            "deleted": deleted,
        }
        (self.folder / f"{name}.json.tmp").write_text(json.dumps(meta, ensure_ascii=False))
        os.replace(self.folder / f"{name}.json.tmp", self.folder / f"{name}.json")


@dataclass(frozen=True)
class _StoredVectors:
    id: str
    group: str
    fingerprint: str
    facets: dict
    vectors: np.ndarray
