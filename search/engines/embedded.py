"""The default search engine: a Tantivy index on local disk, analysed in Python.

Layout under the index directory:
    CURRENT            name of the live generation directory (replaced atomically on rebuild)
    gen-<stamp>/       one Tantivy index per generation
    write.lock         fcntl lock: one writer at a time across web and worker processes

Text is analysed by search.analysis (kiwi for Korean, stemming for the rest) and stored as
whitespace-separated terms in "*_terms" fields; originals travel in a stored JSON payload.
Queries are built from analysed terms, never from raw query syntax, so no input can raise.

Facets, collapsing of translations and date sorting are computed in Python over the matching
doc set, using a per-generation cache of each document's metadata: our corpus is thousands of
documents, and this keeps one code path for counts, totals and pages.
"""

from __future__ import annotations

import fcntl
import html
import json
import math
import os
import re
import shutil
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from itertools import chain
from pathlib import Path

import tantivy

from ..analysis import analyse
from .base import (
    FACET_FIELDS,
    HIGHLIGHT_END,
    HIGHLIGHT_START,
    EngineHealth,
    EngineUnavailable,
    FacetCount,
    SearchDocument,
    SearchEngine,
    SearchHit,
    SearchRequest,
    SearchResponse,
)

# Analysed fields and how much a match in each counts.
FIELD_BOOSTS = {
    "title_terms": 3.0,
    "summary_terms": 1.5,
    "body_terms": 1.0,
    "attachments_terms": 0.7,
}
SOURCE_FIELDS = {
    "title_terms": "title",
    "summary_terms": "summary",
    "body_terms": "body",
    "attachments_terms": "attachments_text",
}
MAX_QUERY_CHARS = 500  # longer input is cut: nobody types more, and it bounds query cost
MAX_QUERY_UNITS = 32
SNIPPET_CHARS = 220
WRITER_HEAP_BYTES = 50_000_000
WORD = re.compile(r"\w+", re.UNICODE)


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", stored=True, tokenizer_name="raw")
    for field_name in FIELD_BOOSTS:
        builder.add_text_field(field_name, tokenizer_name="whitespace", index_option="position")
    for facet in FACET_FIELDS:
        builder.add_text_field(facet, tokenizer_name="raw", index_option="basic")
    builder.add_text_field("translation_key", tokenizer_name="raw", index_option="basic")
    builder.add_bytes_field("payload", stored=True)
    return builder.build()


SCHEMA = _schema()


@dataclass(frozen=True)
class _Meta:
    """What search needs of a document without touching Tantivy's store again."""

    document: SearchDocument
    facets: dict[str, tuple[str, ...]]
    facet_pairs: tuple[tuple[str, str], ...]  # (facet, value): counted in one C-level pass
    title_terms: tuple[str, ...]
    group: str  # translation group, or the id for a page without one
    date_key: tuple[str, str]
    title_lower: str


@dataclass(frozen=True)
class _Snapshot:
    stamp: tuple
    searcher: tantivy.Searcher
    metas: dict[tuple[int, int], _Meta]
    by_id: dict[str, tuple[int, int]]


def _document_year(document: SearchDocument) -> str:
    when = document.started or (document.published.date() if document.published else None)
    return str(when.year) if when else ""


def _facet_values(document: SearchDocument) -> dict[str, tuple[str, ...]]:
    values = {
        "topic": tuple(document.topics),
        "kind": (document.kind or document.content_type,),
        "country": (document.country,),
        "city": (document.city,),
        "locale": (document.locale,),
        "year": (_document_year(document),),
    }
    return {name: tuple(v for v in vals if v) for name, vals in values.items()}


def _payload(document: SearchDocument) -> bytes:
    data = {
        **document.__dict__,
        "topics": list(document.topics),
        "started": document.started.isoformat() if document.started else None,
        "published": document.published.isoformat() if document.published else None,
    }
    return json.dumps(data, ensure_ascii=False).encode()


def _document_from_payload(raw: bytes) -> SearchDocument:
    data = json.loads(raw)
    data["topics"] = tuple(data["topics"])
    data["started"] = date.fromisoformat(data["started"]) if data["started"] else None
    data["published"] = datetime.fromisoformat(data["published"]) if data["published"] else None
    return SearchDocument(**data)


def _tantivy_document(document: SearchDocument) -> tantivy.Document:
    doc = tantivy.Document()
    doc.add_text("id", document.id)
    doc.add_text("translation_key", document.translation_key)
    for field_name, source in SOURCE_FIELDS.items():
        doc.add_text(field_name, " ".join(analyse(getattr(document, source))))
    for facet, values in _facet_values(document).items():
        for value in values:
            doc.add_text(facet, value)
    doc.add_bytes("payload", _payload(document))
    return doc


# A query is a list of units that must all match; a unit is alternatives (synonyms), each
# alternative a sequence of terms (a phrase when longer than one).
QueryUnits = list[list[tuple[str, ...]]]


@lru_cache(maxsize=8)
def _analysed_synonyms(synonyms: tuple[tuple[str, ...], ...]) -> list[list[tuple[str, ...]]]:
    """Each group's terms as analysed term sequences; cached as the list rarely changes."""
    groups = []
    for group in synonyms:
        alternatives = dict.fromkeys(tuple(analyse(term, for_query=True)) for term in group)
        groups.append([alt for alt in alternatives if alt])
    return groups


def expand_query(text: str, synonyms: Iterable[tuple[str, ...]]) -> QueryUnits:
    """Analysed query terms, each grouped with its synonyms (multi-word ones as phrases)."""
    terms = analyse(text[:MAX_QUERY_CHARS], for_query=True)
    groups = _analysed_synonyms(tuple(tuple(group) for group in synonyms))
    units: QueryUnits = []
    position = 0
    while position < len(terms) and len(units) < MAX_QUERY_UNITS:
        best: tuple[int, list[tuple[str, ...]]] | None = None
        for alternatives in groups:
            for alt in alternatives:
                if tuple(terms[position : position + len(alt)]) == alt and (
                    best is None or len(alt) > best[0]
                ):
                    best = (len(alt), alternatives)
        if best:
            units.append(best[1])
            position += best[0]
        else:
            units.append([(terms[position],)])
            position += 1
    return units


def highlight(text: str, terms: set[str], max_chars: int = SNIPPET_CHARS) -> str:
    """An escaped extract of `text` around its first match, matched words in marks."""
    if not text:
        return ""
    spans = []
    for match in WORD.finditer(text):
        word = match.group()
        # Cheap pre-check before analysing: a stem's first letters occur in the word itself
        # ("studi" -> "stud" in "study"); Korean stems that change form may go unmarked.
        lowered = word.lower()
        if any(term[:4] in lowered for term in terms) and terms.intersection(analyse(word)):
            spans.append((match.start(), match.end()))
    start = 0
    if spans:
        start = max(0, spans[0][0] - max_chars // 4)
        while start > 0 and not text[start - 1].isspace():
            start -= 1
    end = min(len(text), start + max_chars)
    while end < len(text) and not text[end].isspace() and end - start < max_chars + 30:
        end += 1
    parts = ["…"] if start > 0 else []
    cursor = start
    for span_start, span_end in spans:
        if span_start < start or span_end > end:
            continue
        parts.append(html.escape(text[cursor:span_start]))
        parts.append(HIGHLIGHT_START + html.escape(text[span_start:span_end]) + HIGHLIGHT_END)
        cursor = span_end
    parts.append(html.escape(text[cursor:end]))
    if end < len(text):
        parts.append("…")
    return "".join(parts).strip()


def _date_key(document: SearchDocument) -> tuple[str, str]:
    """Newest first by start date, else publication date; the id breaks ties stably."""
    when = document.published.isoformat() if document.published else ""
    if document.started:
        when = document.started.isoformat()
    return (when, document.id)


def _hit(document: SearchDocument, snippet: str, score: float) -> SearchHit:
    return SearchHit(
        id=document.id,
        translation_key=document.translation_key,
        locale=document.locale,
        url=document.url,
        title=document.title,
        snippet=snippet,
        content_type=document.content_type,
        kind=document.kind or document.content_type,
        topics=document.topics,
        city=document.city,
        country=document.country,
        started=document.started,
        score=score,
    )


class EmbeddedEngine(SearchEngine):
    name = "embedded"

    def __init__(self, index_dir: str | os.PathLike | None = None, synonyms=None):
        """`synonyms`: groups to expand queries with; by default search.synonyms, read live."""
        if index_dir is None:
            from django.conf import settings

            index_dir = settings.SEARCH_INDEX_DIR
        self.root = Path(index_dir)
        self._synonyms = synonyms
        self._state_lock = threading.Lock()
        self._snapshot_cache: _Snapshot | None = None

    # -- storage -------------------------------------------------------------------------

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
        return name

    def _point_current_at(self, generation: str) -> None:
        pointer = self.root / f"CURRENT.{uuid.uuid4().hex[:8]}.tmp"
        pointer.write_text(generation)
        os.replace(pointer, self.root / "CURRENT")  # atomic: readers see old or new, never half

    def _ensure_generation(self) -> str:
        """The live generation, creating an empty index on first use (under the write lock)."""
        generation = self._current_generation()
        if generation is None:
            generation = self._new_generation()
            self._point_current_at(generation)
        return generation

    def _snapshot(self) -> _Snapshot:
        """The live generation as of its last commit, reopened after commits or a rebuild swap."""
        for attempt in range(3):
            try:
                return self._open_snapshot()
            except (FileNotFoundError, ValueError, OSError) as error:
                # A rebuild elsewhere may have swapped and removed the generation just read.
                if attempt == 2:
                    raise EngineUnavailable(f"search index under {self.root}: {error}") from error
        raise AssertionError("unreachable")

    def _open_snapshot(self) -> _Snapshot:
        generation = self._current_generation()
        if generation is None:
            with self._write_lock():
                generation = self._ensure_generation()
        path = self.root / generation
        meta_stat = (path / "meta.json").stat()
        stamp = (generation, meta_stat.st_mtime_ns, meta_stat.st_ino, meta_stat.st_size)
        with self._state_lock:
            if self._snapshot_cache is None or self._snapshot_cache.stamp != stamp:
                index = tantivy.Index.open(str(path))
                self._snapshot_cache = self._load_snapshot(stamp, index.searcher())
            return self._snapshot_cache

    @staticmethod
    def _load_snapshot(stamp: tuple, searcher: tantivy.Searcher) -> _Snapshot:
        """Reads every document's metadata once per commit: doc addresses are only valid for
        this searcher, so the two are kept together."""
        metas: dict[tuple[int, int], _Meta] = {}
        by_id: dict[str, tuple[int, int]] = {}
        if searcher.num_docs:
            result = searcher.search(
                tantivy.Query.all_query(), limit=searcher.num_docs, count=False
            )
            for _score, address in result.hits:
                document = _document_from_payload(searcher.doc(address).get_first("payload"))
                key = (address.segment_ord, address.doc)
                facets = _facet_values(document)
                metas[key] = _Meta(
                    document=document,
                    facets=facets,
                    facet_pairs=tuple((n, v) for n, values in facets.items() for v in values),
                    title_terms=tuple(analyse(document.title)),
                    group=document.translation_key or document.id,
                    date_key=_date_key(document),
                    title_lower=document.title.lower(),
                )
                by_id[document.id] = key
        return _Snapshot(stamp=stamp, searcher=searcher, metas=metas, by_id=by_id)

    def _write(self, documents: Iterable[SearchDocument], ids_to_delete: Iterable[str]) -> None:
        with self._write_lock():
            index = tantivy.Index.open(str(self.root / self._ensure_generation()))
            self._write_into(index, documents, ids_to_delete)

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
                writer.add_document(_tantivy_document(document))
                written += 1
            writer.commit()
        except BaseException:
            writer.rollback()
            raise
        finally:
            writer.wait_merging_threads()  # releases Tantivy's own writer lock
        return written

    # -- the interface -------------------------------------------------------------------

    def index(self, documents: Iterable[SearchDocument]) -> None:
        documents = list(documents)
        if documents:
            self._write(documents, ())

    def delete(self, ids: Iterable[str]) -> None:
        ids = list(ids)
        if ids:
            self._write((), ids)

    def count(self) -> int:
        return self._snapshot().searcher.num_docs

    def health(self) -> EngineHealth:
        try:
            documents = self.count()
        except Exception as error:  # health reports, it never raises
            return EngineHealth(ok=False, engine=self.name, detail=str(error))
        return EngineHealth(ok=True, engine=self.name, documents=documents, detail=str(self.root))

    def rebuild(self, documents: Iterable[SearchDocument]) -> int:
        with self._write_lock():
            generation = self._new_generation()
            try:
                count = self._write_into(
                    tantivy.Index.open(str(self.root / generation)), documents, ()
                )
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

    def synonym_groups(self) -> list[tuple[str, ...]]:
        if self._synonyms is not None:
            return self._synonyms
        from ..synonyms import synonym_groups

        return synonym_groups()

    def _query(self, units: QueryUnits) -> tantivy.Query:
        must = []
        for alternatives in units:
            should = []
            for alternative in alternatives:
                for field_name, boost in FIELD_BOOSTS.items():
                    if len(alternative) == 1:
                        query = tantivy.Query.term_query(SCHEMA, field_name, alternative[0])
                    else:
                        query = tantivy.Query.phrase_query(SCHEMA, field_name, list(alternative))
                    should.append((tantivy.Occur.Should, tantivy.Query.boost_query(query, boost)))
            must.append((tantivy.Occur.Must, tantivy.Query.boolean_query(should)))
        return tantivy.Query.boolean_query(must)

    def _matches(
        self, snapshot: _Snapshot, units: QueryUnits, filters: dict[str, tuple[str, ...]]
    ) -> list[tuple[float, _Meta]]:
        """Every document matching the terms and filters, best first (all when no terms)."""
        clauses = [(tantivy.Occur.Must, self._query(units) if units else tantivy.Query.all_query())]
        for name, values in filters.items():
            values = (values,) if isinstance(values, str) else tuple(values)
            if name in FACET_FIELDS and values:
                # Exact facet terms; they filter without changing the score.
                term_set = tantivy.Query.term_set_query(SCHEMA, name, [str(v) for v in values])
                clauses.append((tantivy.Occur.Must, tantivy.Query.const_score_query(term_set, 0.0)))
        query = tantivy.Query.boolean_query(clauses)
        searcher = snapshot.searcher
        result = searcher.search(query, limit=max(searcher.num_docs, 1), count=False)
        metas = snapshot.metas
        found = ((score, metas.get((a.segment_ord, a.doc))) for score, a in result.hits)
        return [(score, meta) for score, meta in found if meta is not None]

    def search(self, request: SearchRequest) -> SearchResponse:
        started = time.perf_counter()
        snapshot = self._snapshot()
        units = expand_query(request.query or "", self.synonym_groups())
        # Text that yields no terms ("*", punctuation) matches nothing; only a blank query
        # browses everything (with filters).
        browsing = not (request.query or "").strip()
        matches = self._matches(snapshot, units, request.filters) if units or browsing else []
        if request.collapse_translations:
            matches = self._collapse(matches, request.language)
        if request.sort == "date":
            matches.sort(key=lambda match: match[1].date_key, reverse=True)
        else:
            matches.sort(key=lambda match: (-match[0], match[1].document.id))

        pair_counts = Counter(chain.from_iterable(meta.facet_pairs for _score, meta in matches))
        facets: dict[str, list[FacetCount]] = {name: [] for name in FACET_FIELDS}
        for (name, value), count in sorted(pair_counts.items(), key=lambda i: (-i[1], i[0][1])):
            facets[name].append(FacetCount(value, count))

        page_size = max(1, min(request.page_size, 100))
        page = max(1, request.page)
        page_matches = matches[(page - 1) * page_size : page * page_size]
        highlight_terms = {term for unit in units for alt in unit for term in alt}
        hits = [
            _hit(meta.document, self._snippet(meta.document, highlight_terms), score)
            for score, meta in page_matches
        ]
        took_ms = (time.perf_counter() - started) * 1000
        return SearchResponse(total=len(matches), hits=hits, facets=facets, took_ms=took_ms)

    @staticmethod
    def _collapse(matches: list[tuple[float, _Meta]], language: str) -> list[tuple[float, _Meta]]:
        """One match per translation group: the visitor's language if present, else the best.

        The group keeps its best score, so a translation does not rank lower than its original.
        """
        # Matches arrive best first, so the first member seen holds the group's best score.
        best: dict[str, tuple[float, _Meta]] = {}
        preferred: dict[str, _Meta] = {}
        for score, meta in matches:
            if meta.group not in best:
                best[meta.group] = (score, meta)
            if meta.document.locale == language and meta.group not in preferred:
                preferred[meta.group] = meta
        return [(score, preferred.get(group, meta)) for group, (score, meta) in best.items()]

    @staticmethod
    def _snippet(document: SearchDocument, terms: set[str]) -> str:
        texts = [document.summary, document.body, document.attachments_text]
        if terms:
            for text in texts:
                snippet = highlight(text, terms)
                if HIGHLIGHT_START in snippet:
                    return snippet
        return highlight(next((text for text in texts if text), ""), set())

    def suggest(self, prefix: str, language: str = "en", limit: int = 8) -> list[str]:
        prefix = (prefix or "").replace("\x00", " ").strip()[:MAX_QUERY_CHARS]
        if not prefix:
            return []
        snapshot = self._snapshot()
        lowered = prefix.lower()
        terms = analyse(prefix, for_query=True)
        # The last typed word is incomplete: match it as a prefix of a title term, or of a word.
        complete_terms, partial = (terms[:-1], terms[-1]) if terms else ([], lowered)
        partial_word = lowered.split()[-1]
        scored = []
        for meta in snapshot.metas.values():
            title, title_lower = meta.document.title, meta.title_lower
            if partial_word not in title_lower and not any(
                term.startswith(partial) for term in meta.title_terms
            ):
                continue  # the common case, cheaply
            words = title_lower.split()
            if not all(term in meta.title_terms for term in complete_terms):
                continue
            if not (
                any(term.startswith(partial) for term in meta.title_terms)
                or any(word.startswith(partial_word) for word in words)
            ):
                continue
            rank = (
                meta.document.locale != language,
                not title_lower.startswith(lowered),
                len(title),
                title,
            )
            scored.append((rank, title))
        return list(dict.fromkeys(title for _rank, title in sorted(scored)))[:limit]

    def more_like_this(self, document_id: str, limit: int = 5) -> list[SearchHit]:
        snapshot = self._snapshot()
        searcher = snapshot.searcher
        key = snapshot.by_id.get(document_id)
        if key is None:
            return []
        source = snapshot.metas[key].document
        # The source's most distinctive terms (tf-idf), as one OR query.
        term_counts = Counter(
            analyse(" ".join([source.title, source.title, source.summary, source.body]))
        )
        total = max(searcher.num_docs, 1)
        weighted = []
        for term, tf in term_counts.items():
            df = max(searcher.doc_freq("body_terms", term), searcher.doc_freq("title_terms", term))
            weighted.append((tf * math.log(1 + total / (1 + df)), term))
        top_terms = [term for _weight, term in sorted(weighted, reverse=True)[:25]]
        if not top_terms:
            return []
        should = [
            (
                tantivy.Occur.Should,
                tantivy.Query.boost_query(
                    tantivy.Query.term_query(SCHEMA, field_name, term), boost
                ),
            )
            for term in top_terms
            for field_name, boost in FIELD_BOOSTS.items()
            if field_name != "attachments_terms"
        ]
        query = tantivy.Query.boolean_query(should)
        result = searcher.search(query, limit=limit * 4 + 10, count=False)
        group = source.translation_key or source.id
        hits, seen_groups = [], {group}
        for score, address in result.hits:
            meta = snapshot.metas.get((address.segment_ord, address.doc))
            if meta is None:
                continue
            document = meta.document
            document_group = document.translation_key or document.id
            if document_group in seen_groups:
                continue
            seen_groups.add(document_group)
            hits.append(_hit(document, highlight(document.summary or document.body, set()), score))
            if len(hits) >= limit:
                break
        return hits
