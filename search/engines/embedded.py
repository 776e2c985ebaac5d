"""The default search engine: a Tantivy index on local disk, analysed in Python.

Layout under the index directory:
    CURRENT            name of the live generation directory (replaced atomically on rebuild)
    gen-<stamp>/       one Tantivy index per generation
    write.lock         fcntl lock: one writer at a time across web and worker processes

Text is analysed by search.analysis (kiwi for Korean, stemming for the rest) and stored as
whitespace-separated terms in "*_terms" fields; originals travel in a stored JSON payload.
Queries are built from analysed terms, never from raw query syntax, so no input can raise.

Everything that scales with the number of matches runs inside Tantivy: facet counts and
totals are aggregations, translations collapse on numeric fast fields over the top hits
only, and date order is a fast field. Python touches just the page of hits it shows, so a
query costs about the same at 1,000 and at 100,000 documents (docs/performance.md).

Translation groups are counted with Tantivy's cardinality aggregation: exact for small
result sets and an estimate within about 1% above a few hundred, as Elasticsearch's is.
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
import zlib
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

import tantivy

from search.analysis import analyse
from search.engines.base import (
    FACET_FIELDS,
    HIGHLIGHT_END,
    HIGHLIGHT_START,
    SNIPPET_SOURCE_CHARS,
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
WORD_CHAR = re.compile(r"\w", re.UNICODE)
# The stored document keeps only what snippets read of its long texts: a hit's document is
# read and parsed whole, and the index finds words anywhere in the full text anyway.
STORED_TEXT_FIELDS = ("summary", "body", "attachments_text")
# Bumped whenever the schema or the analysis changes (4: CJK bigrams): an index of another
# format must be rebuilt.
INDEX_FORMAT = "4"
FORMAT_FILE = "cac-index-format"
MAX_PREFIX_CHARS = 20  # autocomplete completes words up to this long
FACET_BUCKETS = 200  # values listed per facet
BROWSE_CACHE_ENTRIES = 256
LARGE_RESULT = 20_000  # matches above which per-facet group counts are estimated
SUGGEST_CANDIDATES = 40
SPELLING_MIN_DOCS = 1


def _bigram_field(field_name: str) -> str:
    return field_name.replace("_terms", "_bigrams")


def _bigrams(terms: list[str] | tuple[str, ...]) -> list[str]:
    # Terms never hold "_": the analysers split on non-word characters and Hangul runs.
    return [f"{first}_{second}" for first, second in zip(terms, terms[1:], strict=False)]


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", stored=True, tokenizer_name="raw")
    builder.add_text_field("fingerprint", stored=True, tokenizer_name="raw", index_option="basic")
    for field_name in FIELD_BOOSTS:
        builder.add_text_field(field_name, tokenizer_name="whitespace", index_option="freq")
        # Adjacent term pairs ("self_isol"): a phrase becomes term lookups, which cost a
        # tenth of a positional phrase query on a large index.
        builder.add_text_field(
            _bigram_field(field_name), tokenizer_name="whitespace", index_option="freq"
        )
    # Every prefix of the title's words and terms, for autocomplete.
    builder.add_text_field("title_prefixes", tokenizer_name="whitespace", index_option="basic")
    # Lower-cased surface words (not stems), the vocabulary for spelling suggestions.
    builder.add_text_field("words", tokenizer_name="whitespace", index_option="basic")
    for facet in FACET_FIELDS:
        builder.add_text_field(facet, tokenizer_name="raw", index_option="basic", fast=True)
    # The translation group as text (filters, exact counts) and as a number (collapsing).
    builder.add_text_field("group", tokenizer_name="raw", index_option="basic", fast=True)
    builder.add_unsigned_field("group_code", fast=True)
    builder.add_unsigned_field("date_order", fast=True)
    builder.add_bytes_field("payload", stored=True)
    return builder.build()


SCHEMA = _schema()


def _code(text: str) -> int:
    """A stable 64-bit number for a string, so fast fields can carry it."""
    digest = zlib.crc32(text.encode()) << 32
    return digest | zlib.adler32(text.encode())


def _group(document: SearchDocument) -> str:
    return document.translation_key or document.id


def _document_year(document: SearchDocument) -> str:
    when = document.started or (document.published.date() if document.published else None)
    return str(when.year) if when else ""


def _date_order(document: SearchDocument) -> int:
    """Newest first by start date, else publication date; ties broken by a hash of the id,
    so the order is total and pages never overlap."""
    when = document.started or (document.published.date() if document.published else None)
    days = when.toordinal() if when else 0
    return (days << 32) | zlib.crc32(document.id.encode())


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
        **{name: getattr(document, name)[:SNIPPET_SOURCE_CHARS] for name in STORED_TEXT_FIELDS},
        "topics": list(document.topics),
        "started": document.started.isoformat() if document.started else None,
        "published": document.published.isoformat() if document.published else None,
    }
    return json.dumps(data, ensure_ascii=False).encode()


def _document_from_payload(raw: bytes) -> SearchDocument:
    """The stored document; its summary, body and attachment text cut to SNIPPET_SOURCE_CHARS
    (an index written before that cut holds them whole, until it is rebuilt)."""
    data = json.loads(raw)
    data["topics"] = tuple(data["topics"])
    data["started"] = date.fromisoformat(data["started"]) if data["started"] else None
    data["published"] = datetime.fromisoformat(data["published"]) if data["published"] else None
    return SearchDocument(**data)


def _prefixes(words: Iterable[str]) -> str:
    prefixes = set()
    for word in words:
        for end in range(1, min(len(word), MAX_PREFIX_CHARS) + 1):
            prefixes.add(word[:end])
    return " ".join(sorted(prefixes))


def _surface_words(text: str) -> list[str]:
    return [word for word in WORD.findall(text.lower()) if not word.isdigit()]


def _tantivy_document(document: SearchDocument) -> tantivy.Document:
    doc = tantivy.Document()
    doc.add_text("id", document.id)
    doc.add_text("fingerprint", document.fingerprint)
    title_terms = analyse(document.title)
    for field_name, source in SOURCE_FIELDS.items():
        terms = title_terms if source == "title" else analyse(getattr(document, source))
        doc.add_text(field_name, " ".join(terms))
        doc.add_text(_bigram_field(field_name), " ".join(_bigrams(terms)))
    doc.add_text("title_prefixes", _prefixes([*title_terms, *_surface_words(document.title)]))
    vocabulary = " ".join([document.title, document.summary, document.body])
    doc.add_text("words", " ".join(dict.fromkeys(_surface_words(vocabulary))))
    for facet, values in _facet_values(document).items():
        for value in values:
            doc.add_text(facet, value)
    doc.add_text("group", _group(document))
    doc.add_unsigned("group_code", _code(_group(document)))
    doc.add_unsigned("date_order", _date_order(document))
    doc.add_bytes("payload", _payload(document))
    return doc


def edit_distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance with adjacent transpositions, giving up above `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, char_b in enumerate(b, 1):
            cost = char_a != char_b
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and char_a == b[j - 2] and a[i - 2] == char_b:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


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


@lru_cache(maxsize=50_000)
def _word_terms(word: str) -> frozenset[str]:
    return frozenset(analyse(word))


def _is_match(word: str, terms: set[str]) -> bool:
    # Cheap pre-check before analysing: a stem's first letters occur in the word itself
    # ("studi" -> "stud" in "study"); Korean stems that change form may go unmarked.
    lowered = word.lower()
    return any(term[:4] in lowered for term in terms) and not terms.isdisjoint(_word_terms(word))


@lru_cache(maxsize=256)
def _prefix_finder(prefixes: frozenset[str]) -> re.Pattern[str]:
    alternatives = sorted(prefixes, key=len, reverse=True)
    return re.compile("|".join(re.escape(prefix) for prefix in alternatives), re.IGNORECASE)


def _matching_words(text: str, terms: set[str], start: int, end: int) -> Iterator[re.Match]:
    """The words of text[start:end] that match `terms`, in order.

    A regular expression jumps to the words that hold a term's first letters (_is_match's
    pre-check), so the words between cost nothing in Python; only those are analysed.
    """
    prefixes = frozenset(term[:4] for term in terms if term)
    if not prefixes:
        return
    finder = _prefix_finder(prefixes)
    position = start
    while (candidate := finder.search(text, position, end)) is not None:
        begin = candidate.start()
        while begin > position and WORD_CHAR.match(text, begin - 1):
            begin -= 1
        word = WORD.match(text, begin, end)
        if word is None:  # a prefix that starts with a non-word character
            position = candidate.start() + 1
            continue
        if _is_match(word.group(), terms):
            yield word
        position = word.end()


def highlight(
    text: str,
    terms: set[str],
    max_chars: int = SNIPPET_CHARS,
    max_source_chars: int = SNIPPET_SOURCE_CHARS,
) -> str:
    """An escaped extract of `text` around its first match, matched words in marks.

    Matches are looked for in the first `max_source_chars` characters only, so the cost is
    bounded whatever the text's length; without a match there, the extract is the text's start.
    """
    if not text:
        return ""
    source_end = min(len(text), max_source_chars)
    first = next(_matching_words(text, terms, 0, source_end), None) if terms else None
    start = 0
    if first is not None:
        start = max(0, first.start() - max_chars // 4)
        while start > 0 and not text[start - 1].isspace():
            start -= 1
    end = min(len(text), start + max_chars)
    while end < len(text) and not text[end].isspace() and end - start < max_chars + 30:
        end += 1
    spans = []
    if first is not None:
        spans.append(first.span())
        for match in _matching_words(text, terms, first.end(), source_end):
            if match.end() > end:
                break
            spans.append(match.span())
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


@dataclass(frozen=True)
class _Snapshot:
    stamp: tuple
    searcher: tantivy.Searcher
    browse_counts: dict = field(default_factory=dict)  # filters -> (total, facets)


@dataclass(frozen=True)
class _Match:
    """One hit of the ranking, before its stored document is read."""

    address: tantivy.DocAddress
    score: float


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
                self._check_format(path)
                index = tantivy.Index.open(str(path))
                self._snapshot_cache = _Snapshot(stamp=stamp, searcher=index.searcher())
            return self._snapshot_cache

    def _write(self, documents: Iterable[SearchDocument], ids_to_delete: Iterable[str]) -> None:
        with self._write_lock():
            path = self.root / self._ensure_generation()
            self._check_format(path)
            self._write_into(tantivy.Index.open(str(path)), documents, ids_to_delete)

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

    # -- writing -------------------------------------------------------------------------

    def index(self, documents: Iterable[SearchDocument]) -> None:
        documents = list(documents)
        if documents:
            self._write(documents, ())

    def delete(self, ids: Iterable[str]) -> None:
        ids = list(ids)
        if ids:
            self._write((), ids)

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

    # -- status --------------------------------------------------------------------------

    def count(self) -> int:
        return self._snapshot().searcher.num_docs

    def health(self) -> EngineHealth:
        try:
            documents = self.count()
        except Exception as error:  # health reports, it never raises
            return EngineHealth(ok=False, engine=self.name, detail=str(error))
        return EngineHealth(ok=True, engine=self.name, documents=documents, detail=str(self.root))

    def indexed_versions(self) -> dict[str, str]:
        searcher = self._snapshot().searcher
        if not searcher.num_docs:
            return {}
        result = searcher.search(tantivy.Query.all_query(), limit=searcher.num_docs, count=False)
        versions = {}
        for _score, address in result.hits:
            stored = searcher.doc(address)
            versions[stored.get_first("id")] = stored.get_first("fingerprint") or ""
        return versions

    # -- queries -------------------------------------------------------------------------

    def synonym_groups(self) -> list[tuple[str, ...]]:
        if self._synonyms is not None:
            return self._synonyms
        from search.synonyms import synonym_groups

        return synonym_groups()

    @staticmethod
    def _text_query(units: QueryUnits) -> tantivy.Query:
        must = []
        for alternatives in units:
            # A phrase containing a term that is itself an alternative finds nothing more.
            single = {alternative[0] for alternative in alternatives if len(alternative) == 1}
            should = []
            for alternative in alternatives:
                if len(alternative) > 1 and single.intersection(alternative):
                    continue
                for field_name, boost in FIELD_BOOSTS.items():
                    query = EmbeddedEngine._phrase_query(field_name, alternative)
                    should.append((tantivy.Occur.Should, tantivy.Query.boost_query(query, boost)))
            must.append((tantivy.Occur.Must, tantivy.Query.boolean_query(should)))
        return tantivy.Query.boolean_query(must)

    @staticmethod
    def _phrase_query(field_name: str, terms: tuple[str, ...]) -> tantivy.Query:
        """One term, or a phrase as all of its adjacent pairs (exact for two terms, and for
        longer phrases a match unless the pairs occur apart)."""
        if len(terms) == 1:
            return tantivy.Query.term_query(SCHEMA, field_name, terms[0])
        pairs = [
            (tantivy.Occur.Must, tantivy.Query.term_query(SCHEMA, _bigram_field(field_name), pair))
            for pair in dict.fromkeys(_bigrams(terms))
        ]
        return pairs[0][1] if len(pairs) == 1 else tantivy.Query.boolean_query(pairs)

    @staticmethod
    def _filter_clause(field_name: str, values: Iterable[str]) -> tuple:
        # Exact terms that filter without changing the score.
        term_set = tantivy.Query.term_set_query(SCHEMA, field_name, [str(v) for v in values])
        return (tantivy.Occur.Must, tantivy.Query.const_score_query(term_set, 0.0))

    def _query(self, units: QueryUnits, filters: dict[str, tuple[str, ...]]) -> tantivy.Query:
        clauses = [
            (tantivy.Occur.Must, self._text_query(units) if units else tantivy.Query.all_query())
        ]
        clauses.extend(self._facet_filter_clauses(filters))
        return tantivy.Query.boolean_query(clauses)

    @staticmethod
    def _facet_filter_clauses(filters: dict[str, tuple[str, ...]]) -> list[tuple]:
        clauses = []
        for name, values in filters.items():
            values = (values,) if isinstance(values, str) else tuple(values)
            if name in FACET_FIELDS and values:
                clauses.append(EmbeddedEngine._filter_clause(name, values))
        return clauses

    def search(self, request: SearchRequest) -> SearchResponse:
        started = time.perf_counter()
        snapshot = self._snapshot()
        searcher = snapshot.searcher
        units = expand_query(request.query or "", self.synonym_groups())
        # Text that yields no terms ("*", punctuation) matches nothing; only a blank query
        # browses everything (with filters).
        browsing = not (request.query or "").strip()
        if not (units or browsing) or not searcher.num_docs:
            return self._empty_response(started, searcher, request, units)
        query = self._query(units, request.filters)
        page_size = max(1, min(request.page_size, 100))
        page = max(1, request.page)

        matched, ranking = self._ranking(searcher, query, request, needed=page * page_size)
        if not matched:
            return self._empty_response(started, searcher, request, units)
        total, facets = self._counts(snapshot, query, matched, request, browsing)
        page_documents = [
            (match, _document_from_payload(searcher.doc(match.address).get_first("payload")))
            for match in ranking[(page - 1) * page_size : page * page_size]
        ]
        if request.collapse_translations:
            page_documents = self._prefer_language(searcher, page_documents, request)

        highlight_terms = {term for unit in units for alt in unit for term in alt}
        hits = [
            _hit(document, self._snippet(document, highlight_terms), match.score)
            for match, document in page_documents
        ]
        took_ms = (time.perf_counter() - started) * 1000
        return SearchResponse(total=total, hits=hits, facets=facets, took_ms=took_ms)

    def _empty_response(self, started, searcher, request, units) -> SearchResponse:
        suggestion = self._spelling_suggestion(searcher, request) if units else ""
        return SearchResponse(
            total=0,
            hits=[],
            facets={name: [] for name in FACET_FIELDS},
            took_ms=(time.perf_counter() - started) * 1000,
            suggestion=suggestion,
        )

    def _counts(
        self,
        snapshot: _Snapshot,
        query: tantivy.Query,
        matched: int,
        request: SearchRequest,
        browsing: bool,
    ) -> tuple[int, dict[str, list[FacetCount]]]:
        """The total and facet counts, computed inside Tantivy by aggregations.

        Uncollapsed, they count documents. Collapsed, they count translation groups with
        Tantivy's cardinality estimate (exact for small sets, within about 1% above a few
        hundred), which costs ~0.1 us per document and facet. Past LARGE_RESULT matches, the
        per-facet group counts are instead estimated from document counts and the overall
        ratio of groups to documents, so a query matching most of a large corpus stays fast.
        A browse (no query text) is the same for every visitor until the next commit, so
        its counts are computed exactly and kept with the snapshot.
        """
        collapse = request.collapse_translations
        cache_key = (tuple(sorted(request.filters.items())), collapse) if browsing else None
        if cache_key is not None and cache_key in snapshot.browse_counts:
            return snapshot.browse_counts[cache_key]
        per_bucket_groups = collapse and (browsing or matched <= LARGE_RESULT)
        group_cardinality = {"cardinality": {"field": "group_code"}}
        aggregations: dict = {}
        for facet in FACET_FIELDS:
            aggregations[facet] = {"terms": {"field": facet, "size": FACET_BUCKETS}}
            # Each translation group has at most one document per locale.
            if per_bucket_groups and facet != "locale":
                aggregations[facet]["aggs"] = {"groups": group_cardinality}
        if collapse:
            aggregations["groups"] = group_cardinality
        result = snapshot.searcher.aggregate(query, aggregations)

        total = round(result["groups"]["value"]) if collapse else matched
        total = min(max(total, 1), matched)  # the estimate never beats what it estimates
        ratio = total / matched

        def bucket_count(facet: str, bucket: dict) -> int:
            if "groups" in bucket:
                return max(1, min(round(bucket["groups"]["value"]), bucket["doc_count"]))
            if not collapse or facet == "locale":
                return int(bucket["doc_count"])
            return max(1, round(bucket["doc_count"] * ratio))

        facets: dict[str, list[FacetCount]] = {}
        for facet in FACET_FIELDS:
            counts = [
                FacetCount(str(bucket["key"]), bucket_count(facet, bucket))
                for bucket in result[facet]["buckets"]
            ]
            facets[facet] = sorted(counts, key=lambda c: (-c.count, c.value))
        if cache_key is not None and len(snapshot.browse_counts) < BROWSE_CACHE_ENTRIES:
            snapshot.browse_counts[cache_key] = (total, facets)
        return total, facets

    @staticmethod
    def _ranking(
        searcher: tantivy.Searcher, query: tantivy.Query, request: SearchRequest, needed: int
    ) -> tuple[int, list[_Match]]:
        """How many documents match, and the first `needed` hits in order (one per
        translation group when collapsing).

        Only the top of the ranking is read; when collapsing leaves too few groups, it
        reads four times as deep and tries again.
        """
        limit = needed * 2 + 10 if request.collapse_translations else needed
        matched = None
        while True:
            order = {"order_by_field": "date_order"} if request.sort == "date" else {}
            result = searcher.search(query, limit=limit, count=matched is None, **order)
            if matched is None:
                matched = result.count
            addresses = [address for _key, address in result.hits]
            scores = [0.0 if order else key for key, _address in result.hits]
            groups = searcher.fast_field_values("group_code", addresses)
            ranking: list[_Match] = []
            seen: set[int] = set()
            for address, score, group in zip(addresses, scores, groups, strict=True):
                if request.collapse_translations:
                    if group in seen:
                        continue
                    seen.add(group)
                ranking.append(_Match(address, score))
            exhausted = len(result.hits) < limit
            if len(ranking) >= needed or exhausted:
                return matched, ranking
            limit *= 4

    @staticmethod
    def _prefer_language(
        searcher: tantivy.Searcher,
        page: list[tuple[_Match, SearchDocument]],
        request: SearchRequest,
    ) -> list[tuple[_Match, SearchDocument]]:
        """Each group's translation in the visitor's language, where one exists.

        The group matched through some member; its hit shows the visitor's translation
        (within the request's filters) in the group's place and with its best score. Looking
        translations up by group and locale alone costs far less than re-running the text
        query, whose matching already happened.
        """
        language = request.language
        groups = {_group(document) for _match, document in page if document.locale != language}
        if not groups:
            return page
        clauses = [
            EmbeddedEngine._filter_clause("group", sorted(groups)),
            EmbeddedEngine._filter_clause("locale", [language]),
        ]
        clauses.extend(EmbeddedEngine._facet_filter_clauses(request.filters))
        result = searcher.search(
            tantivy.Query.boolean_query(clauses), limit=len(groups), count=False
        )
        swaps = {}
        for _score, address in result.hits:
            document = _document_from_payload(searcher.doc(address).get_first("payload"))
            swaps[_group(document)] = document
        return [(match, swaps.get(_group(document), document)) for match, document in page]

    @staticmethod
    def _snippet(document: SearchDocument, terms: set[str]) -> str:
        texts = [document.summary, document.body, document.attachments_text]
        if terms:
            for text in texts:
                snippet = highlight(text, terms)
                if HIGHLIGHT_START in snippet:
                    return snippet
        return highlight(next((text for text in texts if text), ""), set())

    # -- spelling ------------------------------------------------------------------------

    def _spelling_suggestion(self, searcher: tantivy.Searcher, request: SearchRequest) -> str:
        """The query with unknown words replaced by the closest frequent indexed word, if the
        corrected query finds something; "" otherwise."""
        text = (request.query or "")[:MAX_QUERY_CHARS]
        words = WORD.findall(text.lower())
        if not words or len(words) > 8:
            return ""
        corrected, changed = [], False
        for word in words:
            replacement = self._closest_word(searcher, word)
            corrected.append(replacement or word)
            changed = changed or bool(replacement)
        if not changed:
            return ""
        suggestion = " ".join(corrected)
        units = expand_query(suggestion, self.synonym_groups())
        if not units:
            return ""
        found = searcher.search(self._query(units, request.filters), limit=1, count=True).count
        return suggestion if found >= SPELLING_MIN_DOCS else ""

    @staticmethod
    def _closest_word(searcher: tantivy.Searcher, word: str) -> str:
        """A known word one or two edits away from an unknown `word`, the most frequent first."""
        if word.isdigit() or len(word) < 3 or searcher.doc_freq("words", word):
            return ""
        limit = 1 if len(word) <= 5 else 2
        candidates = []
        # Typos rarely hit the first letter; reading one letter's words keeps this cheap.
        for candidate, frequency in searcher.terms_with_prefix("words", word[0]):
            if abs(len(candidate) - len(word)) > limit:
                continue
            distance = edit_distance(word, candidate, limit)
            if distance <= limit:
                candidates.append((distance, -frequency, candidate))
        return min(candidates)[2] if candidates else ""

    # -- autocomplete and related --------------------------------------------------------

    def suggest(self, prefix: str, language: str = "en", limit: int = 8) -> list[str]:
        prefix = (prefix or "").replace("\x00", " ").strip()[:MAX_QUERY_CHARS]
        if not prefix:
            return []
        searcher = self._snapshot().searcher
        lowered = prefix.lower()
        # The last typed word is incomplete: it must begin a title word or term; the words
        # before it must be title terms.
        terms = analyse(prefix, for_query=True)
        complete_terms = terms[:-1] if terms else []
        partial_forms = {word for word in _surface_words(lowered)[-1:]}
        if terms:
            partial_forms.add(terms[-1])
        partial_forms = {form[:MAX_PREFIX_CHARS] for form in partial_forms if form}
        if not partial_forms:
            return []
        partial = tantivy.Query.term_set_query(SCHEMA, "title_prefixes", sorted(partial_forms))
        clauses = [(tantivy.Occur.Must, partial)]
        for term in complete_terms[:MAX_QUERY_UNITS]:
            clauses.append(
                (tantivy.Occur.Must, tantivy.Query.term_query(SCHEMA, "title_terms", term))
            )
        result = searcher.search(
            tantivy.Query.boolean_query(clauses), limit=SUGGEST_CANDIDATES, count=False
        )
        scored = []
        for _score, address in result.hits:
            document = _document_from_payload(searcher.doc(address).get_first("payload"))
            title = document.title
            rank = (
                document.locale != language,
                not title.lower().startswith(lowered),
                len(title),
                title,
            )
            scored.append((rank, title))
        return list(dict.fromkeys(title for _rank, title in sorted(scored)))[:limit]

    def more_like_this(self, document_id: str, limit: int = 5) -> list[SearchHit]:
        searcher = self._snapshot().searcher
        own = searcher.search(tantivy.Query.term_query(SCHEMA, "id", document_id), limit=1)
        if not own.hits:
            return []
        source = _document_from_payload(searcher.doc(own.hits[0][1]).get_first("payload"))
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
        # Never the source itself nor its translations.
        query = tantivy.Query.boolean_query(
            [
                (tantivy.Occur.Must, tantivy.Query.boolean_query(should)),
                (
                    tantivy.Occur.MustNot,
                    tantivy.Query.term_query(SCHEMA, "group", _group(source)),
                ),
            ]
        )
        result = searcher.search(query, limit=limit * 4 + 10, count=False)
        hits, seen_groups = [], set()
        for score, address in result.hits:
            document = _document_from_payload(searcher.doc(address).get_first("payload"))
            if _group(document) in seen_groups:
                continue
            seen_groups.add(_group(document))
            hits.append(_hit(document, highlight(document.summary or document.body, set()), score))
            if len(hits) >= limit:
                break
        return hits
