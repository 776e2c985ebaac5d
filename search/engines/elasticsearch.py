"""The Elasticsearch engine: the same SearchEngine contract, served by an Elasticsearch 9 cluster.

Layout in the cluster:
- versioned indices `<prefix>-<timestamp>` built from one composable index template
  (`<prefix>-template`, pattern `<prefix>-*`), read and written through the alias `<prefix>`;
- while `rebuild` loads a new index, that index also carries the alias `<prefix>-rebuilding`,
  and writes go through both aliases, so none is lost at the swap;
- a synonyms set `<prefix>-synonyms` (the Synonyms API) used by an updateable synonym_graph
  filter in the search analyzers only, so editors' synonyms apply without re-indexing or closing
  the index.

Documents are pages and topic areas alike: nothing here depends on the id's form or content type.
A template change (such as the `fingerprint` and `spelling` fields) reaches the cluster through
`rebuild`; indices made from an older template refuse documents that carry the new fields.

Written against the Elasticsearch 9 reference and tested by the requests it sends
(tests/search/test_elasticsearch_requests.py): no cluster runs on the development machines.
"""

from __future__ import annotations

import contextlib
import dataclasses
import html
import logging
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from elasticsearch import ApiError, Elasticsearch, TransportError, helpers
from elasticsearch.dsl import (
    Date,
    Document,
    Index,
    Keyword,
    Text,
    analyzer,
    token_filter,
    tokenizer,
)

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

logger = logging.getLogger(__name__)

DEFAULT_PREFIX = "cac-knowledge"
BULK_CHUNK_SIZE = 500
# Statuses worth another try: overloaded (429) or briefly unavailable (502-504).
RETRY_ON_STATUS = (429, 502, 503, 504)
SNIPPET_CHARS = 180
MAX_RESULT_WINDOW = 10_000  # Elasticsearch's default index.max_result_window
# How many translations of one group the collapsed hit carries, to pick the visitor's language.
MAX_TRANSLATIONS = 10
# What a hit needs from _source: everything but the long texts (the snippet comes from highlights).
HIT_SOURCE = {"excludes": ["body", "attachments_text"]}

# Facet name (FACET_FIELDS) -> keyword field in the index.
FACET_INDEX_FIELDS = {
    "topic": "topics",
    "kind": "kind",
    "country": "country",
    "city": "city",
    "locale": "locale",
    "year": "year",
}

# A rebuild's stream indexes with this external version; live writes (internal versions, >= 1)
# always outrank it (see ElasticsearchEngine.rebuild).
STREAM_VERSION = 1
# How long the index being built remembers deletes (index.gc_deletes; Elasticsearch's default is
# 60s): longer than any rebuild, so a page deleted during the rebuild is not streamed back in.
REBUILD_GC_DELETES_HOURS = 24
REBUILD_GC_DELETES = f"{REBUILD_GC_DELETES_HOURS}h"

# Reading every document's fingerprint: pages of this many hits under one point in time.
VERSIONS_PAGE_SIZE = 1000
PIT_KEEP_ALIVE = "2m"  # per request: long enough for one page, not a whole read
# The phrase suggester's name in the search body and response.
SPELLING_SUGGESTER = "did_you_mean"

HEALTH_TIMEOUT_SECONDS = 2

# Full-text fields and their query-time weights; the title counts most.
TEXT_FIELD_BOOSTS = {"title": 3, "summary": 2, "body": 1, "attachments_text": 1}
# Each text field is analysed once per shipped language, in a sub-field named here. Chinese and
# Japanese share the built-in cjk analyzer (overlapping character pairs, as the embedded engine
# indexes them); French, Spanish and Arabic use their built-in analyzers.
LANGUAGE_SUBFIELDS = ("en", "ko", "cjk", "fr", "es", "ar")
SUBFIELD_FOR_LANGUAGE = {
    "en": "en",
    "ko": "ko",
    "zh-hans": "cjk",
    "ja": "cjk",
    "fr": "fr",
    "es": "es",
    "ar": "ar",
}
# Queried whatever the visitor's language: most content is English or Korean, and a query in
# Chinese or Japanese only matches as character pairs.
ALWAYS_QUERIED_SUBFIELDS = ("en", "ko", "cjk")


# --- Analysis -----------------------------------------------------------------------------------
# The synonym filter is a placeholder here: its synonyms_set name depends on the configured
# prefix, so the engine rewrites it in the template (see _analysis_filter_overrides).
SYNONYM_FILTER_NAME = "knowledge_synonyms"

english_possessive = token_filter(
    "english_possessive_stemmer", type="stemmer", language="possessive_english"
)
english_stop = token_filter("english_stop", type="stop", stopwords="_english_")
english_stemmer = token_filter("english_stemmer", type="stemmer", language="english")
synonym_filter = token_filter(
    SYNONYM_FILTER_NAME,
    type="synonym_graph",
    synonyms_set=f"{DEFAULT_PREFIX}-synonyms",
    updateable=True,  # only legal in search analyzers; reloadable without closing the index
    lenient=True,  # a rule the analyzer cannot parse is skipped, not a failed index creation
)

# Index side: the built-in english analyzer. Search side: the same chain (as documented for
# rebuilding "english") with the synonyms after lowercasing and before stemming.
english_search = analyzer(
    "english_search",
    tokenizer="standard",
    filter=[english_possessive, "lowercase", synonym_filter, english_stop, english_stemmer],
)

# Korean: nori splits compounds; "mixed" keeps the compound and its parts at index time, so
# 재난지원금 is findable as 재난지원금 and as 지원금. At search time "discard" emits only the
# parts (all of which the index holds), which also keeps the synonym parser away from the
# stacked tokens "mixed" produces.
nori_mixed = tokenizer("nori_mixed", type="nori_tokenizer", decompound_mode="mixed")
nori_discard = tokenizer("nori_discard", type="nori_tokenizer", decompound_mode="discard")
korean_pos = token_filter("korean_part_of_speech", type="nori_part_of_speech")
korean_index = analyzer(
    "korean_index", tokenizer=nori_mixed, filter=[korean_pos, "nori_readingform", "lowercase"]
)
korean_search = analyzer(
    "korean_search",
    tokenizer=nori_discard,
    filter=[korean_pos, "nori_readingform", "lowercase", synonym_filter],
)

# Fallback for any other language: standard tokens, synonyms at search time.
standard_search = analyzer(
    "standard_search", tokenizer="standard", filter=["lowercase", synonym_filter]
)

# Spelling suggestions: the phrase suggester's language model needs unstemmed words and their
# 2-3 word shingles (the Elasticsearch reference's "trigram" analyzer for the phrase suggester).
spelling_shingle = token_filter(
    "spelling_shingle", type="shingle", min_shingle_size=2, max_shingle_size=3
)
spelling_analyzer = analyzer(
    "spelling_shingles", tokenizer="standard", filter=["lowercase", spelling_shingle]
)

# Autocomplete: edge n-grams of each word at index time, the plain words at search time.
autocomplete_edge = token_filter("autocomplete_edge", type="edge_ngram", min_gram=1, max_gram=20)
autocomplete_index = analyzer(
    "autocomplete_index", tokenizer="standard", filter=["lowercase", autocomplete_edge]
)


def _multilingual_text(*, spelling: bool = False, **extra_fields: Any) -> Text:
    """A text field analysed standard (the field) and once per language sub-field.

    `spelling` copies the text into the `spelling` field that "did you mean" learns words from.
    """
    fields: dict[str, Any] = {
        "en": Text(analyzer="english", search_analyzer=english_search),
        "ko": Text(analyzer=korean_index, search_analyzer=korean_search),
        "cjk": Text(analyzer="cjk"),
        "fr": Text(analyzer="french"),
        "es": Text(analyzer="spanish"),
        "ar": Text(analyzer="arabic"),
        **extra_fields,
    }
    options: dict[str, Any] = {"copy_to": "spelling"} if spelling else {}
    return Text(analyzer="standard", search_analyzer=standard_search, fields=fields, **options)


class KnowledgeDocument(Document):
    """The mapping of one SearchDocument; the index itself is chosen per engine (versioned)."""

    doc_id = Keyword()
    translation_key = Keyword()
    locale = Keyword()
    url = Keyword(index=False)
    content_type = Keyword()
    kind = Keyword()
    title = _multilingual_text(
        spelling=True,
        autocomplete=Text(analyzer=autocomplete_index, search_analyzer="standard"),
        raw=Keyword(ignore_above=512),
    )
    summary = _multilingual_text(spelling=True)
    body = _multilingual_text(spelling=True)
    # Extracted attachment text is too noisy to learn spellings from.
    attachments_text = _multilingual_text()
    # Only filled by copy_to (never in _source): the phrase suggester's words and shingles.
    spelling = Text(analyzer=spelling_analyzer)
    topics = Keyword(multi=True)
    city = Keyword()
    country = Keyword()
    year = Keyword()  # from `started`: a keyword, so the year facet is a plain terms aggregation
    started = Date(format="strict_date")
    published = Date()
    # SearchDocument.fingerprint: read back by indexed_versions, never searched.
    fingerprint = Keyword(index=False)


def document_source(document: SearchDocument) -> dict[str, Any]:
    """The _source stored for a SearchDocument."""
    return {
        "doc_id": document.id,
        "translation_key": document.translation_key,
        "locale": document.locale,
        "url": document.url,
        "content_type": document.content_type,
        "kind": document.kind or document.content_type,
        "title": document.title,
        "summary": document.summary,
        "body": document.body,
        "attachments_text": document.attachments_text,
        "topics": list(document.topics),
        # Empty values are left out (None), so facets never show an empty bucket.
        "city": document.city or None,
        "country": document.country or None,
        "year": str(document.started.year) if document.started else None,
        "started": document.started.isoformat() if document.started else None,
        "published": document.published.isoformat() if document.published else None,
        "fingerprint": document.fingerprint,
    }


# --- Synonyms -----------------------------------------------------------------------------------
def load_synonym_groups() -> list[tuple[str, ...]]:
    """The domain synonym groups, from search.synonyms (or its Solr-format file as a fallback)."""
    try:
        from search.synonyms import synonym_groups
    except ImportError:
        path = Path(__file__).resolve().parent.parent / "resources" / "synonyms.txt"
        if not path.exists():
            return []
        groups = []
        for line in path.read_text(encoding="utf-8").splitlines():
            line = line.split("#", 1)[0].strip()
            if line and "=>" not in line:
                groups.append(tuple(t.strip() for t in line.split(",") if t.strip()))
        return [g for g in groups if len(g) > 1]
    return [tuple(group) for group in synonym_groups()]


def synonym_rules(groups: Iterable[Sequence[str] | str]) -> list[dict[str, str]]:
    """Synonyms API rules ("a, b, c": all equivalent) with stable ids, one per group."""
    rules = []
    for number, group in enumerate(groups, start=1):
        terms = [group] if isinstance(group, str) else list(group)
        # A comma inside a term would split it: a synonym term is a phrase, never a list.
        terms = [" ".join(t.replace(",", " ").split()) for t in terms]
        terms = [t for t in terms if t]
        if len(terms) > 1:
            rules.append({"id": f"group-{number}", "synonyms": ", ".join(terms)})
    return rules


# --- The engine ---------------------------------------------------------------------------------
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
        synonym_groups: Iterable[Sequence[str]]
        | Callable[[], Iterable[Sequence[str]]]
        | None = None,
    ) -> None:
        if client is None:
            if not url:
                raise ValueError("ElasticsearchEngine needs a url or a client.")
            client = Elasticsearch(
                url,
                request_timeout=request_timeout,
                max_retries=max_retries,
                retry_on_status=RETRY_ON_STATUS,
                retry_on_timeout=True,
            )
        self.client = client
        self.alias = prefix
        self.template_name = f"{prefix}-template"
        self.synonyms_set = f"{prefix}-synonyms"
        self.bulk_chunk_size = bulk_chunk_size
        self.bulk_max_retries = bulk_max_retries
        self.bulk_initial_backoff = bulk_initial_backoff
        self.bulk_request_timeout = bulk_request_timeout
        # Where the synonyms come from: by default the live list (base file + admin), re-read
        # before searches; a fixed list (tests, scripts) is pushed at setup only.
        self._live_synonyms = synonym_groups is None or callable(synonym_groups)
        if synonym_groups is None:
            self._synonym_source: Callable[[], Iterable[Sequence[str]]] = load_synonym_groups
        elif callable(synonym_groups):
            self._synonym_source = synonym_groups
        else:
            fixed = [tuple(group) for group in synonym_groups]
            self._synonym_source = lambda: fixed
        self._pushed_rules: list[dict[str, str]] | None = None
        # Carried by the index a rebuild is loading, and only while it loads (see rebuild).
        self.rebuilding_alias = f"{prefix}-rebuilding"

    # Setup -------------------------------------------------------------------------------------
    def index_template_body(self) -> dict[str, Any]:
        """The composable template every versioned index of this engine is created from."""
        index = Index(self.alias)
        index.settings(number_of_shards=1, number_of_replicas=1)
        index.mapping(KnowledgeDocument._doc_type.mapping)
        body = index.as_composable_template(
            self.template_name, pattern=f"{self.alias}-*", priority=100
        ).to_dict()
        # The synonyms set is named after the prefix, so several deployments can share a cluster.
        filters = body["template"]["settings"]["analysis"]["filter"]
        filters[SYNONYM_FILTER_NAME]["synonyms_set"] = self.synonyms_set
        body["template"]["mappings"]["dynamic"] = "strict"  # a typo in a field name fails loudly
        return body

    def ensure_setup(self) -> None:
        """Put the synonyms set and the index template (both idempotent)."""
        self._call(self._put_synonyms, self._synonym_source())
        self._call(
            self.client.indices.put_index_template,
            name=self.template_name,
            **self.index_template_body(),
        )

    def update_synonyms(self, groups: Iterable[Sequence[str]] | None = None) -> None:
        """Replace the synonyms without closing any index.

        `groups` fixes the list from now on; without it the live list is read again.
        PUT _synonyms/<set> reloads the search analyzers that use the set; the explicit
        _reload_search_analyzers and request-cache clear follow the reference's advice so that no
        cached response still reflects the old synonyms.
        """
        if groups is not None:
            fixed = [tuple(group) for group in groups]
            self._synonym_source = lambda: fixed
            self._live_synonyms = False
        self._call(self._put_synonyms, self._synonym_source())
        tolerant = self.client.options(ignore_status=404)  # no index yet: nothing to reload
        self._call(
            tolerant.indices.reload_search_analyzers, index=self.alias, allow_no_indices=True
        )
        self._call(tolerant.indices.clear_cache, index=self.alias, request=True)

    def _put_synonyms(self, groups: Iterable[Sequence[str]]) -> None:
        rules = synonym_rules(groups)
        self.client.synonyms.put_synonym(id=self.synonyms_set, synonyms_set=rules)
        self._pushed_rules = rules

    def _sync_synonyms(self) -> None:
        """Push the live synonym list when it changed (editors edit it in the admin).

        The comparison is local after the first look at the cluster's set, so a search costs
        one read of the list and no extra request while nothing changes.
        """
        rules = synonym_rules(self._synonym_source())
        if rules == self._pushed_rules:
            return
        try:
            if self._pushed_rules is None:
                stored = self._call(
                    self.client.options(ignore_status=404).synonyms.get_synonym,
                    id=self.synonyms_set,
                    size=10_000,
                )
                if stored.body.get("synonyms_set") == rules:
                    self._pushed_rules = rules
                    return
            self.update_synonyms()
        except EngineUnavailable as error:
            # Searching with the previous synonyms beats failing the search.
            logger.warning("Could not update Elasticsearch synonyms: %s", error)

    # Writes ------------------------------------------------------------------------------------
    def index(self, documents: Iterable[SearchDocument]) -> None:
        targets = self._write_targets(self._alias_holders())
        if not targets:
            self._create_first_index()
            targets = [self.alias]
        # require_alias: a write never auto-creates a concrete index (with a guessed mapping)
        # under an alias name, even if the alias is deleted behind our back. The rebuilding alias
        # may vanish between the lookup and the bulk (swap or failed rebuild): its items then
        # fail with index_not_found, and that is fine, because the swap already moved the live
        # alias (which got the same write) or the half-built index is gone.
        self._bulk(
            self._index_actions(documents, *targets),
            require_alias=True,
            ignore_item=self._rebuilding_alias_gone,
        )
        if self.alias in targets:
            self._call(self.client.indices.refresh, index=self.alias)

    def _create_first_index(self) -> None:
        """On a fresh cluster, create the first versioned index behind the alias."""
        self.ensure_setup()
        self._call(
            self.client.indices.create,
            index=self._new_index_name(),
            aliases={self.alias: {"is_write_index": True}},
        )

    def _new_index_name(self) -> str:
        return f"{self.alias}-{datetime.now(UTC).strftime('%Y%m%d%H%M%S%f')}"

    def delete(self, ids: Iterable[str]) -> None:
        targets = self._write_targets(self._alias_holders())
        if not targets:
            return  # no index yet: nothing to delete
        # Plain (internally versioned) deletes: an externally versioned delete would auto-create
        # a missing target index ("delete requests should not attempt to create the index ...
        # unless an external versioning is used", TransportBulkAction), and the tombstone a plain
        # delete leaves (version >= 1) already outranks the rebuild stream's version 1.
        actions = ({"_op_type": "delete", "_index": t, "_id": i} for i in ids for t in targets)
        # 404: an unknown id is already deleted, and a vanished rebuilding alias (see index).
        self._bulk(actions, ignore_status=(404,))
        self._call(self.client.options(ignore_status=404).indices.refresh, index=self.alias)

    def _alias_holders(self) -> dict[str, list[str]]:
        """The indices behind the live alias and behind the rebuilding alias.

        One GET _alias/<live>,<rebuilding>. When either alias is missing Elasticsearch answers
        404 with an error entry next to the indices it did find (GET aliases returns 404 if
        any requested alias is missing, elastic/elasticsearch#25043; response shape as in
        elastic/elasticsearch#30536), so only the entries carrying "aliases" are read.
        """
        response = self._call(
            self.client.options(ignore_status=404).indices.get_alias,
            name=[self.alias, self.rebuilding_alias],
        )
        holders: dict[str, list[str]] = {self.alias: [], self.rebuilding_alias: []}
        for index_name, value in sorted(response.body.items()):
            if isinstance(value, dict) and isinstance(value.get("aliases"), dict):
                for alias in value["aliases"]:
                    if alias in holders:
                        holders[alias].append(index_name)
        return holders

    def _write_targets(self, holders: dict[str, list[str]]) -> list[str]:
        """Where a write batch goes: the live alias, plus the rebuilding one during a rebuild.

        Looked up once per write batch (a few hundred documents at most), never cached: a cached
        "no rebuild" answer could let a batch skip an index whose stream already read the older
        version of its documents, and the change would be lost at the swap. GET _alias is
        answered from the cluster state, cheap next to the bulk request itself.
        Writes name the aliases, not the indices behind them, so Elasticsearch resolves them when
        the bulk runs: a swap between the lookup and the bulk still lands the write in the index
        that is live by then.
        """
        return [alias for alias in (self.alias, self.rebuilding_alias) if holders[alias]]

    def _rebuilding_alias_gone(self, item: dict[str, Any]) -> bool:
        error = item.get("error") or {}
        return (
            item.get("_index") == self.rebuilding_alias
            and error.get("type") == "index_not_found_exception"
        )

    def rebuild(self, documents: Iterable[SearchDocument]) -> int:
        """Load a new versioned index aside, then swap the alias to it in one _aliases request.

        Writes made meanwhile (index/delete from the outbox drain, in other processes) are not
        lost at the swap: the new index is created together with the alias `<prefix>-rebuilding`
        (one create-index request), and every write batch goes to the live alias and, while
        that alias exists, to the rebuilding one too.

        Ordering between those writes and the stream is settled by document versions rather
        than by replaying ids afterwards (the ids are written by other processes, so this one
        never sees them). The stream indexes with `version_type: external, version: 1`, which
        succeeds only if the new index holds no version of the document yet ("only index the
        document if the specified version is strictly higher than the version of the stored
        document or if there is no existing document": VersionType in the Elasticsearch
        specification; Index API, "Versioning"). A live write is a plain, internally versioned
        one, so it leaves the document, or the tombstone of a delete, at version >= 1: the
        stream's copy of that document is then refused with 409 and the live write stands,
        whichever came first.
        A delete's tombstone is kept only for `index.gc_deletes` (Delete API, "Versioning";
        default 60s), so the new index is created with REBUILD_GC_DELETES, longer than any
        rebuild, and set back to the default after the swap.

        The swap removes the rebuilding alias in the same atomic _aliases request that moves the
        live alias (with must_exist, so a rebuild whose index was discarded by a newer one fails
        instead of swapping). A failed rebuild deletes its index, which takes its aliases with
        it. A crashed rebuild leaves the alias behind on an orphan index: writes keep
        succeeding there (wasted, harmless), and the next rebuild deletes that index first.
        One rebuild at a time: a second one treats the first's index as such an orphan.
        """
        self.ensure_setup()
        self._discard_abandoned_rebuilds()
        new_index = self._new_index_name()
        # One request: the index appears with its rebuilding alias, so no write batch can see
        # one without the other. Create index API: `aliases` and `settings` in the body.
        self._call(
            self.client.indices.create,
            index=new_index,
            aliases={self.rebuilding_alias: {"is_write_index": True}},
            settings={"index": {"gc_deletes": REBUILD_GC_DELETES}},
        )
        started = time.monotonic()
        try:
            # 409: a live write reached this document first and is as new or newer.
            loaded = self._bulk(self._stream_actions(documents, new_index), ignore_status=(409,))
            if time.monotonic() - started > REBUILD_GC_DELETES_HOURS * 3600:
                logger.warning(
                    "The rebuild outlasted index.gc_deletes (%s): a page deleted early in it may "
                    "be back until the next reconcile.",
                    REBUILD_GC_DELETES,
                )
            self._call(self.client.indices.refresh, index=new_index)
            # Read now, not at the start: whatever carries the live alias at the swap goes.
            old_indices = [i for i in self._alias_holders()[self.alias] if i != new_index]
            # Aliases API (POST _aliases): "performs one or more alias actions in a single atomic
            # operation"; must_exist on remove: the alias must exist for the action to apply.
            actions: list[dict[str, Any]] = [
                {"remove": {"index": old, "alias": self.alias}} for old in old_indices
            ]
            actions.append(
                {"remove": {"index": new_index, "alias": self.rebuilding_alias, "must_exist": True}}
            )
            actions.append(
                {"add": {"index": new_index, "alias": self.alias, "is_write_index": True}}
            )
            self._call(self.client.indices.update_aliases, actions=actions)
        except BaseException:
            # Never leave a half-built index behind; the old one still serves searches. Deleting
            # the index removes its aliases with it, the rebuilding alias included. Unless the
            # swap went through and only its answer was lost: then the index is live and stays.
            # If the cluster is gone, the orphan stays until the next rebuild deletes it.
            with contextlib.suppress(TransportError, ApiError, EngineUnavailable):
                if new_index not in self._alias_holders()[self.alias]:
                    self.client.options(ignore_status=404).indices.delete(index=new_index)
            raise
        try:
            # Update index settings API: null restores a setting's default.
            self.client.indices.put_settings(
                index=new_index, settings={"index": {"gc_deletes": None}}
            )
        except (TransportError, ApiError) as error:
            logger.warning("Could not reset index.gc_deletes on %s: %s", new_index, error)
        if old_indices:
            self._call(
                self.client.options(ignore_status=404).indices.delete, index=",".join(old_indices)
            )
        return loaded

    def _discard_abandoned_rebuilds(self) -> None:
        """Delete the index a crashed rebuild left behind its alias (never a live index)."""
        holders = self._alias_holders()
        live = set(holders[self.alias])
        abandoned = [i for i in holders[self.rebuilding_alias] if i not in live]
        if abandoned:
            logger.warning("Deleting the index of an unfinished rebuild: %s", ", ".join(abandoned))
            self._call(
                self.client.options(ignore_status=404).indices.delete, index=",".join(abandoned)
            )
        also_live = [i for i in holders[self.rebuilding_alias] if i in live]
        if also_live:  # only by hand: the swap removes the rebuilding alias atomically
            self._call(
                self.client.indices.update_aliases,
                actions=[
                    {"remove": {"index": i, "alias": self.rebuilding_alias}} for i in also_live
                ],
            )

    @staticmethod
    def _index_actions(
        documents: Iterable[SearchDocument], *targets: str
    ) -> Iterator[dict[str, Any]]:
        for document in documents:
            source = document_source(document)
            for target in targets:
                yield {"_op_type": "index", "_index": target, "_id": document.id, "_source": source}

    @staticmethod
    def _stream_actions(
        documents: Iterable[SearchDocument], index: str
    ) -> Iterator[dict[str, Any]]:
        """The rebuild's index actions: version 1, external, so any live write outranks them.

        Bulk API: `version` and `version_type` are action metadata of every operation
        (OperationBase in the specification's bulk types); the helper moves them into the
        action line.
        """
        for action in ElasticsearchEngine._index_actions(documents, index):
            yield {**action, "version": STREAM_VERSION, "version_type": "external"}

    def _bulk(
        self,
        actions: Iterable[dict[str, Any]],
        ignore_status: tuple[int, ...] = (),
        require_alias: bool = False,
        ignore_item: Callable[[dict[str, Any]], bool] | None = None,
    ) -> int:
        """Send actions in chunks; items refused with 429 are retried with exponential backoff.

        raise_on_error stays off in the helper: with it on, the helper raises on the first
        rejected (429) item instead of retrying it. Failures left after the retries are collected
        here and raised together, so a caller never acknowledges a half-applied batch.
        """
        ok_count = 0
        failures: list[dict[str, Any]] = []
        try:
            for ok, item in helpers.streaming_bulk(
                self.client.options(request_timeout=self.bulk_request_timeout),
                actions,
                chunk_size=self.bulk_chunk_size,
                max_retries=self.bulk_max_retries,
                initial_backoff=self.bulk_initial_backoff,
                max_backoff=60,
                raise_on_error=False,
                require_alias=require_alias,
            ):
                result = next(iter(item.values()))
                if (
                    ok
                    or result.get("status") in ignore_status
                    or (ignore_item is not None and ignore_item(result))
                ):
                    ok_count += 1
                else:
                    failures.append(result)
        except (TransportError, ApiError) as error:
            raise EngineUnavailable(f"bulk request failed: {error}") from error
        if failures:
            reasons = "; ".join(
                f"{f.get('_id')}: {f.get('error', {}).get('reason', f.get('status'))}"
                for f in failures[:3]
            )
            raise EngineUnavailable(f"{len(failures)} document(s) refused: {reasons}")
        return ok_count

    # Reads -------------------------------------------------------------------------------------
    def count(self) -> int:
        response = self._call(self.client.options(ignore_status=404).count, index=self.alias)
        return 0 if response.meta.status == 404 else int(response["count"])

    def indexed_versions(self) -> dict[str, str]:
        """Every document id behind the alias with its stored fingerprint.

        Pages through one point in time with search_after, sorted on _shard_doc: the reference's
        recommended way to read a whole index ("Paginate search results"; open/close point in
        time APIs), consistent even while writes or a rebuild's alias swap happen meanwhile.
        A document stored without a fingerprint (an older template) maps to "" so it reads as
        drifted.
        """
        opened = self._call(
            self.client.options(ignore_status=404).open_point_in_time,
            index=self.alias,
            keep_alive=PIT_KEEP_ALIVE,
        )
        if opened.meta.status == 404:  # no index behind the alias yet
            return {}
        pit_id = opened.body["id"]
        versions: dict[str, str] = {}
        try:
            search_after: list[Any] | None = None
            while True:
                page = self._call(
                    self.client.search, body=self.versions_page_body(pit_id, search_after)
                ).body
                # Each response may carry a new PIT id; the latest one is the one to use.
                pit_id = page.get("pit_id", pit_id)
                hits = page["hits"]["hits"]
                for hit in hits:
                    versions[hit["_id"]] = (hit.get("_source") or {}).get("fingerprint") or ""
                if len(hits) < VERSIONS_PAGE_SIZE:
                    break
                search_after = hits[-1]["sort"]
        finally:
            # Closing frees the search contexts early; if it fails they expire with keep_alive.
            try:
                self.client.close_point_in_time(id=pit_id)
            except (TransportError, ApiError) as error:
                logger.warning("Could not close an Elasticsearch point in time: %s", error)
        return versions

    @staticmethod
    def versions_page_body(pit_id: str, search_after: list[Any] | None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "pit": {"id": pit_id, "keep_alive": PIT_KEEP_ALIVE},
            "size": VERSIONS_PAGE_SIZE,
            "sort": [{"_shard_doc": "asc"}],  # the cheapest total order within a PIT
            "_source": ["fingerprint"],
            "track_total_hits": False,
        }
        if search_after is not None:
            body["search_after"] = search_after
        return body

    def health(self) -> EngineHealth:
        # A health check answers quickly or says no: load balancers poll it every few seconds.
        client = self.client.options(request_timeout=HEALTH_TIMEOUT_SECONDS, max_retries=0)
        try:
            cluster = client.cluster.health(timeout=f"{HEALTH_TIMEOUT_SECONDS}s")
            if not client.indices.exists_alias(name=self.alias):
                return EngineHealth(
                    ok=False, engine=self.name, detail=f"alias {self.alias} does not exist"
                )
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

    def search(self, request: SearchRequest) -> SearchResponse:
        if self._live_synonyms:
            self._sync_synonyms()
        response = self._search(self.search_body(request))
        if response is None:
            return SearchResponse(
                total=0, hits=[], facets={f: [] for f in FACET_FIELDS}, took_ms=0.0
            )
        parsed = parse_search_response(response, request)
        if request.collapse_translations:
            parsed = dataclasses.replace(parsed, hits=self._prefer_language(parsed.hits, request))
        return parsed

    def _prefer_language(self, hits: list[SearchHit], request: SearchRequest) -> list[SearchHit]:
        """Each group's translation in the visitor's language, where one exists.

        The collapsed hit already shows the visitor's language when that translation matched
        the query too (see _preferred_translation). For the other groups on the page, one
        lookup by group and locale (within the request's filters) finds the visitor's
        translation, shown in the group's place and with its score. A failed lookup leaves
        the page as it is: the search itself succeeded.
        """
        groups = sorted(
            {hit.translation_key for hit in hits if hit.locale != request.language} - {""}
        )
        if not groups:
            return hits
        try:
            response = self._search(self.translations_body(request, groups))
        except EngineUnavailable as error:
            logger.warning("Kept the page's original languages: %s", error)
            return hits
        if response is None:
            return hits
        swaps: dict[str, SearchHit] = {}
        for found in response["hits"]["hits"]:
            translation = _hit_from(found, request)
            swaps.setdefault(translation.translation_key, translation)
        return [
            dataclasses.replace(swaps[hit.translation_key], score=hit.score)
            if hit.locale != request.language and hit.translation_key in swaps
            else hit
            for hit in hits
        ]

    def translations_body(self, request: SearchRequest, groups: list[str]) -> dict[str, Any]:
        """The lookup of these groups' translations in the visitor's language.

        No text query and no highlight: the group already matched, and the snippet is the
        translation's summary.
        """
        return {
            "size": len(groups),
            "track_total_hits": False,
            "_source": HIT_SOURCE,
            "query": {
                "bool": {
                    "filter": [
                        {"terms": {"translation_key": groups}},
                        {"term": {"locale": request.language}},
                        *self._filter_clauses(request).values(),
                    ]
                }
            },
        }

    def _search(self, body: dict[str, Any]) -> dict[str, Any] | None:
        """The _search response body, or None while no index exists behind the alias yet."""
        response = self._call(
            self.client.options(ignore_status=404).search, index=self.alias, body=body
        )
        return None if response.meta.status == 404 else response.body

    def search_body(self, request: SearchRequest) -> dict[str, Any]:
        """The search request body for a SearchRequest.

        Filters go in post_filter, not in the query: the facet aggregations run on the query's
        hits, and each facet applies every filter except its own, so choosing "kind: policy"
        still shows the other kinds' counts.
        """
        page = max(1, request.page)
        size = max(1, min(request.page_size, 100))
        filters = self._filter_clauses(request)
        body: dict[str, Any] = {
            "query": self._query(request),
            # Past index.max_result_window Elasticsearch refuses the request: such a page is
            # empty (the total and facets still come back).
            "from": (page - 1) * size if page * size <= MAX_RESULT_WINDOW else 0,
            "size": size if page * size <= MAX_RESULT_WINDOW else 0,
            "sort": self._sort(request),
            "track_total_hits": True,
            "_source": HIT_SOURCE,
            "highlight": HIGHLIGHT,
            "aggs": self._facet_aggregations(filters, request.collapse_translations),
        }
        if filters:
            body["post_filter"] = {"bool": {"filter": list(filters.values())}}
        text = " ".join(request.query.split())
        if text:
            body["suggest"] = self._spelling_suggester(text)
        if request.collapse_translations:
            body["collapse"] = {
                "field": "translation_key",
                "inner_hits": {
                    "name": "translations",
                    "size": MAX_TRANSLATIONS,
                    "_source": HIT_SOURCE,
                    "highlight": HIGHLIGHT,
                },
            }
            body["aggs"]["collapsed_total"] = {
                "filter": {"bool": {"filter": list(filters.values())}},
                "aggs": {
                    "groups": {
                        "cardinality": {"field": "translation_key", "precision_threshold": 40000}
                    }
                },
            }
        return body

    @staticmethod
    def _filter_clauses(request: SearchRequest) -> dict[str, dict[str, Any]]:
        """The request's facet filters as clauses, by facet name."""
        return {
            facet: {"terms": {FACET_INDEX_FIELDS[facet]: list(values)}}
            for facet, values in request.filters.items()
            if facet in FACET_INDEX_FIELDS and values
        }

    @staticmethod
    def _query(request: SearchRequest) -> dict[str, Any]:
        text = " ".join(request.query.split())
        if not text:
            return {"match_all": {}}
        # The visitor's language analysis first and weighted double, then the always-queried
        # ones, then the standard fallback (the field itself).
        own = SUBFIELD_FOR_LANGUAGE.get(request.language)
        subfields = [own] if own else []
        subfields += [sub for sub in ALWAYS_QUERIED_SUBFIELDS if sub != own]
        fields = [
            f"{name}.{sub}^{boost * 2 if sub == own else boost}"
            for sub in subfields
            for name, boost in TEXT_FIELD_BOOSTS.items()
        ]
        fields += [f"{name}^{boost}" for name, boost in TEXT_FIELD_BOOSTS.items()]
        return {
            "bool": {
                # best_fields: the best-matching field decides; every hit must match here.
                "must": [
                    {
                        "multi_match": {
                            "query": text,
                            "type": "best_fields",
                            "fields": fields,
                            "tie_breaker": 0.3,
                        }
                    }
                ],
                "should": [
                    # cross_fields: rewards words spread over title, summary and body.
                    {
                        "multi_match": {
                            "query": text,
                            "type": "cross_fields",
                            "fields": fields,
                            "operator": "and",
                        }
                    },
                    # The visitor's own translation ranks first within its group.
                    {"term": {"locale": {"value": request.language, "boost": 0.5}}},
                ],
            }
        }

    @staticmethod
    def _spelling_suggester(text: str) -> dict[str, Any]:
        """A phrase suggester over the shingled `spelling` field: "did you mean".

        Shapes from the Elasticsearch reference, "Suggester examples" > "Phrase suggester"
        (docs/reference/elasticsearch/rest-apis/search-suggesters.md): a shingled field for
        both the language model and the direct generator, and a collate query that drops
        corrections matching no document (prune is false by default). Read only when nothing
        matched (parse_search_response).
        """
        return {
            "text": text,
            SPELLING_SUGGESTER: {
                "phrase": {
                    "field": "spelling",
                    "size": 1,
                    "gram_size": 3,
                    "max_errors": 2,  # the reference advises 1 or 2: more costs more than the query
                    "direct_generator": [{"field": "spelling", "suggest_mode": "always"}],
                    "collate": {
                        "query": {
                            "source": {
                                "multi_match": {
                                    "query": "{{suggestion}}",
                                    "type": "cross_fields",
                                    "fields": ["title", "summary", "body"],
                                    "operator": "and",
                                }
                            }
                        }
                    },
                }
            },
        }

    @staticmethod
    def _sort(request: SearchRequest) -> list[Any]:
        newest = {"started": {"order": "desc", "missing": "_last", "unmapped_type": "date"}}
        if request.sort == "date":
            return [newest, "_score"]
        return ["_score", newest]

    @staticmethod
    def _facet_aggregations(filters: dict[str, dict[str, Any]], collapse: bool) -> dict[str, Any]:
        aggregations: dict[str, Any] = {}
        for facet in FACET_FIELDS:
            others = [clause for name, clause in filters.items() if name != facet]
            terms: dict[str, Any] = {
                "terms": {
                    "field": FACET_INDEX_FIELDS[facet],
                    "size": 50,
                    "order": {"_key": "desc"} if facet == "year" else {"_count": "desc"},
                }
            }
            if collapse:
                # Count translation groups, not translations, so facets agree with the total.
                terms["aggs"] = {"groups": {"cardinality": {"field": "translation_key"}}}
            aggregations[facet] = {
                "filter": {"bool": {"filter": others}},
                "aggs": {"values": terms},
            }
        return aggregations

    def suggest(self, prefix: str, language: str = "en", limit: int = 8) -> list[str]:
        text = " ".join(prefix.split())
        if not text:
            return []
        response = self._search(self.suggest_body(text, language, limit))
        if response is None:
            return []
        titles: list[str] = []
        for hit in response["hits"]["hits"]:
            title = hit.get("_source", {}).get("title", "")
            if title and title not in titles:
                titles.append(title)
        return titles[:limit]

    @staticmethod
    def suggest_body(text: str, language: str, limit: int) -> dict[str, Any]:
        return {
            "size": limit * 3,  # translations and duplicates are dropped afterwards
            "_source": ["title", "locale"],
            "query": {
                "bool": {
                    "must": [{"match": {"title.autocomplete": {"query": text, "operator": "and"}}}],
                    "should": [
                        {"term": {"locale": {"value": language, "boost": 2}}},
                        {"match_phrase_prefix": {"title": {"query": text}}},
                    ],
                }
            },
        }

    def more_like_this(self, document_id: str, limit: int = 5) -> list[SearchHit]:
        own = self._search(
            {
                "size": 1,
                "_source": ["translation_key", "locale"],
                "query": {"ids": {"values": [document_id]}},
            }
        )
        if own is None or not own["hits"]["hits"]:
            return []
        own_hit = own["hits"]["hits"][0]
        response = self._search(self.more_like_this_body(own_hit, limit)) or {"hits": {"hits": []}}
        request = SearchRequest(language=own_hit["_source"].get("locale", "en"))
        return [_hit_from(h, request) for h in response["hits"]["hits"]][:limit]

    @staticmethod
    def more_like_this_body(own_hit: dict[str, Any], limit: int) -> dict[str, Any]:
        source = own_hit.get("_source", {})
        # English and Korean, and the page's own language where it has another sub-field.
        own = SUBFIELD_FOR_LANGUAGE.get(source.get("locale", "en"))
        subfields = ["en", "ko"] + ([own] if own not in ("en", "ko", None) else [])
        return {
            "size": limit,
            "_source": HIT_SOURCE,
            "query": {
                "bool": {
                    "must": [
                        {
                            "more_like_this": {
                                "fields": [
                                    f"{name}{suffix}"
                                    for suffix in ("", *(f".{sub}" for sub in subfields))
                                    for name in ("title", "summary", "body")
                                ],
                                "like": [{"_index": own_hit["_index"], "_id": own_hit["_id"]}],
                                "min_term_freq": 1,
                                "min_doc_freq": 1,
                                "max_query_terms": 25,
                            }
                        }
                    ],
                    # Never the page itself nor its translations.
                    "must_not": [{"term": {"translation_key": source.get("translation_key", "")}}],
                    "should": [
                        {"term": {"locale": {"value": source.get("locale", "en"), "boost": 0.5}}}
                    ],
                }
            },
            "collapse": {"field": "translation_key"},
        }

    # Errors ------------------------------------------------------------------------------------
    @staticmethod
    def _call(function: Any, *args: Any, **kwargs: Any) -> Any:
        """Run one client call; unreachable or failing clusters become EngineUnavailable."""
        try:
            return function(*args, **kwargs)
        except ApiError as error:
            raise EngineUnavailable(f"Elasticsearch refused the request: {error}") from error
        except TransportError as error:
            raise EngineUnavailable(f"Elasticsearch is unreachable: {error}") from error


HIGHLIGHT = {
    "pre_tags": [HIGHLIGHT_START],
    "post_tags": [HIGHLIGHT_END],
    "encoder": "html",  # escape the text around the marks
    "fragment_size": SNIPPET_CHARS,
    "number_of_fragments": 1,
    # Analyse only the start of each field: past index.highlight.max_analyzed_offset
    # (1,000,000 by default) a highlight fails the whole search with a 400. With this
    # setting the rest is left unhighlighted, without an error.
    "max_analyzed_offset": SNIPPET_SOURCE_CHARS,
    "fields": {
        name: {}
        for base in ("summary", "body", "attachments_text")
        for name in (base, *(f"{base}.{sub}" for sub in LANGUAGE_SUBFIELDS))
    },
}
# The order in which highlighted fields make the snippet.
SNIPPET_FIELDS = tuple(HIGHLIGHT["fields"])


# --- Response parsing ---------------------------------------------------------------------------
def parse_search_response(body: dict[str, Any], request: SearchRequest) -> SearchResponse:
    """A SearchResponse from a documented _search response body."""
    aggregations = body.get("aggregations", {})
    if request.collapse_translations and "collapsed_total" in aggregations:
        total = int(aggregations["collapsed_total"]["groups"]["value"])
    else:
        total = int(body["hits"]["total"]["value"])
    hits = [
        _hit_from(_preferred_translation(hit, request.language), request)
        for hit in body["hits"]["hits"]
    ]
    facets: dict[str, list[FacetCount]] = {}
    for facet in FACET_FIELDS:
        buckets = aggregations.get(facet, {}).get("values", {}).get("buckets", [])
        facets[facet] = [
            FacetCount(
                value=str(bucket.get("key_as_string", bucket["key"])),
                count=int(bucket["groups"]["value"] if "groups" in bucket else bucket["doc_count"]),
            )
            for bucket in buckets
        ]
    return SearchResponse(
        total=total,
        hits=hits,
        facets=facets,
        took_ms=float(body.get("took", 0)),
        suggestion="" if total else _spelling_suggestion(body),
    )


def _spelling_suggestion(body: dict[str, Any]) -> str:
    """The phrase suggester's best correction, as the reference's response example shapes it.

    `suggest.<name>` is a list with one entry for the whole text; its options are ranked, and
    with collate (prune false) only corrections that match some document remain.
    """
    for entry in body.get("suggest", {}).get(SPELLING_SUGGESTER, []):
        for option in entry.get("options", []):
            if option.get("collate_match", True) and option.get("text"):
                return str(option["text"])
    return ""


def _preferred_translation(hit: dict[str, Any], language: str) -> dict[str, Any]:
    """The collapsed group's hit in the visitor's language, if the group has one."""
    translations = hit.get("inner_hits", {}).get("translations", {}).get("hits", {}).get("hits", [])
    for translation in translations:
        if translation.get("_source", {}).get("locale") == language:
            return translation
    return hit


def _hit_from(hit: dict[str, Any], request: SearchRequest) -> SearchHit:
    source = hit.get("_source", {})
    highlights = hit.get("highlight", {})
    snippet = next((highlights[f][0] for f in SNIPPET_FIELDS if highlights.get(f)), None)
    if snippet is None:
        snippet = html.escape(_shorten(source.get("summary", ""), SNIPPET_CHARS))
    started = source.get("started")
    return SearchHit(
        id=hit["_id"],
        translation_key=source.get("translation_key", ""),
        locale=source.get("locale", ""),
        url=source.get("url", ""),
        title=source.get("title", ""),
        snippet=snippet,
        content_type=source.get("content_type", ""),
        kind=source.get("kind", ""),
        topics=tuple(source.get("topics") or ()),
        city=source.get("city") or "",
        country=source.get("country") or "",
        started=date.fromisoformat(started) if started else None,
        score=float(hit.get("_score") or 0.0),
    )


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + "…"
