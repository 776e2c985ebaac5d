"""The Elasticsearch engine: the same SearchEngine contract, served by an Elasticsearch 9 cluster.

Documents are pages and topic areas alike: nothing here depends on the id's form or content type.
The cluster's layout (template, aliases, synonyms set) and every write are lifecycle.py's; the
request bodies are bodies.py's and the parsing of responses is responses.py's.

Search by meaning (passage vectors: hybrid.py, meaning.py, vectors.py) joins a search when the
request carries query vectors of models the live index holds vectors of; otherwise, and whenever
that search fails, the search goes by words only, as before. Its rankings are fused as
ELASTICSEARCH_FUSION says (hybrid.py): `centred`, in Python, or `rrf`, by the cluster's `rrf`
retriever until the cluster's licence refuses it, then in Python for the rest of the process.
When the cluster refuses the centred fusion's statistics search (search.allow_expensive_queries
false), the Python fusion goes on uncentred for the rest of the process (meaning.py).

Written against the Elasticsearch 9 reference and tested by the requests it sends
(tests/search/test_elasticsearch_requests.py, test_elasticsearch_meaning.py): no cluster runs
on the development machines.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.conf import settings
from elasticsearch import ApiError, Elasticsearch, TransportError

from search.engines.base import (
    DocumentVectors,
    EngineHealth,
    EngineUnavailable,
    SearchDocument,
    SearchEngine,
    SearchHit,
    SearchRequest,
    SearchResponse,
    VectorLookup,
)
from search.engines.elasticsearch.bodies import (
    PIT_KEEP_ALIVE,
    VERSIONS_PAGE_SIZE,
    more_like_this_body,
    own_document_body,
    search_body,
    spelling_body,
    suggest_body,
    translations_body,
    versions_page_body,
)
from search.engines.elasticsearch.hybrid import (
    DEFAULT_FUSION,
    counts_body,
    fused_ids,
    fused_page_body,
    more_like_this_knn_body,
    ranking_bodies,
    rrf_page_body,
    semantic_rankings,
    union_body,
    union_counts_body,
)
from search.engines.elasticsearch.lifecycle import (
    ADMIN_REQUEST_TIMEOUT,
    BULK_CHUNK_SIZE,
    BULK_MAX_CHUNK_BYTES,
    REBUILD_CHUNK_SIZE,
    IndexLifecycle,
    call,
)
from search.engines.elasticsearch.mapping import DEFAULT_PREFIX
from search.engines.elasticsearch.meaning import Meaning, MeaningSearch, semantic_ids
from search.engines.elasticsearch.responses import (
    hit_from,
    parse_fused_response,
    parse_search_response,
    spelling_suggestion,
)
from search.engines.elasticsearch.vectors import (
    FINGERPRINT_PREFIX,
    VectorSpace,
    configured_vector_space,
    first_passage_vector,
)
from search.engines.fusion import SEMANTIC_MIN_Z
from search.synonyms import glossary_terms

logger = logging.getLogger(__name__)

# Statuses worth another try: overloaded (429) or briefly unavailable (502-504).
RETRY_ON_STATUS = (429, 502, 503, 504)
HEALTH_TIMEOUT_SECONDS = 2
# How long the live index's vector models are trusted before they are read again (a rebuild in
# another process may swap in an index of other models).
VECTOR_MODEL_TTL_SECONDS = 60.0
# After a failed search by meaning (an index swapped meanwhile, a refused kNN search),
# searches go by words only for this long before trying again.
HYBRID_RETRY_SECONDS = 300.0

# `vector_space` default: the configured embedder's (search.semantic.embedders).
FROM_SETTINGS: Any = object()

# How words and meaning are fused (ELASTICSEARCH_FUSION; hybrid.py): in Python, on centred
# scores (the default), or by the cluster's rrf retriever. UNCENTRED is no setting: the Python
# fusion on raw similarities, where the cluster refuses the statistics search.
CENTRED = "centred"
RRF = "rrf"
UNCENTRED = "uncentred"
FUSION_METHODS = (CENTRED, RRF)
# In an error, the refusal of a query that search.allow_expensive_queries false forbids ("[script
# score] queries cannot be executed when 'search.allow_expensive_queries' is set to false.").
EXPENSIVE_QUERIES_SETTING = "search.allow_expensive_queries"


class RrfUnlicensed(EngineUnavailable):
    """The cluster's licence does not allow the rrf retriever (Basic: Enterprise or trial
    needed)."""


class ExpensiveQueriesRefused(EngineUnavailable):
    """The cluster refuses the statistics search's script_score: search.allow_expensive_queries
    is false."""


def licence_refusal(error: Any) -> bool:
    """Whether an error object is a licence compliance refusal: LicenseUtils.newComplianceException,
    a 403 security_exception "current license is non-compliant for [<feature>]" that carries
    the feature as `license.expired.feature` (its es.-prefixed metadata, as REST errors show
    it)."""
    if not isinstance(error, dict) or error.get("type") != "security_exception":
        return False
    return "license.expired.feature" in error or "non-compliant" in str(error.get("reason", ""))


def security_options(
    ca_certs: str | None, ssl_assert_fingerprint: str | None, api_key: str | None
) -> dict[str, Any]:
    """The client's TLS and authentication options, only those that are set.

    An API key "id:key" goes as the pair (the client encodes it); anything else is taken to be
    the encoded form ("encoded" in the create API key response), which has no colon.
    """
    options: dict[str, Any] = {}
    if ca_certs:
        options["ca_certs"] = ca_certs
    if ssl_assert_fingerprint:
        options["ssl_assert_fingerprint"] = ssl_assert_fingerprint
    if api_key:
        key_id, colon, key = api_key.partition(":")
        options["api_key"] = (key_id, key) if colon else api_key
    return options


class ElasticsearchEngine(SearchEngine):
    name = "elasticsearch"

    def __init__(
        self,
        url: str | None = None,
        *,
        client: Elasticsearch | None = None,
        prefix: str = DEFAULT_PREFIX,
        request_timeout: float = 10.0,
        max_retries: int = 3,
        bulk_chunk_size: int = BULK_CHUNK_SIZE,
        bulk_max_retries: int = 5,
        bulk_initial_backoff: float = 2.0,
        bulk_request_timeout: float = 60.0,
        bulk_max_chunk_bytes: int = BULK_MAX_CHUNK_BYTES,
        rebuild_chunk_size: int = REBUILD_CHUNK_SIZE,
        admin_request_timeout: float = ADMIN_REQUEST_TIMEOUT,
        ca_certs: str | None = None,
        ssl_assert_fingerprint: str | None = None,
        api_key: str | None = None,
        synonym_groups: Iterable[Sequence[str]]
        | Callable[[], Iterable[Sequence[str]]]
        | None = None,
        vector_space: VectorSpace | None = FROM_SETTINGS,
        fusion_method: str | None = None,
    ) -> None:
        """`vector_space`: the models (and dimensions) of the vectors new indices hold (None or
        empty: no vector fields); by default the configured embedders', read when first
        needed. `fusion_method`: `centred` or `rrf` (hybrid.py); by default
        settings.ELASTICSEARCH_FUSION. `ca_certs` (a PEM file of the CA that signed the
        cluster's HTTP certificate), `ssl_assert_fingerprint` (the SHA-256 of that certificate)
        and `api_key` ("id:key" or the encoded form) go to the client; without either of the
        first two an https URL is verified against the system's trust store."""
        if fusion_method is None:
            fusion_method = getattr(settings, "ELASTICSEARCH_FUSION", CENTRED) or CENTRED
        if fusion_method not in FUSION_METHODS:
            raise ValueError(
                f"ELASTICSEARCH_FUSION must be one of {', '.join(FUSION_METHODS)}, "
                f"not {fusion_method!r}"
            )
        if client is None:
            if not url:
                raise ValueError("ElasticsearchEngine needs a url or a client.")
            client = Elasticsearch(
                url,
                request_timeout=request_timeout,
                max_retries=max_retries,
                retry_on_status=RETRY_ON_STATUS,
                retry_on_timeout=True,
                **security_options(ca_certs, ssl_assert_fingerprint, api_key),
            )
        self.client = client
        self.alias = prefix
        self._vector_space = VectorSpace() if vector_space is None else vector_space
        self._live_space: tuple[float, VectorSpace] | None = None  # (read at, space)
        self._hybrid_paused_until = 0.0
        # (lexical weight, semantic weight, k) of the rank fusion, as EmbeddedEngine.fusion.
        self.fusion = DEFAULT_FUSION
        # A document matches by meaning this many standard deviations above the mean (centred)
        # score, as EmbeddedEngine.semantic_min_z; None: the absolute floors only.
        self.semantic_min_z: float | None = SEMANTIC_MIN_Z
        # The fusion asked for, and the one in use: `rrf` until the cluster refuses it for its
        # licence, then `centred`; `centred` until the cluster refuses the statistics search,
        # then `uncentred`; each for this engine's life (a new licence or setting is picked up
        # when the processes restart).
        self.fusion_method = fusion_method
        self._fusion_in_use = fusion_method
        self.lifecycle = IndexLifecycle(
            client,
            prefix,
            bulk_chunk_size=bulk_chunk_size,
            bulk_max_retries=bulk_max_retries,
            bulk_initial_backoff=bulk_initial_backoff,
            bulk_request_timeout=bulk_request_timeout,
            bulk_max_chunk_bytes=bulk_max_chunk_bytes,
            rebuild_chunk_size=rebuild_chunk_size,
            admin_request_timeout=admin_request_timeout,
            synonym_groups=synonym_groups,
            vector_space=self.vector_space,
        )

    def vector_space(self) -> VectorSpace:
        """The models new indices hold vectors of (empty: words only)."""
        if self._vector_space is FROM_SETTINGS:
            self._vector_space = configured_vector_space()
        return self._vector_space

    # Setup and writes: the cluster's side (lifecycle.py) -----------------------------------------
    def index_template_body(self) -> dict[str, Any]:
        return self.lifecycle.index_template_body()

    def ensure_setup(self) -> None:
        self.lifecycle.ensure_setup()

    def update_synonyms(self, groups: Iterable[Sequence[str]] | None = None) -> None:
        self.lifecycle.update_synonyms(groups)

    def sync_synonyms(self) -> None:
        """Push the live synonym list if the cluster's set differs (never run by a search)."""
        self.lifecycle.sync_synonyms()

    def index(self, documents: Iterable[SearchDocument]) -> None:
        self.lifecycle.index(documents)

    def delete(self, ids: Iterable[str]) -> None:
        self.lifecycle.delete(ids)

    def rebuild(
        self, documents: Iterable[SearchDocument], vectors_for: VectorLookup | None = None
    ) -> int:
        try:
            return self.lifecycle.rebuild(documents, vectors_for)
        finally:
            self._live_space = None  # the live index may hold other models now

    def index_vectors(self, items: Iterable[DocumentVectors]) -> None:
        self.lifecycle.index_vectors(items)

    # Reads -------------------------------------------------------------------------------------
    def count(self) -> int:
        response = call(self.client.options(ignore_status=404).count, index=self.alias)
        return 0 if response.meta.status == 404 else int(response["count"])

    def indexed_versions(self) -> dict[str, str]:
        """Every document id behind the alias with its stored fingerprint.

        A document stored without a fingerprint (an older template) maps to "" so it reads as
        drifted.
        """
        return {
            document_id: str(source.get("fingerprint") or "")
            for document_id, source in self._stored_sources(["fingerprint"]).items()
        }

    def indexed_vector_versions(self) -> dict[str, set[str]]:
        """Every document that has passage vectors, with their vector fingerprints (model and
        document version), one per model (`vector_fingerprint_<model>`, vectors.py)."""
        versions: dict[str, set[str]] = {}
        for document_id, source in self._stored_sources([f"{FINGERPRINT_PREFIX}*"]).items():
            found = {
                str(value)
                for key, value in source.items()
                if key.startswith(FINGERPRINT_PREFIX) and value
            }
            if found:
                versions[document_id] = found
        return versions

    def _stored_sources(self, fields: list[str]) -> dict[str, dict[str, Any]]:
        """Each document's stored `fields` (_source patterns), by id.

        Pages through one point in time with search_after, sorted on _shard_doc: the reference's
        recommended way to read a whole index ("Paginate search results"; open/close point in
        time APIs), consistent even while writes or a rebuild's alias swap happen meanwhile.
        """
        opened = call(
            self.client.options(ignore_status=404).open_point_in_time,
            index=self.alias,
            keep_alive=PIT_KEEP_ALIVE,
        )
        if opened.meta.status == 404:  # no index behind the alias yet
            return {}
        pit_id = opened.body["id"]
        sources: dict[str, dict[str, Any]] = {}
        try:
            search_after: list[Any] | None = None
            while True:
                body = versions_page_body(pit_id, search_after, fields)
                page = call(self.client.search, body=body).body
                # Each response may carry a new PIT id; the latest one is the one to use.
                pit_id = page.get("pit_id", pit_id)
                hits = page["hits"]["hits"]
                for hit in hits:
                    sources[hit["_id"]] = hit.get("_source") or {}
                if len(hits) < VERSIONS_PAGE_SIZE:
                    break
                search_after = hits[-1]["sort"]
        finally:
            # Closing frees the search contexts early; if it fails they expire with keep_alive.
            try:
                self.client.close_point_in_time(id=pit_id)
            except (TransportError, ApiError) as error:
                logger.warning("Could not close an Elasticsearch point in time: %s", error)
        return sources

    def health(self) -> EngineHealth:
        # A health check answers quickly or says no: load balancers poll it every few seconds.
        client = self.client.options(request_timeout=HEALTH_TIMEOUT_SECONDS, max_retries=0)
        try:
            if not client.indices.exists_alias(name=self.alias):
                return EngineHealth(
                    ok=False, engine=self.name, detail=f"alias {self.alias} does not exist"
                )
            # The health of the alias's indices, not of the whole cluster: another
            # application's red index says nothing about this search.
            cluster = client.cluster.health(index=self.alias, timeout=f"{HEALTH_TIMEOUT_SECONDS}s")
            documents = int(client.count(index=self.alias)["count"])
        except (TransportError, ApiError) as error:
            return EngineHealth(ok=False, engine=self.name, detail=str(error))
        status = cluster.get("status", "unknown")
        return EngineHealth(
            ok=status in ("green", "yellow"),
            engine=self.name,
            documents=documents,
            detail=f"cluster {cluster.get('cluster_name', '')} {status}".strip(),
        )

    def _search_page(self, request: SearchRequest) -> SearchResponse:
        """The page (_found_page); when nothing matched words typed, a second search asks the
        phrase suggester for a correction (bodies.spelling_body): one round trip more on
        the rare empty answer, rather than the suggester's work beside every search."""
        response = self._found_page(request)
        text = " ".join(request.query.split())
        if response.total or not text:
            return response
        found = self._search(spelling_body(text))
        return dataclasses.replace(response, suggestion=spelling_suggestion(found or {}))

    def _found_page(self, request: SearchRequest) -> SearchResponse:
        meanings = self._usable_meanings(request)
        if meanings:
            try:
                return self._hybrid_page(request, meanings)
            except EngineUnavailable as error:
                # Words still answer: the same search without the meaning, and the next ones
                # too for a while, rather than a failed request before each.
                logger.warning(
                    "Searching by words only for %d s: the search by meaning failed: %s",
                    HYBRID_RETRY_SECONDS,
                    error,
                )
                self._hybrid_paused_until = time.monotonic() + HYBRID_RETRY_SECONDS
                self._live_space = None
        response = self._search(search_body(request, self._bridge(request)))
        if response is None:
            return SearchResponse(total=0, hits=[], facets={}, took_ms=0.0)
        return parse_search_response(response, request)

    def _bridge(self, request: SearchRequest) -> tuple[str, ...]:
        """The query's glossary terms that may match alone (bodies.glossary_tier): for a visitor
        in another language than the site's own, when the query has other terms too (else
        all its words say the same), as the embedded engine's `_bridges`. An English query
        keeps needing most of its words."""
        text = " ".join(request.query.split())
        if not text or request.language == settings.LANGUAGE_CODE:
            return ()
        terms, others = glossary_terms(text, self.lifecycle.synonym_groups())
        return terms if others else ()

    def _usable_meanings(self, request: SearchRequest) -> list[Meaning]:
        """The request's query vectors whose models the live index holds vectors of, each with
        that model's fields, when there are words to search for (a browse has no meaning to
        match, as in the embedded engine). A query vector of a model the index lacks is left
        out with a log line; with none left the search goes by words only."""
        wanted = request.query_vectors
        if not wanted or not " ".join(request.query.split()):
            return []
        if time.monotonic() < self._hybrid_paused_until:
            return []
        space = self._live_vector_space()
        meanings: list[Meaning] = []
        for query_vector in wanted:
            model = space.get(query_vector.model_key)
            if model is None or query_vector.vector.shape[-1] != model.dimension:
                logger.warning(
                    "No ranking by meaning with %s: the index holds no vectors of it (it holds "
                    "%s; run `manage.py search_rebuild`, then `search_rebuild --embeddings`)",
                    query_vector.model_key,
                    ", ".join(space.keys()) or "none",
                )
                continue
            meanings.append((query_vector, model))
        return meanings

    def _live_vector_space(self) -> VectorSpace:
        """The vector models of the index behind the alias (its mapping's _meta), re-read every
        VECTOR_MODEL_TTL_SECONDS. Empty: no index, no vectors, or indices that disagree."""
        now = time.monotonic()
        if self._live_space is not None and now - self._live_space[0] < VECTOR_MODEL_TTL_SECONDS:
            return self._live_space[1]
        try:
            spaces = set(self.lifecycle.vector_spaces([self.alias]).values())
        except EngineUnavailable as error:
            logger.warning("Could not read the index's vector models: %s", error)
            spaces = set()
        space = next(iter(spaces)) if len(spaces) == 1 else VectorSpace()
        self._live_space = (now, space)
        return space

    def _hybrid_page(self, request: SearchRequest, meanings: list[Meaning]) -> SearchResponse:
        """Words and meaning (hybrid.py): in date order one search of their union; in relevance
        order fused as ELASTICSEARCH_FUSION says: by the cluster's rrf retriever (_rrf_page)
        until the licence refuses it, else in Python (_python_fused_page), centred until the
        cluster refuses the statistics search."""
        bridge = self._bridge(request)
        if request.sort == "date":
            response = self._search(union_body(request, meanings, bridge))
            if response is None:
                return SearchResponse(total=0, hits=[], facets={}, took_ms=0.0)
            return parse_search_response(response, request)
        if self._fusion_in_use == RRF:
            try:
                return self._rrf_page(request, meanings, bridge)
            except RrfUnlicensed as error:
                self._fusion_in_use = CENTRED
                logger.warning(
                    "Fusing words and meaning in Python from now on: the cluster's licence "
                    "does not allow the rrf retriever (%s)",
                    error,
                )
        try:
            return self._python_fused_page(request, meanings, bridge)
        except ExpensiveQueriesRefused as error:
            if self._fusion_in_use != CENTRED:
                raise
            self._fusion_in_use = UNCENTRED
            logger.warning(
                "Ranking by meaning uncentred from now on (raw similarities, absolute floors "
                "only): the cluster refuses the statistics search (%s)",
                error,
            )
        return self._python_fused_page(request, meanings, bridge)

    def _rrf_page(
        self, request: SearchRequest, meanings: list[Meaning], bridge: tuple[str, ...]
    ) -> SearchResponse:
        """The page fused by the cluster's rrf retriever and the union's counts, in one _msearch
        (hybrid.rrf_page_body, union_counts_body); beyond the result window the counts only."""
        page = rrf_page_body(request, meanings, self.fusion, bridge)
        counts = union_counts_body(request, meanings, bridge)
        if page is None:
            response = self._search(counts)
            if response is None:
                return SearchResponse(total=0, hits=[], facets={}, took_ms=0.0)
            return parse_search_response(response, request)
        found = self._msearch([page, counts])
        if found is None:
            return SearchResponse(total=0, hits=[], facets={}, took_ms=0.0)
        (page_response, counts_response), took = found
        return parse_fused_response(page_response, counts_response, request, took)

    def _python_fused_page(
        self, request: SearchRequest, meanings: list[Meaning], bridge: tuple[str, ...]
    ) -> SearchResponse:
        """The rankings in one _msearch, centred (unless the cluster refused that) and fused
        here (search.engines.fusion, self.fusion's weights), then the fused page's documents
        and the union's counts in another."""
        languages = [code for code, _name in settings.LANGUAGES]
        centred = self._fusion_in_use == CENTRED
        searches = [MeaningSearch.of(request, m, languages, centred) for m in meanings]
        found = self._msearch(ranking_bodies(request, searches, bridge))
        if found is None:
            return SearchResponse(total=0, hits=[], facets={}, took_ms=0.0)
        (words, *by_meaning), took = found
        rankings = semantic_rankings([words, *by_meaning], request, searches, self.semantic_min_z)
        start = (request.page - 1) * request.page_size
        fused = fused_ids(words, rankings, request, meanings, self.fusion)
        ids = fused[start : start + request.page_size]
        counts = counts_body(request, semantic_ids(rankings), bridge)
        if ids:
            found = self._msearch([fused_page_body(request, ids, bridge), counts])
            if found is None:
                return SearchResponse(total=0, hits=[], facets={}, took_ms=0.0)
            (page, counted), more = found
        else:  # past the fused ranking: no hits, the counts still
            counted = self._search(counts)
            if counted is None:
                return SearchResponse(total=0, hits=[], facets={}, took_ms=0.0)
            page, more = {"hits": {"hits": []}}, float(counted.get("took", 0))
        response = parse_search_response(counted, request)
        by_id = {hit["_id"]: hit for hit in page["hits"]["hits"]}
        # In fused order; a document deleted between the two round trips is left out.
        hits = [hit_from(by_id[document_id]) for document_id in ids if document_id in by_id]
        return dataclasses.replace(response, hits=hits, took_ms=took + more)

    def _msearch(self, bodies: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], float] | None:
        """The responses to these searches of the alias, sent as one _msearch, and its took.

        Multi search API: NDJSON of header and body lines; an empty header searches the index in
        the path. Each search answers or fails on its own ("responses" holds either a search
        response or an "error" with its "status"): any failure raises EngineUnavailable here,
        except an index missing behind the alias (None, as _search). A licence refusal raises
        RrfUnlicensed, whether the whole request is refused (the bodies are parsed, rrf
        retrievers licence-checked, before any runs: a 403) or one of its searches; a query
        search.allow_expensive_queries forbids (found in the error's text, root causes and shard
        failures included), ExpensiveQueriesRefused.
        """
        searches: list[dict[str, Any]] = []
        for body in bodies:
            searches.extend(({}, body))
        response = call(
            self.client.options(ignore_status=(403, 404)).msearch,
            index=self.alias,
            searches=searches,
        )
        if response.meta.status == 403:
            error = response.body.get("error") if isinstance(response.body, dict) else None
            if licence_refusal(error):
                raise RrfUnlicensed(f"Elasticsearch refused a search (403): {error.get('reason')}")
            raise EngineUnavailable(f"Elasticsearch refused the searches (403): {error}")
        if response.meta.status == 404:
            return None
        items = response.body.get("responses", [])
        for item in items:
            error = item.get("error")
            if error is None:
                continue
            if isinstance(error, dict) and error.get("type") == "index_not_found_exception":
                return None
            if licence_refusal(error):
                raise RrfUnlicensed(f"Elasticsearch refused a search (403): {error.get('reason')}")
            if EXPENSIVE_QUERIES_SETTING in str(error):
                raise ExpensiveQueriesRefused(
                    f"Elasticsearch refused a search ({item.get('status')}): "
                    f"{EXPENSIVE_QUERIES_SETTING} is false"
                )
            reason = error.get("reason", error) if isinstance(error, dict) else error
            raise EngineUnavailable(
                f"Elasticsearch refused a search ({item.get('status')}): {reason}"
            )
        if len(items) != len(bodies):
            raise EngineUnavailable(f"_msearch answered {len(items)} of {len(bodies)} searches")
        return items, float(response.body.get("took", 0))

    def _translations(self, request: SearchRequest, groups: list[str]) -> list[SearchHit]:
        """One look-up by group and locale (within the request's filters). Groups whose
        collapsed hit carried the visitor's translation among its inner hits are not asked
        for: parse_search_response already showed it (responses.preferred_translation)."""
        response = self._search(translations_body(request, groups))
        if response is None:
            return []
        return [hit_from(found) for found in response["hits"]["hits"]]

    def _search(self, body: dict[str, Any]) -> dict[str, Any] | None:
        """The _search response body, or None while no index exists behind the alias yet."""
        response = call(self.client.options(ignore_status=404).search, index=self.alias, body=body)
        return None if response.meta.status == 404 else response.body

    def suggest(self, prefix: str, language: str = "en", limit: int = 8) -> list[str]:
        text = " ".join(prefix.split())
        if not text:
            return []
        response = self._search(suggest_body(text, language, limit))
        if response is None:
            return []
        titles: list[str] = []
        for hit in response["hits"]["hits"]:
            title = hit.get("_source", {}).get("title", "")
            if title and title not in titles:
                titles.append(title)
        return titles[:limit]

    def more_like_this(self, document_id: str, limit: int = 5) -> list[SearchHit]:
        space = self._live_vector_space()
        own = self._search(own_document_body(document_id, [m.vector_field for m in space.models]))
        if own is None or not own["hits"]["hits"]:
            return []
        own_hit = own["hits"]["hits"][0]
        # By meaning when the page has passage vectors (its first passage, title and summary, of
        # the first model it has vectors of), else by its distinctive words.
        body = more_like_this_body(own_hit, limit)
        for model in space.models:
            vector = first_passage_vector(own_hit, model)
            if vector is not None:
                body = more_like_this_knn_body(own_hit, vector, model, limit)
                break
        response = self._search(body) or {"hits": {"hits": []}}
        return [hit_from(h) for h in response["hits"]["hits"]][:limit]
