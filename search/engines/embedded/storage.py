"""The embedded index on local disk: generations, the write lock and reader snapshots.

Layout under the index directory:
    CURRENT            name of the live generation directory (replaced atomically on rebuild)
    gen-<stamp>/       one Tantivy index per generation, its passage vectors in vectors/
    write.lock         fcntl lock: one writer at a time across web and worker processes
"""

from __future__ import annotations

import fcntl
import os
import shutil
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import tantivy

from search.engines.base import DocumentVectors, EngineUnavailable, SearchDocument
from search.engines.common import batched
from search.engines.embedded.schema import FORMAT_FILE, INDEX_FORMAT, SCHEMA, tantivy_document
from search.engines.embedded.vectors import VectorSnapshot, VectorStore

WRITER_HEAP_BYTES = 50_000_000
# Documents per commit in a rebuild, and per batch of vectors looked up for them.
REBUILD_BATCH = 5_000


def _write_by_model(store: VectorStore, items: list[DocumentVectors], merge: bool = True) -> None:
    """A segment per model: a segment holds one model's vectors."""
    for key in dict.fromkeys(item.model_key for item in items):
        store.write([item for item in items if item.model_key == key], merge=merge)


@dataclass(frozen=True)
class Snapshot:
    stamp: tuple
    searcher: tantivy.Searcher
    browse_counts: dict = field(default_factory=dict)  # filters -> (total, facets)


class IndexDirectory:
    """The generations of one index directory, shared by every process that opens it."""

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)
        self._state_lock = threading.Lock()
        self._snapshot_cache: Snapshot | None = None
        self._vector_stores: dict[str, VectorStore] = {}

    @contextmanager
    def _write_lock(self) -> Iterator[None]:
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / "write.lock", "a") as lock_file:
            fcntl.flock(lock_file, fcntl.LOCK_EX)  # blocks until the other writer commits
            try:
                yield
            finally:
                fcntl.flock(lock_file, fcntl.LOCK_UN)

    def _current_generation(self) -> str | None:
        try:
            return (self.root / "CURRENT").read_text().strip() or None
        except FileNotFoundError:
            return None

    def _new_generation(self) -> str:
        name = f"gen-{time.strftime('%Y%m%d%H%M%S')}-{uuid.uuid4().hex[:8]}"
        path = self.root / name
        path.mkdir(parents=True)
        tantivy.Index(SCHEMA, path=str(path), reuse=False)
        (path / FORMAT_FILE).write_text(INDEX_FORMAT)
        return name

    def _check_format(self, path: Path) -> None:
        try:
            found = (path / FORMAT_FILE).read_text().strip()
        except FileNotFoundError:
            if not path.exists():
                raise  # swapped away by a rebuild: the caller retries with the new one
            found = "1"  # written before formats were recorded
        if found != INDEX_FORMAT:
            raise EngineUnavailable(
                f"the search index under {self.root} has format {found}, this version needs "
                f"{INDEX_FORMAT}: run `manage.py search_rebuild`"
            )

    def _point_current_at(self, generation: str) -> None:
        pointer = self.root / f"CURRENT.{uuid.uuid4().hex[:8]}.tmp"
        pointer.write_text(generation)
        os.replace(pointer, self.root / "CURRENT")  # atomic: readers see old or new, never half

    def _ensure_generation(self) -> str:
        """The live generation, creating an empty index on first use (under the write lock)."""
        generation = self._current_generation()
        if generation is None or not (self.root / generation / "meta.json").exists():
            generation = self._new_generation()
            self._point_current_at(generation)
        return generation

    def snapshot(self) -> Snapshot:
        """The live generation as of its last commit, reopened after commits or a rebuild swap."""
        for attempt in range(3):
            try:
                return self._open_snapshot()
            except (FileNotFoundError, ValueError, OSError) as error:
                # A rebuild elsewhere may have swapped and removed the generation just read.
                if attempt == 2:
                    raise EngineUnavailable(f"search index under {self.root}: {error}") from error
        raise AssertionError("unreachable")

    def _open_snapshot(self) -> Snapshot:
        generation = self._current_generation()
        if generation is None:
            with self._write_lock():
                generation = self._ensure_generation()
        path = self.root / generation
        meta_stat = (path / "meta.json").stat()
        stamp = (generation, meta_stat.st_mtime_ns, meta_stat.st_ino, meta_stat.st_size)
        with self._state_lock:
            if self._snapshot_cache is None or self._snapshot_cache.stamp != stamp:
                self._check_format(path)
                index = tantivy.Index.open(str(path))
                self._snapshot_cache = Snapshot(stamp=stamp, searcher=index.searcher())
            return self._snapshot_cache

    def _vector_store(self, generation: str) -> VectorStore:
        with self._state_lock:
            if generation not in self._vector_stores:
                # One per generation seen; a rebuild's swap leaves the old one unused.
                self._vector_stores = {
                    generation: VectorStore(self.root / generation / "vectors"),
                    **{
                        name: store
                        for name, store in self._vector_stores.items()
                        if (self.root / name).exists()
                    },
                }
            return self._vector_stores[generation]

    def vectors(self) -> VectorSnapshot:
        """The live generation's passage vectors, as of their last write."""
        generation = self._current_generation()
        if generation is None:
            return VectorSnapshot.build([])
        try:
            return self._vector_store(generation).snapshot()
        except (FileNotFoundError, ValueError, OSError) as error:
            raise EngineUnavailable(f"search vectors under {self.root}: {error}") from error

    def write(self, documents: Iterable[SearchDocument], ids_to_delete: Iterable[str]) -> None:
        """Delete these ids (and their vectors), add or replace these documents, and commit."""
        ids_to_delete = list(ids_to_delete)
        with self._write_lock():
            generation = self._ensure_generation()
            path = self.root / generation
            self._check_format(path)
            self._write_into(tantivy.Index.open(str(path)), documents, ids_to_delete)
            self._vector_store(generation).write((), ids_to_delete)

    def write_vectors(self, items: Iterable[DocumentVectors], indexed: set[str]) -> None:
        """Add or replace the vectors of these documents, those among `indexed` ids only."""
        items = [item for item in items if item.document.id in indexed]
        if not items:
            return
        with self._write_lock():
            _write_by_model(self._vector_store(self._ensure_generation()), items)

    @staticmethod
    def _write_into(
        index, documents: Iterable[SearchDocument], ids_to_delete: Iterable[str]
    ) -> int:
        writer = index.writer(heap_size=WRITER_HEAP_BYTES, num_threads=1)
        written = 0
        try:
            for document_id in ids_to_delete:
                writer.delete_documents_by_term("id", document_id)
            for document in documents:
                writer.delete_documents_by_term("id", document.id)
                writer.add_document(tantivy_document(document))
                written += 1
            writer.commit()
        except BaseException:
            writer.rollback()
            raise
        finally:
            writer.wait_merging_threads()  # releases Tantivy's own writer lock
        return written

    def rebuild(
        self,
        documents: Iterable[SearchDocument],
        vectors_for: Callable[[list[SearchDocument]], list[DocumentVectors]] | None = None,
    ) -> int:
        """A new generation from these documents and their vectors, swapped in; older
        generations removed."""
        with self._write_lock():
            generation = self._new_generation()
            store = VectorStore(self.root / generation / "vectors")
            try:
                count = 0
                index = tantivy.Index.open(str(self.root / generation))
                for batch in batched(documents, REBUILD_BATCH):
                    count += self._write_into(index, batch, ())
                    if vectors_for is not None:
                        _write_by_model(store, vectors_for(batch), merge=False)
                store.merge()
            except BaseException:
                shutil.rmtree(self.root / generation, ignore_errors=True)
                raise
            self._point_current_at(generation)
            self._remove_old_generations(keep=generation)
        return count

    def _remove_old_generations(self, keep: str) -> None:
        # Open readers elsewhere keep their mmapped files until they reopen (POSIX unlink).
        for path in self.root.glob("gen-*"):
            if path.name != keep:
                shutil.rmtree(path, ignore_errors=True)
