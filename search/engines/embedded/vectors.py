"""Passage vectors beside the Tantivy index, searched by dot product.

Each generation directory holds a `vectors/` folder of immutable segments, written under the
index's write lock: `seg-<stamp>.f32` (the passages' vectors, float32, memory-mapped by every
reader, so processes share one copy in the page cache) and `seg-<stamp>.json` (the model's
key, each document's id, translation group, vector fingerprint, facet values and start day (for
the date range) and rows, and the ids the segment deletes). A document's latest segment holds
its live vectors. Past MAX_SEGMENTS, the live rows are merged into one segment.

A segment of TWO_STEP_ROWS rows or more is also written with its rows' REDUCED_DIMENSION
principal directions (`seg-<stamp>.basis.f32`) and the rows projected onto them
(`seg-<stamp>.reduced.f32`, memory-mapped like the vectors). Its search has two steps: every
document scored in the reduced space (a sixth of the bytes to read: the exact product is
bound by memory, ~21 ms for 300,000 x 384 on a quiet core), which gives each language's mean
and the floor's deviation; then the best RESCORED_DOCUMENTS documents by that score are scored
exactly, from their full rows. Smaller segments are scored exactly in one step.
"""

from __future__ import annotations

import json
import mmap
import os
import threading
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np

from search.engines.base import DocumentVectors, SearchDocument
from search.engines.common import facet_values, started_day
from search.engines.embedded.schema import group_of

MAX_SEGMENTS = 8
# A segment this large is searched in two steps (module docstring); below it, the exact
# product of every row costs less than ~4 ms.
TWO_STEP_ROWS = 50_000
REDUCED_DIMENSION = 96
# Documents the first step passes on to the exact product (more when a page asks for more).
RESCORED_DOCUMENTS = 1024
# Documents scored both ways per query, to correct the first step's scores (best_scores).
CORRECTION_SAMPLE = 1024


def _dot(matrix: np.ndarray, vector: np.ndarray) -> np.ndarray:
    """matrix @ vector in this thread, float32. Not through BLAS's thread pool: with several
    workers per core its threads only wait for cores other requests hold (a 6,000-row
    product took 19 ms with two threads under load, 0.12 ms in one; bench/search_semantic.py).
    einsum also beat single-threaded BLAS here (5.3 against 7.4 ms for 318,000 x 96) and
    lets Tantivy's search by words, in the request's other thread, run beside it."""
    return np.einsum("ij,j->i", matrix, vector, dtype=np.float32)


def _mapped(path: Path, rows: int, dimension: int) -> np.ndarray:
    """The file's (rows, dimension) float32 matrix, mapped read-only and shared between
    processes. Its pages are mapped in up front (MAP_POPULATE): a query that reads rows no
    query had read before in this process paid a page fault for each (~2.7 ms a query for
    the rows it scores exactly, at 100,000 documents)."""
    with open(path, "rb") as file:
        mapped = mmap.mmap(
            file.fileno(),
            0,
            flags=mmap.MAP_SHARED | getattr(mmap, "MAP_POPULATE", 0),
            prot=mmap.PROT_READ,
        )
    return np.frombuffer(mapped, dtype="<f4").reshape(rows, dimension)


def principal_directions(matrix: np.ndarray, count: int) -> np.ndarray:
    """(count, dimension): the orthonormal directions that keep most of the rows' energy (the
    leading eigenvectors of their second moment, not centred: a dot product with a query
    uses the rows' mean too)."""
    dimension = matrix.shape[1]
    moment = np.zeros((dimension, dimension), dtype=np.float64)
    for start in range(0, len(matrix), 65_536):
        chunk = np.asarray(matrix[start : start + 65_536], dtype=np.float32)
        moment += chunk.T @ chunk
    _values, vectors = np.linalg.eigh(moment)  # ascending
    return np.ascontiguousarray(vectors[:, ::-1][:, :count].T, dtype=np.float32)


# How many documents' worth of the overall mean a language's mean is blended with.
CENTRING_PRIOR = 10
# A number per locale, the same in every segment of the process, so that a query's per-language
# means are one bincount rather than a sort of strings.
LOCALE_CODES: dict[str, int] = {}


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
    # Large segments only: (REDUCED_DIMENSION, dimension) directions, (rows, REDUCED_DIMENSION).
    basis: np.ndarray | None = None
    reduced: np.ndarray | None = None
    # Documents that have rows, and where each one's rows start (rows are grouped by document).
    documents_with_rows: np.ndarray = field(init=False)
    row_starts: np.ndarray = field(init=False)
    row_ends: np.ndarray = field(init=False)
    sample_positions: np.ndarray = field(init=False)  # evenly spaced documents_with_rows
    locale_codes: np.ndarray = field(init=False)  # (documents,) LOCALE_CODES of each locale
    codes_with_rows: np.ndarray = field(init=False)  # locale_codes of documents_with_rows
    started_days: np.ndarray = field(init=False)  # (documents,) common.started_day, else 0
    _facet_masks: dict = field(init=False)  # (facet, value) -> a bool per document

    def facet_mask(self, facet: str, values: tuple[str, ...]) -> np.ndarray:
        """Which documents have any of these values of the facet (cached per value)."""
        if (facet, None) not in self._facet_masks:
            by_value: dict[str, list[int]] = {}
            for index, facets in enumerate(self.facets):
                for value in facets.get(facet, ()):
                    by_value.setdefault(value, []).append(index)
            masks = {(facet, None): np.zeros(len(self.ids), dtype=bool)}  # no such value
            for value, indexes in by_value.items():
                mask = np.zeros(len(self.ids), dtype=bool)
                mask[indexes] = True
                masks[(facet, value)] = mask
            self._facet_masks.update(masks)
        result = np.zeros(len(self.ids), dtype=bool)
        for value in values:
            result |= self._facet_masks.get((facet, value), self._facet_masks[(facet, None)])
        return result

    def __post_init__(self):
        if len(self.row_document):
            starts = np.flatnonzero(np.diff(self.row_document, prepend=-1))
        else:
            starts = np.zeros(0, dtype=np.int64)
        self.row_starts = starts
        self.row_ends = np.append(starts[1:], len(self.row_document)).astype(np.int64)
        self.sample_positions = np.unique(
            np.linspace(0, len(starts) - 1, min(len(starts), CORRECTION_SAMPLE)).astype(np.int64)
        )
        self.documents_with_rows = self.row_document[starts]
        self._facet_masks = {}
        self.locale_codes = np.fromiter(
            (
                LOCALE_CODES.setdefault((facets.get("locale") or [""])[0], len(LOCALE_CODES))
                for facets in self.facets
            ),
            dtype=np.int64,
            count=len(self.facets),
        )
        self.codes_with_rows = self.locale_codes[self.documents_with_rows]
        self.started_days = np.fromiter(
            ((facets.get(STARTED_DAY) or [0])[0] for facets in self.facets),
            dtype=np.int64,
            count=len(self.facets),
        )

    def started_mask(self, bounds: tuple[int, int]) -> np.ndarray:
        """Which documents started within these day numbers (none without a start date)."""
        return (self.started_days >= max(bounds[0], 1)) & (self.started_days <= bounds[1])

    @classmethod
    def read(cls, folder: Path, name: str) -> _Segment:
        meta = json.loads((folder / f"{name}.json").read_text())
        documents = meta["documents"]
        rows = sum(document["rows"] for document in documents)
        dimension = meta["dimension"]
        if rows:
            vectors = _mapped(folder / f"{name}.f32", rows, dimension)
        else:
            vectors = np.zeros((0, dimension), dtype=np.float32)
        basis = reduced = None
        if meta.get("reduced_dimension"):
            reduced_dimension = meta["reduced_dimension"]
            basis = np.fromfile(folder / f"{name}.basis.f32", dtype="<f4")
            basis = basis.reshape(reduced_dimension, dimension)
            reduced = _mapped(folder / f"{name}.reduced.f32", rows, reduced_dimension)
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
            basis=basis,
            reduced=reduced,
        )

    def best_scores(self, query_vector: np.ndarray) -> np.ndarray:
        """Each document's best passage score (per documents_with_rows): exact, or from the
        reduced rows when the segment has them."""
        if self.reduced is None:
            return np.maximum.reduceat(_dot(self.vectors, query_vector), self.row_starts)
        best = np.maximum.reduceat(_dot(self.reduced, self.basis @ query_vector), self.row_starts)
        # The reduced scores miss the parts of the query and the rows outside the basis. What
        # they miss is measured exactly on a fixed sample of the documents, per language, and
        # added back, so that a language's mean and the floor's deviation are the exact
        # search's (within 0.002 on the test's data).
        sample = self.sample_positions
        sample_rows, firsts = self._sample_rows
        exact = np.maximum.reduceat(_dot(sample_rows, query_vector), firsts)
        missed = exact - best[sample]
        codes = self.codes_with_rows
        sample_codes = codes[sample]
        counts = np.bincount(sample_codes, minlength=len(LOCALE_CODES))
        sums = np.bincount(sample_codes, weights=missed, minlength=len(LOCALE_CODES))
        corrections = (sums + CENTRING_PRIOR * missed.mean()) / (counts + CENTRING_PRIOR)
        return best + corrections.astype(np.float32)[codes]

    def _rows_of(self, positions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The rows of the documents at these positions (into documents_with_rows), and where
        each document's rows begin among them."""
        starts, ends = self.row_starts[positions], self.row_ends[positions]
        lengths = ends - starts
        firsts = np.cumsum(lengths) - lengths
        return np.repeat(starts - firsts, lengths) + np.arange(int(lengths.sum())), firsts

    @cached_property
    def _sample_rows(self) -> tuple[np.ndarray, np.ndarray]:
        """The sample's rows, copied together once, and where each document's begin."""
        rows, firsts = self._rows_of(self.sample_positions)
        return np.ascontiguousarray(self.vectors[rows]), firsts

    def exact_best_scores(self, positions: np.ndarray, query_vector: np.ndarray) -> np.ndarray:
        """The exact best passage score of the documents at these positions (ascending, into
        documents_with_rows), from their full rows only."""
        rows, firsts = self._rows_of(positions)
        return np.maximum.reduceat(_dot(self.vectors[rows], query_vector), firsts)


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

    def _document_mask(
        self,
        position: int,
        filters: dict[str, tuple[str, ...]],
        started_days: tuple[int, int] | None = None,
    ) -> np.ndarray:
        segment = self.segments[position]
        mask = self.live_documents[position].copy()
        for facet, values in filters.items():
            mask &= segment.facet_mask(facet, tuple(values))
        if started_days is not None:
            mask &= segment.started_mask(started_days)
        return mask

    def search(
        self,
        query_vector: np.ndarray,
        model_key: str,
        filters: dict[str, tuple[str, ...]],
        limit: int,
        min_score: float = -1.0,
        exclude_groups: frozenset[str] = frozenset(),
        min_z: float | None = None,
        started_days: tuple[int, int] | None = None,
    ) -> list[SemanticMatch]:
        """The best `limit` translation groups by meaning, within the filters (and, with
        `started_days`, the date range: common.started_day_bounds), each with the
        document that scored best.

        A document scores by its best passage's similarity to the query, less the mean
        score of the documents in its language (shrunk by CENTRING_PRIOR): multilingual
        models rank documents in the query's own language higher whatever they say, and the
        centring lets an English query find a Korean-only practice (docs/search-quality.md).
        A document matches when its raw similarity is at least `min_score` and, with `min_z`,
        its centred score is at least `min_z` standard deviations above the mean over all
        documents: a floor relative to this query, as each model's similarities crowd
        differently.
        """
        query_vector = np.asarray(query_vector, dtype=np.float32)
        scored = []  # per segment: (position, live positions, best, locale codes)
        for position, segment in enumerate(self.segments):
            if segment.model_key != model_key or not len(segment.row_document):
                continue
            live = np.flatnonzero(self.live_documents[position][segment.documents_with_rows])
            if not len(live):
                continue
            best = segment.best_scores(query_vector)[live]
            codes = segment.codes_with_rows[live]
            scored.append((position, live, best, codes))
        if not scored:
            return []
        raw = np.concatenate([best for _p, _l, best, _c in scored])
        codes = np.concatenate([each for _p, _l, _b, each in scored])
        # Each language's mean, shrunk towards the mean over all languages when it has few
        # documents: one Korean document is not a Korean mean to subtract. A large segment's
        # scores here are its first step's (module docstring).
        counts = np.bincount(codes)
        sums = np.bincount(codes, weights=raw)
        means = ((sums + CENTRING_PRIOR * raw.mean()) / (counts + CENTRING_PRIOR)).astype(
            np.float32
        )
        centred = raw - means[codes]
        floor = -np.inf
        if min_z is not None and len(centred) > 1:
            floor = centred.mean() + min_z * centred.std()
        best: dict[str, SemanticMatch] = {}
        offset = 0
        for position, live, part_raw, part_codes in scored:
            part = slice(offset, offset + len(live))
            offset += len(live)
            segment = self.segments[position]
            documents = segment.documents_with_rows[live]
            mask = self._document_mask(position, filters, started_days)
            candidates = np.flatnonzero(mask[documents])
            if not len(candidates):
                continue
            scores, raw_scores = centred[part][candidates], part_raw[candidates]
            if segment.reduced is not None:
                # The first step's best documents, scored again exactly.
                depth = min(len(candidates), max(RESCORED_DOCUMENTS, limit * 4))
                if depth < len(candidates):
                    candidates = np.sort(candidates[np.argpartition(-scores, depth - 1)[:depth]])
                raw_scores = segment.exact_best_scores(live[candidates], query_vector)
                scores = raw_scores - means[part_codes[candidates]]
            keep = (raw_scores >= min_score) & (scores >= floor)
            candidates, scores = candidates[keep], scores[keep]
            # Enough documents that `limit` groups survive several translations per group.
            depth = min(len(candidates), limit * 4)
            if depth < len(candidates):
                top = np.argpartition(-scores, depth - 1)[:depth]
                candidates, scores = candidates[top], scores[top]
            for index, score in zip(documents[candidates], scores, strict=True):
                group = segment.groups[index]
                if group in exclude_groups:
                    continue
                if group not in best or best[group].score < score:
                    best[group] = SemanticMatch(segment.ids[index], group, float(score))
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
                facets=_stored_facets(item.document),
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
            for suffix in (".json", ".f32", ".basis.f32", ".reduced.f32"):
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
        reduced_dimension = 0
        if entries and len(matrix) >= TWO_STEP_ROWS and dimension > REDUCED_DIMENSION:
            reduced_dimension = REDUCED_DIMENSION
            basis = principal_directions(matrix, reduced_dimension)
            basis.astype("<f4").tofile(self.folder / f"{name}.basis.f32")
            (matrix @ basis.T).astype("<f4").tofile(self.folder / f"{name}.reduced.f32")
        meta = {
            "model_key": model_key,
            "dimension": dimension,
            "reduced_dimension": reduced_dimension,
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


# Beside the facet values in a document's stored "facets": its start as a day number, for the
# date range (a document without a start date has none).
STARTED_DAY = "started_day"


def _stored_facets(document: SearchDocument) -> dict[str, list]:
    facets: dict[str, list] = {
        facet: list(values) for facet, values in facet_values(document).items()
    }
    day = started_day(document)
    if day is not None:
        facets[STARTED_DAY] = [day]
    return facets


@dataclass(frozen=True)
class _StoredVectors:
    id: str
    group: str
    fingerprint: str
    facets: dict
    vectors: np.ndarray
