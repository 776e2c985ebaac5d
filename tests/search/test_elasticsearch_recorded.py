"""The engine parsing example responses recorded from the Elasticsearch API specification.

tests/search/test_elasticsearch_requests.py checks the requests with hand-written answers; here
the fake answers with the specification's own examples (tests/search/recorded/, whose
SOURCES.md says where each came from and lists the APIs the specification has no example
response for), and each test asserts what the engine reads out of one. Values expected are
read from the recorded example, not written again here.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from search.engines.base import EngineUnavailable, SearchRequest
from search.engines.elasticsearch.lifecycle import rules_by_id
from tests.search.elasticsearch_fake import ALIAS_LOOKUP, aliases_found
from tests.search.test_elasticsearch_requests import a_document, make_engine

RECORDED = Path(__file__).parent / "recorded"
SPECIFICATION = "elastic/elasticsearch-specification"


@cache
def _load(name: str) -> dict[str, Any]:
    return json.loads((RECORDED / f"{name}.json").read_text(encoding="utf-8"))


def recorded(name: str) -> dict[str, Any]:
    """A fresh copy of the recorded example response `name`."""
    return copy.deepcopy(_load(name)["response"])


def test_every_recording_names_the_specification_file_and_commit_it_came_from():
    names = sorted(p.stem for p in RECORDED.glob("*.json"))
    sources = (RECORDED / "SOURCES.md").read_text(encoding="utf-8")
    assert names
    for name in names:
        source = _load(name)["source"]
        assert source["repository"] == SPECIFICATION
        assert source["path"].startswith("specification/") and "/examples/" in source["path"]
        assert len(source["commit"]) == 40 and source["commit"] in sources
        assert f"| {name}.json |" in sources and source["path"] in sources


# --- search ------------------------------------------------------------------------------------
def test_the_search_example_becomes_total_hits_scores_and_took(fake_es):
    fake, url = fake_es
    example = recorded("search")
    fake.on("POST", r"/cac-knowledge/_search", (200, example))

    response = make_engine(url).search(SearchRequest(query="kimchy"))

    assert response.total == example["hits"]["total"]["value"]
    assert response.took_ms == float(example["took"])
    assert [hit.id for hit in response.hits] == [h["_id"] for h in example["hits"]["hits"]]
    assert [hit.score for hit in response.hits] == [h["_score"] for h in example["hits"]["hits"]]
    # The example's documents are log lines: none of the engine's own fields are there.
    assert all(hit.title == "" and hit.started is None for hit in response.hits)
    # No aggregations in the example: every facet is read as empty; hits found, no suggestion.
    assert response.facets and all(counts == [] for counts in response.facets.values())
    assert response.suggestion == ""
    # total is not 0, so no second (spelling) search was sent.
    assert len(fake.sent("POST", r"/cac-knowledge/_search")) == 1


def test_suggest_reads_titles_from_the_search_examples_sources_and_finds_none(fake_es):
    fake, url = fake_es
    example = recorded("search")
    assert all("title" not in h["_source"] for h in example["hits"]["hits"])
    fake.on("POST", r"/cac-knowledge/_search", (200, example))

    assert make_engine(url).suggest("kim") == []


# --- open_point_in_time, search under it, close_point_in_time ----------------------------------
def test_indexed_versions_reads_the_pit_id_hits_and_closes_the_examples_pit(fake_es):
    fake, url = fake_es
    opened = recorded("open_point_in_time")
    page = recorded("search")  # one hit: fewer than a page, so the only page
    closed = recorded("close_point_in_time")
    fake.on("POST", r"/cac-knowledge/_pit", (200, opened))
    fake.on("POST", r"/_search", (200, page))
    fake.on("DELETE", r"/_pit", (200, closed))

    versions = make_engine(url).indexed_versions()

    # The example's documents carry no fingerprint: each reads as "" (drifted).
    assert versions == {h["_id"]: "" for h in page["hits"]["hits"]}
    (searched,) = fake.sent("POST", r"/_search")
    assert searched.body["pit"]["id"] == opened["id"]
    # The search example has no pit_id, so the opened id is the one closed.
    assert [r.body for r in fake.sent("DELETE", r"/_pit")] == [{"id": opened["id"]}]


# --- count and cluster.health --------------------------------------------------------------------
def test_count_reads_the_count_example(fake_es):
    fake, url = fake_es
    example = recorded("count")
    fake.on("POST", r"/cac-knowledge/_count", (200, example))

    assert make_engine(url).count() == example["count"]


def test_health_reads_status_and_cluster_name_from_the_cluster_health_example(fake_es):
    fake, url = fake_es
    health_example = recorded("cluster_health")
    count_example = recorded("count")
    # indices.exists_alias is a HEAD: the specification has no response body for it, only 200.
    fake.on("HEAD", r"/_alias/cac-knowledge", (200, None))
    fake.on("GET", r"/_cluster/health/cac-knowledge", (200, health_example))
    fake.on("POST", r"/cac-knowledge/_count", (200, count_example))

    health = make_engine(url).health()

    assert health_example["status"] == "yellow"  # yellow is serving: replicas unassigned only
    assert health.ok
    assert health.documents == count_example["count"]
    assert health.detail == f"cluster {health_example['cluster_name']} {health_example['status']}"


def test_health_is_not_ok_when_the_example_cluster_is_red(fake_es):
    fake, url = fake_es
    example = recorded("cluster_health")
    example["status"] = "red"  # the one change: the same documented answer, red
    fake.on("HEAD", r"/_alias/cac-knowledge", (200, None))
    fake.on("GET", r"/_cluster/health/cac-knowledge", (200, example))
    fake.on("POST", r"/cac-knowledge/_count", (200, recorded("count")))

    health = make_engine(url).health()

    assert not health.ok
    assert health.detail.endswith("red")


# --- bulk --------------------------------------------------------------------------------------
def test_the_failed_actions_bulk_example_raises_with_each_items_error(fake_es):
    fake, url = fake_es
    example = recorded("bulk_failed")
    failed = [next(iter(i.values())) for i in example["items"]]
    failed = [item for item in failed if "error" in item]
    fake.on("GET", ALIAS_LOOKUP, aliases_found())
    # streaming_bulk pairs the items with the actions sent, in order: the example's ids and
    # index names (index1, test) need no change; one document is sent per example item.
    fake.on("PUT", r"/_bulk", (200, example))

    documents = [a_document(n) for n in range(len(example["items"]))]
    with pytest.raises(EngineUnavailable) as raised:
        make_engine(url).index(documents)

    message = str(raised.value)
    assert message.startswith(f"{len(failed)} document(s) refused")
    for item in failed:
        assert f"{item['_id']}: {item['error']['reason']}" in message
    # The example's created item is not reported as refused.
    created = [
        next(iter(i.values())) for i in example["items"] if "error" not in next(iter(i.values()))
    ]
    assert created and all(f"{item['_id']}:" not in message for item in created)


def test_the_successful_bulk_examples_not_found_delete_refuses_an_index_but_not_a_delete(fake_es):
    fake, url = fake_es
    example = recorded("bulk_success")
    not_found = [
        item["delete"] for item in example["items"] if item.get("delete", {}).get("status") == 404
    ]
    assert not_found and example["errors"] is False
    fake.on("GET", ALIAS_LOOKUP, aliases_found())
    fake.on("PUT", r"/_bulk", (200, example))

    # Indexing: a 404 item is a refusal (the status stands in for the missing error reason).
    with pytest.raises(EngineUnavailable) as raised:
        make_engine(url).index([a_document(n) for n in range(len(example["items"]))])
    assert str(raised.value) == f"1 document(s) refused: {not_found[0]['_id']}: 404"

    # Deleting: an id already gone (404, "not_found") is fine.
    make_engine(url).delete([f"page-{n}" for n in range(len(example["items"]))])
    assert len(fake.sent("PUT", r"/_bulk")) == 2


# --- synonyms.get_synonym and synonyms.put_synonym ---------------------------------------------
def synonym_routes(fake, stored: dict[str, Any]) -> None:
    fake.on("GET", r"/_synonyms/cac-knowledge-synonyms", (200, stored))
    fake.on("PUT", r"/_synonyms/cac-knowledge-synonyms", (200, {"result": "updated"}))
    fake.on("POST", r"/cac-knowledge/_cache/clear", (200, {"_shards": {"total": 1}}))


def engine_ids(example: dict[str, Any]) -> dict[str, Any]:
    """The get_synonym example with its rule ids (test-1...) renamed as the engine names its
    rules (group-1...): the engine compares the cluster's rules with its own by id."""
    for number, rule in enumerate(example["synonyms_set"], start=1):
        rule["id"] = f"group-{number}"
    return example


def comma_rules(example: dict[str, Any]) -> list[list[str]]:
    """The example's equivalence rules ("hello, hi") as synonym groups; not the explicit
    mappings ("test => check"), which the engine never writes."""
    return [
        [term.strip() for term in rule["synonyms"].split(",")]
        for rule in example["synonyms_set"]
        if "=>" not in rule["synonyms"]
    ]


def test_sync_synonyms_reads_the_get_synonym_examples_rules_and_sends_nothing_when_they_match(
    fake_es,
):
    fake, url = fake_es
    example = engine_ids(recorded("synonyms_get_synonym"))
    equivalences = {
        r["id"]: r["synonyms"] for r in example["synonyms_set"] if "=>" not in r["synonyms"]
    }
    # Only the equivalence rules, in order, so that their ids match the engine's numbering.
    example["synonyms_set"] = [r for r in example["synonyms_set"] if r["id"] in equivalences]
    assert rules_by_id(example["synonyms_set"]) == equivalences and len(equivalences) == 2
    synonym_routes(fake, example)
    engine = make_engine(url, synonym_groups=lambda: comma_rules(example))

    engine.lifecycle.sync_synonyms()

    assert fake.sent("GET", r"/_synonyms/cac-knowledge-synonyms")
    assert not fake.sent("PUT", r"/_synonyms/.*")


def test_sync_synonyms_pushes_when_the_examples_rules_differ_from_the_live_ones(fake_es):
    fake, url = fake_es
    example = engine_ids(recorded("synonyms_get_synonym"))
    assert example["count"] == len(example["synonyms_set"])
    synonym_routes(fake, example)
    # The live list is the example's equivalences; the example's third rule, an explicit
    # mapping, is not among them: the sets differ and the live one is sent whole.
    live = comma_rules(recorded("synonyms_get_synonym"))
    engine = make_engine(url, synonym_groups=lambda: live)

    engine.lifecycle.sync_synonyms()

    (pushed,) = fake.sent("PUT", r"/_synonyms/cac-knowledge-synonyms")
    assert [rule["synonyms"] for rule in pushed.body["synonyms_set"]] == [
        ", ".join(group) for group in live
    ]
    assert fake.sent("POST", r"/cac-knowledge/_cache/clear")


def test_the_put_synonym_400_example_is_logged_and_not_sent_again(fake_es, caplog):
    fake, url = fake_es
    refusal = recorded("synonyms_put_synonym_400")
    live = [["hello", "hi", "howdy"]]
    synonym_routes(fake, {"count": 0, "synonyms_set": []})
    fake.on("PUT", r"/_synonyms/cac-knowledge-synonyms", (refusal["status"], refusal))
    engine = make_engine(url, synonym_groups=lambda: live)

    with caplog.at_level("WARNING", logger="search.engines.elasticsearch"):
        engine.lifecycle.sync_synonyms()
        engine.lifecycle.sync_synonyms()

    assert len(fake.sent("PUT", r"/_synonyms/.*")) == 1
    assert not fake.sent("POST", r"/cac-knowledge/_cache/clear")
    (logged,) = [r for r in caplog.records if "synonyms" in r.getMessage()]
    assert logged.levelname == "ERROR"
    assert refusal["error"]["type"] in logged.getMessage()
