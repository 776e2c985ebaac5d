"""The default search engine: a Tantivy index on local disk, analysed in Python.

Everything that scales with the number of matches runs inside Tantivy: facet counts and
totals are aggregations, translations collapse on numeric fast fields over the top hits
only, and date order is a fast field. Python touches just the page of hits it shows, so a
query costs about the same at 1,000 and at 100,000 documents (docs/performance.md).

Translation groups are counted with Tantivy's cardinality aggregation: exact for small
result sets and an estimate within about 1% above a few hundred, as Elasticsearch's is.
"""

from __future__ import annotations

import html
import itertools
import logging
import math
import os
import time
from collections import Counter
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import tantivy
from django.conf import settings

from search.analysis import analyse
from search.engines.base import (
    FACET_FIELDS,
    DocumentVectors,
    EngineHealth,
    FacetCount,
    SearchDocument,
    SearchEngine,
    SearchHit,
    SearchRequest,
    SearchResponse,
    VectorLookup,
)
from search.engines.common import FACET_BUCKETS, shorten, started_day_bounds
from search.engines.embedded.highlight import snippet
from search.engines.embedded.query import (
    MAX_QUERY_CHARS,
    MAX_QUERY_UNITS,
    build_query,
    expand_query,
    filter_clause,
    highlight_terms,
    relaxed_text_query,
    request_filter_clauses,
)
from search.engines.embedded.schema import (
    FIELD_BOOSTS,
    MAX_PREFIX_CHARS,
    SCHEMA,
    code,
    group_of,
    stored_document,
    surface_words,
)
from search.engines.embedded.spelling import spelling_suggestion
from search.engines.embedded.storage import IndexDirectory, Snapshot
from search.engines.embedded.vectors import SemanticMatch
from search.engines.fusion import (
    FUSION_DEPTH,
    LEXICAL_WEIGHT,
    RRF_K,
    SEMANTIC_MIN_Z,
    SEMANTIC_WEIGHT,
    fuse,
)
from search.synonyms import synonym_groups

logger = logging.getLogger(__name__)

BROWSE_CACHE_ENTRIES = 256
LARGE_RESULT = 20_000  # matches above which per-facet group counts are estimated
SUGGEST_CANDIDATES = 40


def _address_key(address: tantivy.DocAddress) -> tuple[int, int]:
    return (address.segment_ord, address.doc)


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


def _bridges(request: SearchRequest) -> bool:
    """Whether the query's glossary terms alone may match (query.relaxed_text_query): for a
    visitor in another language than the site's own, whose words often have no translation
    in the English and Korean content. An English query keeps needing most of its words."""
    return request.language != settings.LANGUAGE_CODE


@dataclass(frozen=True)
class _Match:
    """One hit of the ranking, before its stored document is read. `key` is what fusion
    counts once: the translation group's code when collapsing, else the document's address.
    A document found by meaning alone is known by its id until it reaches the page
    (`address` None): looking 200 of them up for every query cost more than the page."""

    address: tantivy.DocAddress | None
    score: float
    key: object = None
    document_id: str = ""


def _found(searcher: tantivy.Searcher, ids: list[str]) -> list[tantivy.DocAddress]:
    """Where those of these documents that the index holds are."""
    ids = list(dict.fromkeys(ids))
    if not ids:
        return []
    found = searcher.search(
        tantivy.Query.term_set_query(SCHEMA, "id", ids), limit=len(ids), count=False
    )
    return [address for _score, address in found.hits]


def _addresses(searcher: tantivy.Searcher, ids: list[str]) -> dict[str, tantivy.DocAddress]:
    """Where each of these documents is in the index (those it holds)."""
    return {searcher.doc(address).get_first("id"): address for address in _found(searcher, ids)}


def _page_documents(
    searcher: tantivy.Searcher, matches: list[_Match]
) -> list[tuple[_Match, SearchDocument]]:
    """The page's matches with their stored documents; those known by id only are looked up
    in one search (a document deleted since the vectors were read drops out)."""
    wanted = [match.document_id for match in matches if match.address is None]
    by_id = {
        document.id: document
        for document in (stored_document(searcher, a) for a in _found(searcher, wanted))
    }
    page = []
    for match in matches:
        if match.address is not None:
            page.append((match, stored_document(searcher, match.address)))
        elif match.document_id in by_id:
            page.append((match, by_id[match.document_id]))
    return page


VECTOR_THREADS = 4
_pool: tuple[int, ThreadPoolExecutor] | None = None


def _background() -> ThreadPoolExecutor:
    """This process's threads for vector searches (made after a fork, never inherited). A
    sync worker, one request at a time, only ever starts one; a threaded one (gunicorn
    --threads) gets up to VECTOR_THREADS, so requests do not queue behind each other's."""
    global _pool
    if _pool is None or _pool[0] != os.getpid():
        pool = ThreadPoolExecutor(max_workers=VECTOR_THREADS, thread_name_prefix="vectors")
        _pool = (os.getpid(), pool)
    return _pool[1]


class EmbeddedEngine(SearchEngine):
    name = "embedded"

    def __init__(self, index_dir: str | os.PathLike | None = None, synonyms=None):
        """`synonyms`: groups to expand queries with; by default search.synonyms, read live."""
        self.directory = IndexDirectory(
            settings.SEARCH_INDEX_DIR if index_dir is None else index_dir
        )
        self.root = self.directory.root
        self._synonyms = synonyms
        # (lexical weight, semantic weight, k) of the rank fusion; bench/relevance.py varies them.
        self.fusion = (LEXICAL_WEIGHT, SEMANTIC_WEIGHT, RRF_K)
        self.semantic_min_z = SEMANTIC_MIN_Z

    def _snapshot(self) -> Snapshot:
        return self.directory.snapshot()

    # -- writing -------------------------------------------------------------------------

    def index(self, documents: Iterable[SearchDocument]) -> None:
        documents = list(documents)
        if documents:
            self.directory.write(documents, ())

    def delete(self, ids: Iterable[str]) -> None:
        ids = list(ids)
        if ids:
            self.directory.write((), ids)

    def rebuild(
        self, documents: Iterable[SearchDocument], vectors_for: VectorLookup | None = None
    ) -> int:
        return self.directory.rebuild(documents, vectors_for)

    def index_vectors(self, items: Iterable[DocumentVectors]) -> None:
        items = list(items)
        if not items:
            return
        searcher = self._snapshot().searcher
        ids = [item.document.id for item in items]
        found = searcher.search(
            tantivy.Query.term_set_query(SCHEMA, "id", ids), limit=len(ids), count=False
        )
        indexed = {searcher.doc(address).get_first("id") for _score, address in found.hits}
        self.directory.write_vectors(items, indexed)

    def indexed_vector_versions(self) -> dict[str, set[str]]:
        return self.directory.vectors().fingerprints()

    def vector_models(self) -> dict[str, int]:
        """How many documents have vectors, per model key."""
        return dict(self.directory.vectors().key_counts)

    # -- status --------------------------------------------------------------------------

    def count(self) -> int:
        return self._snapshot().searcher.num_docs

    def health(self) -> EngineHealth:
        try:
            documents = self.count()
        except Exception as error:  # health reports, it never raises
            return EngineHealth(ok=False, engine=self.name, detail=str(error))
        return EngineHealth(ok=True, engine=self.name, documents=documents, detail=str(self.root))

    def warm_up(self, request: SearchRequest) -> None:
        # The index's files mapped, the vector threads started, the spelling and synonym
        # structures built: a worker's first visitor waits for none of it.
        self.search(request)

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
        return synonym_groups() if self._synonyms is None else self._synonyms

    def _search_page(self, request: SearchRequest) -> SearchResponse:
        started = time.perf_counter()
        snapshot = self._snapshot()
        searcher = snapshot.searcher
        units = expand_query(request.query or "", self.synonym_groups(), request.language)
        # Text that yields no terms ("*", punctuation) matches nothing by its words; only a
        # blank query browses everything (with filters).
        browsing = not (request.query or "").strip()
        page, page_size = request.page, request.page_size
        needed = page * page_size
        by_meaning = None
        if request.query_vectors and not browsing:
            # In a thread while this one ranks by words: numpy's products and Tantivy's
            # searches release the GIL, so on a free core the two overlap.
            by_meaning = _background().submit(
                self._semantic_matches, request, max(needed, FUSION_DEPTH)
            )
        words = None
        if units and request.sort != "date" and not browsing:
            depth = max(needed, FUSION_DEPTH) if by_meaning else needed
            words = self._lexical_ranking(searcher, units, request, depth)
        semantic = by_meaning.result() if by_meaning else []
        semantic_ids = list(
            dict.fromkeys(match.document_id for _weight, ranking in semantic for match in ranking)
        )
        if not (units or browsing or semantic_ids) or not searcher.num_docs:
            return self._empty_response(started, searcher, request, units)
        # What matches: most of the words (minimum_should_match), or the meaning (each
        # model's best documents).
        query = build_query(
            units,
            request,
            also_ids=semantic_ids,
            relaxed=True,
            bridge=_bridges(request),
        )
        if request.sort == "date" or browsing:
            matched, ranking = self._ranking(searcher, query, request, needed=needed)
        elif semantic_ids:
            matched, ranking = self._fused_ranking(searcher, semantic, request, words)
        else:
            matched, ranking = words
        if not matched:
            return self._empty_response(started, searcher, request, units)
        total, facets = self._counts(snapshot, query, matched, request, browsing)
        page_documents = _page_documents(
            searcher, ranking[(page - 1) * page_size : page * page_size]
        )
        terms = highlight_terms(units)
        hits = [
            _hit(document, snippet(document, terms), match.score)
            for match, document in page_documents
        ]
        took_ms = (time.perf_counter() - started) * 1000
        return SearchResponse(total=total, hits=hits, facets=facets, took_ms=took_ms)

    def _semantic_matches(
        self, request: SearchRequest, depth: int
    ) -> list[tuple[float, list[SemanticMatch]]]:
        """For each query vector whose model's vectors the index holds, its weight in the
        fusion and the best groups by meaning; none without query vectors (words only)."""
        if not request.query_vectors:
            return []
        try:
            vectors = self.directory.vectors()
        except Exception as error:  # words still answer
            logger.warning("Searching by words only: the vectors could not be read: %s", error)
            return []
        rankings = []
        for wanted in request.query_vectors:
            if wanted.model_key not in vectors.key_counts:
                logger.warning(
                    "No ranking by meaning with %s: the index holds no vectors of it (it holds "
                    "%s; run `manage.py search_rebuild --embeddings`)",
                    wanted.model_key,
                    ", ".join(sorted(vectors.key_counts)) or "none",
                )
                continue
            ranking = vectors.search(
                wanted.vector,
                wanted.model_key,
                request.filters,
                limit=depth,
                min_score=wanted.min_similarity,
                min_z=self.semantic_min_z,
                started_days=started_day_bounds(request),
            )
            rankings.append((wanted.weight, ranking))
        return rankings

    def _lexical_ranking(
        self, searcher: tantivy.Searcher, units, request: SearchRequest, needed: int
    ) -> tuple[int, list[_Match]]:
        """Documents with all the words first, by score; then those with enough of them
        (minimum_should_match) or, for a visitor in another language than the site's own,
        with all the query's glossary terms (_bridges), by score. The count is of the latter,
        which includes all."""
        strict = build_query(units, request)
        matched, ranking = self._ranking(searcher, strict, request, needed=needed)
        bridge = _bridges(request)
        if relaxed_text_query(units, bridge) is None:
            return matched, ranking
        relaxed = build_query(units, request, relaxed=True, bridge=bridge)
        matched, relaxed_ranking = self._ranking(searcher, relaxed, request, needed=needed)
        seen = {match.key for match in ranking}
        return matched, ranking + [match for match in relaxed_ranking if match.key not in seen]

    def _fused_ranking(
        self,
        searcher: tantivy.Searcher,
        semantic: list[tuple[float, list[SemanticMatch]]],
        request: SearchRequest,
        words: tuple[int, list[_Match]] | None,
    ) -> tuple[int, list[_Match]]:
        """At most how many documents match by words or meaning (the words' count and the
        documents found by meaning: _counts counts the union exactly, in the same pass as
        the facets; counting it here too read every match of the words once more), and all
        of them the fusion ranks: the top of each ranking, fused (search.engines.fusion),
        then the rest of the words' ranking."""
        words_matched, lexical_ranking = words or (0, [])
        found_by_meaning = {match.document_id for _weight, ranking in semantic for match in ranking}
        matched = words_matched + len(found_by_meaning)
        if request.collapse_translations:
            address_of = {}
        else:  # the key is the address, so every document's is needed
            address_of = _addresses(searcher, [m.document_id for _w, r in semantic for m in r])

        def as_matches(ranking: list[SemanticMatch]) -> list[_Match]:
            if request.collapse_translations:
                return [
                    _Match(None, match.score, code(match.group), match.document_id)
                    for match in ranking
                ]
            return [
                _Match(address, match.score, _address_key(address), match.document_id)
                for match in ranking
                if (address := address_of.get(match.document_id)) is not None
            ]

        semantic_rankings = [(weight, as_matches(ranking)) for weight, ranking in semantic]
        by_key: dict[object, _Match] = {}
        rankings = [ranking for _weight, ranking in semantic_rankings]
        for match in itertools.chain(lexical_ranking, *rankings):
            by_key.setdefault(match.key, match)  # the words' document, where they found one
        lexical_weight, semantic_weight, k = self.fusion
        order = fuse(
            [
                (lexical_weight, [match.key for match in lexical_ranking]),
                *(
                    (semantic_weight * weight, [match.key for match in ranking])
                    for weight, ranking in semantic_rankings
                ),
            ],
            k=k,
        )
        return matched, [by_key[key] for key in order]

    def _empty_response(self, started, searcher, request, units) -> SearchResponse:
        suggestion = spelling_suggestion(searcher, request, self.synonym_groups()) if units else ""
        return SearchResponse(
            total=0,
            hits=[],
            facets={name: [] for name in FACET_FIELDS},
            took_ms=(time.perf_counter() - started) * 1000,
            suggestion=suggestion,
        )

    def _counts(
        self,
        snapshot: Snapshot,
        query: tantivy.Query,
        matched: int,
        request: SearchRequest,
        browsing: bool,
    ) -> tuple[int, dict[str, list[FacetCount]]]:
        """The total and facet counts, computed inside Tantivy by aggregations. `matched`:
        how many documents match, or more (it chooses between exact and estimated group
        counts); the aggregations count them exactly.

        Uncollapsed, they count documents. Collapsed, they count translation groups with
        Tantivy's cardinality estimate (exact for small sets, within about 1% above a few
        hundred), which costs ~0.1 us per document and facet. Past LARGE_RESULT matches, the
        per-facet group counts are instead estimated from document counts and the overall
        ratio of groups to documents, so a query matching most of a large corpus stays fast.
        A browse (no query text) is the same for every visitor until the next commit, so
        its counts are computed exactly and kept with the snapshot.
        """
        collapse = request.collapse_translations
        cache_key = (
            (tuple(sorted(request.filters.items())), started_day_bounds(request), collapse)
            if browsing
            else None
        )
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
        aggregations["matched"] = {"value_count": {"field": "group_code"}}
        result = snapshot.searcher.aggregate(query, aggregations)
        matched = round(result["matched"]["value"])
        if not matched:
            return 0, {facet: [] for facet in FACET_FIELDS}

        total = round(result["groups"]["value"]) if collapse else matched
        total = min(max(total, 1), matched)  # the estimate never beats what it estimates
        ratio = total / matched

        def bucket_count(facet: str, bucket: dict) -> int:
            if "groups" in bucket:
                return max(1, min(round(bucket["groups"]["value"]), bucket["doc_count"]))
            if not collapse or facet == "locale":
                return int(bucket["doc_count"])
            return max(1, round(bucket["doc_count"] * ratio))

        facets = {
            facet: [
                FacetCount(str(bucket["key"]), bucket_count(facet, bucket))
                for bucket in result[facet]["buckets"]
            ]
            for facet in FACET_FIELDS
        }
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
                    key = group
                else:
                    key = _address_key(address)
                ranking.append(_Match(address, score, key))
            exhausted = len(result.hits) < limit
            if len(ranking) >= needed or exhausted:
                return matched, ranking
            limit *= 4

    def _translations(self, request: SearchRequest, groups: list[str]) -> list[SearchHit]:
        """Looked up by group and locale (and the request's facet filters) alone; each found
        translation's snippet highlights the query's words, as a matched hit's does."""
        searcher = self._snapshot().searcher
        clauses = [filter_clause("group", groups), filter_clause("locale", [request.language])]
        clauses.extend(request_filter_clauses(request))
        result = searcher.search(
            tantivy.Query.boolean_query(clauses), limit=len(groups), count=False
        )
        terms = highlight_terms(
            expand_query(request.query or "", self.synonym_groups(), request.language)
        )
        hits = []
        for _score, address in result.hits:
            document = stored_document(searcher, address)
            hits.append(_hit(document, snippet(document, terms), 0.0))
        return hits

    # -- autocomplete and related --------------------------------------------------------

    def suggest(self, prefix: str, language: str = "en", limit: int = 8) -> list[str]:
        prefix = (prefix or "").replace("\x00", " ").strip()[:MAX_QUERY_CHARS]
        if not prefix:
            return []
        searcher = self._snapshot().searcher
        lowered = prefix.lower()
        # The last typed word is incomplete: it must begin a title word or term; the words
        # before it must be title terms.
        terms = analyse(prefix, for_query=True, language=language)
        complete_terms = terms[:-1] if terms else []
        partial_forms = {word for word in surface_words(lowered)[-1:]}
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
            document = stored_document(searcher, address)
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
        source = stored_document(searcher, own.hits[0][1])
        # The source's most distinctive terms (tf-idf), as one OR query.
        term_counts = Counter(
            analyse(
                " ".join([source.title, source.title, source.summary, source.body]),
                language=source.locale,
            )
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
                    tantivy.Query.term_query(SCHEMA, "group", group_of(source)),
                ),
            ]
        )
        result = searcher.search(query, limit=limit * 4 + 10, count=False)
        hits, seen_groups = [], set()
        for score, address in result.hits:
            document = stored_document(searcher, address)
            if group_of(document) in seen_groups:
                continue
            seen_groups.add(group_of(document))
            extract = html.escape(shorten(document.summary or document.body))
            hits.append(_hit(document, extract, score))
            if len(hits) >= limit:
                break
        return hits
