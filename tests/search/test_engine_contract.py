"""What every search engine promises, run against each engine that is reachable.

The embedded engine always runs; Elasticsearch runs when ELASTICSEARCH_URL is set.
Documents are built directly as SearchDocument values: no pages needed.

The parity cases at the end (dates, boosts, snippets, page size, facets) also run against
Elasticsearch when no cluster is reachable, through the requests it builds and the responses
the Elasticsearch reference documents (tests/search/elasticsearch_fake.py); those never imitate
its search behaviour.
"""

from __future__ import annotations

import html
import os
import threading
import uuid
from datetime import UTC, date, datetime
from typing import Any

import numpy as np
import pytest
from django.conf import settings
from django.http import QueryDict

from search.engines.base import (
    FACET_FIELDS,
    HIGHLIGHT_END,
    HIGHLIGHT_START,
    DocumentVectors,
    QueryVector,
    SearchDocument,
    SearchRequest,
)
from search.engines.common import (
    FACET_BUCKETS,
    FIELD_BOOSTS,
    MAX_PAGE_SIZE,
    SNIPPET_CHARS,
    date_order,
    document_year,
    shorten,
)
from search.engines.elasticsearch import ElasticsearchEngine, document_source
from search.engines.elasticsearch.vectors import VectorSpace, vector_meta
from search.engines.embedded.query import minimum_should_match as embedded_minimum_should_match
from search.engines.fusion import FUSION_DEPTH
from search.models import SynonymGroup
from search.service import invalid_api_parameters, parse_search_request
from tests.search.elasticsearch_fake import (
    ALIAS_LOOKUP,
    LIVE_INDEX,
    REFRESHED,
    aliases_found,
    bulk_ok,
)

pytestmark = pytest.mark.django_db


# Each Elasticsearch engine of the suite has a prefix of its own under this one; the smoke
# script (bench/elasticsearch_smoke.py) sets it to a prefix its credentials may write to and
# deletes everything under it afterwards.
CONTRACT_PREFIX = os.environ.get("ELASTICSEARCH_CONTRACT_PREFIX") or "cac-contract"


def make_engine(name: str, tmp_path, **options):
    if name == "embedded":
        from search.engines.embedded import EmbeddedEngine

        return EmbeddedEngine(tmp_path / "index")
    return ElasticsearchEngine(
        settings.ELASTICSEARCH_URL,
        prefix=f"{CONTRACT_PREFIX}-{uuid.uuid4().hex[:8]}",
        # A secured cluster (docs/scale-out.md) is reached as the site reaches it.
        ca_certs=settings.ELASTICSEARCH_CA_CERTS,
        ssl_assert_fingerprint=settings.ELASTICSEARCH_SSL_FINGERPRINT,
        api_key=settings.ELASTICSEARCH_API_KEY,
        **options,
    )


# Elasticsearch cannot run on the development and CI machines, so it is not a service CI
# must provide: without ELASTICSEARCH_URL the suite runs on the embedded engine alone, and
# the one test below says so.
REACHABLE_ENGINES = ["embedded"] + (["elasticsearch"] if settings.ELASTICSEARCH_URL else [])


@pytest.fixture(params=REACHABLE_ENGINES)
def engine(request, tmp_path):
    return make_engine(request.param, tmp_path)


@pytest.mark.skipif(bool(settings.ELASTICSEARCH_URL), reason="Elasticsearch is in the suite")
def test_contract_suite_against_elasticsearch():
    pytest.skip(
        "ELASTICSEARCH_URL not set: the contract suite ran on the embedded engine, and its "
        "parity cases on Elasticsearch through the requests it sends"
    )


def doc(number: int, **fields) -> SearchDocument:
    values = {
        "id": f"page-{number}",
        "translation_key": f"group-{number}",
        "locale": "en",
        "url": f"/en/practices/{number}/",
        "title": f"Practice {number}",
        "content_type": "practice",
        "kind": "policy",
        "city": "Seoul",
        "country": "KR",
        "started": date(2020, 3, 1),
    }
    values.update(fields)
    return SearchDocument(**values)


def found_ids(engine, query: str, **request) -> list[str]:
    return [hit.id for hit in engine.search(SearchRequest(query=query, **request)).hits]


def test_indexed_documents_are_counted_searchable_and_deletable(engine):
    engine.index([doc(1, body="Walk-through testing booths"), doc(2, body="Safe hospitals")])
    assert engine.count() == 2
    assert found_ids(engine, "booths") == ["page-1"]
    engine.delete(["page-1", "page-unknown"])
    assert engine.count() == 1
    assert found_ids(engine, "booths") == []
    assert engine.health().ok


def test_indexing_the_same_id_replaces_the_document(engine):
    engine.index([doc(1, title="Old title", body="ventilation")])
    engine.index([doc(1, title="New title", body="disinfection")])
    assert engine.count() == 1
    assert found_ids(engine, "ventilation") == []
    hits = engine.search(SearchRequest(query="disinfection")).hits
    assert [hit.title for hit in hits] == ["New title"]


@pytest.mark.parametrize(
    ("query", "text"),
    [
        ("방역", "방역수칙을 지켜 주세요"),
        ("격리", "자가격리자는 외출할 수 없다"),
        ("지원금", "재난지원금을 받았다"),
    ],
)
def test_korean_word_finds_its_compound_and_inflected_forms(engine, query, text):
    engine.index([doc(1, locale="ko", body=text), doc(2, locale="ko", body="서울시 지하철")])
    assert found_ids(engine, query, language="ko") == ["page-1"]


@pytest.mark.parametrize(
    ("language", "query", "text"),
    [
        ("zh-hans", "检测", "首尔设立了免下车检测站"),
        ("zh-hans", "检测站", "首尔设立了免下车检测站"),
        ("ja", "検査", "ソウルはドライブスルー検査を始めた"),
    ],
)
def test_chinese_and_japanese_words_are_found_inside_unspaced_text(engine, language, query, text):
    engine.index(
        [
            doc(1, locale=language, body=text),
            doc(2, locale=language, body="首尔地铁的消毒 地下鉄の消毒"),
        ]
    )
    assert found_ids(engine, query, language=language) == ["page-1"]


@pytest.mark.parametrize("query", ["screening", "screened", "screen"])
def test_english_word_forms_match_each_other(engine, query):
    engine.index(
        [
            doc(1, body="Screening at the airport"),
            doc(2, body="All arrivals were screened"),
            doc(3, body="A screen for every desk"),
            doc(4, body="Hand washing"),
        ]
    )
    assert sorted(found_ids(engine, query)) == ["page-1", "page-2", "page-3"]


@pytest.mark.parametrize(
    "group",
    [
        ("COVID-19", "coronavirus", "SARS-CoV-2"),
        ("quarantine", "self-isolation"),
        ("mask", "face covering"),
        ("contact tracing", "epidemiological investigation"),
        ("subway", "metro", "underground"),
        ("remote learning", "online classes", "distance education"),
    ],
)
def test_each_synonym_finds_documents_using_the_others(engine, group):
    engine.index(
        [doc(n, body=f"Seoul's response: {term} for citizens") for n, term in enumerate(group)]
        + [doc(99, body="Unrelated text about parks")]
    )
    expected = sorted(f"page-{n}" for n in range(len(group)))
    for term in group:
        assert sorted(found_ids(engine, term)) == expected, term


def test_synonyms_added_by_editors_apply_to_queries(engine):
    engine.index([doc(1, body="Thermal cameras at stations"), doc(2, body="Parks")])
    assert found_ids(engine, "fever scanner") == []
    SynonymGroup.objects.create(terms="thermal camera, fever scanner")
    assert found_ids(engine, "fever scanner") == ["page-1"]


def test_filters_narrow_results_and_facets_count_the_filtered_set(engine):
    engine.index(
        [
            doc(1, body="masks", topics=("masks",), kind="policy", city="Seoul", country="KR"),
            doc(2, body="masks", topics=("masks", "schools"), kind="technology", city="Busan"),
            doc(
                3,
                body="masks",
                topics=("schools",),
                kind="policy",
                city="Paris",
                country="FR",
                started=date(2021, 1, 5),
            ),
        ]
    )
    everything = engine.search(SearchRequest(query="masks"))
    assert set(everything.facets) == set(FACET_FIELDS)
    assert {f.value: f.count for f in everything.facets["country"]} == {"KR": 2, "FR": 1}
    assert {f.value: f.count for f in everything.facets["year"]} == {"2020": 2, "2021": 1}

    korean = engine.search(SearchRequest(query="masks", filters={"country": ("KR",)}))
    assert sorted(hit.id for hit in korean.hits) == ["page-1", "page-2"]
    assert {f.value: f.count for f in korean.facets["topic"]} == {"masks": 2, "schools": 1}
    assert {f.value: f.count for f in korean.facets["kind"]} == {"policy": 1, "technology": 1}

    schools_policy = engine.search(
        SearchRequest(query="masks", filters={"topic": ("schools",), "kind": ("policy",)})
    )
    assert [hit.id for hit in schools_policy.hits] == ["page-3"]
    by_year = engine.search(SearchRequest(filters={"year": ("2021",)}))
    assert [hit.id for hit in by_year.hits] == ["page-3"]


def test_the_status_facet_counts_and_filters_practices_by_status(engine):
    engine.index(
        [
            doc(1, body="masks", status="active"),
            doc(2, body="masks", status="ended"),
            doc(3, body="masks", status="ended"),
            doc(4, body="masks"),  # not known: in no bucket, but found without the filter
        ]
    )
    everything = engine.search(SearchRequest(query="masks"))
    assert {f.value: f.count for f in everything.facets["status"]} == {"ended": 2, "active": 1}
    assert everything.total == 4
    assert sorted(found_ids(engine, "masks", filters={"status": ("ended",)})) == [
        "page-2",
        "page-3",
    ]


def test_sort_by_date_puts_newest_first(engine):
    engine.index(
        [
            doc(1, body="testing", started=date(2020, 2, 1)),
            doc(2, body="testing testing testing", started=date(2020, 1, 1)),
            doc(3, body="testing", started=date(2020, 6, 1)),
        ]
    )
    assert found_ids(engine, "testing", sort="date") == ["page-3", "page-1", "page-2"]


def test_pages_split_results_without_overlap(engine):
    engine.index([doc(n, body="hand sanitiser") for n in range(1, 8)])
    pages = [
        engine.search(SearchRequest(query="sanitiser", page=p, page_size=3)) for p in (1, 2, 3)
    ]
    assert [len(page.hits) for page in pages] == [3, 3, 1]
    assert all(page.total == 7 for page in pages)
    ids = [hit.id for page in pages for hit in page.hits]
    assert len(set(ids)) == 7


def test_translations_collapse_to_the_visitors_language(engine):
    engine.index(
        [
            doc(1, translation_key="shared", locale="en", title="Mask distribution", body="mask"),
            doc(2, translation_key="shared", locale="ko", title="마스크 배포", body="마스크 mask"),
            doc(3, translation_key="alone", locale="en", title="Mask factories", body="mask"),
        ]
    )
    in_korean = engine.search(SearchRequest(query="mask", language="ko"))
    assert in_korean.total == 2
    assert sorted(hit.id for hit in in_korean.hits) == ["page-2", "page-3"]
    in_english = engine.search(SearchRequest(query="mask", language="en"))
    assert sorted(hit.id for hit in in_english.hits) == ["page-1", "page-3"]
    uncollapsed = engine.search(SearchRequest(query="mask", collapse_translations=False))
    assert uncollapsed.total == 3


def test_snippets_escape_html_and_mark_only_matches(engine):
    engine.index([doc(1, body='Quarantine <script>alert("x")</script> & checks at the border')])
    hit = engine.search(SearchRequest(query="border")).hits[0]
    assert "<script>" not in hit.snippet
    assert "&lt;script&gt;" in hit.snippet
    assert "<mark>border</mark>" in hit.snippet
    assert hit.snippet.replace("<mark>", "").replace("</mark>", "").count("<") == 0


def test_a_huge_body_is_found_anywhere_but_snippets_read_only_its_start(engine):
    # 4.4 MB of body: the term past SNIPPET_SOURCE_CHARS still finds the page, but its
    # snippet comes from the text snippets read (the summary), so it costs what a short
    # body's does.
    filler = "Ventilation was checked in every classroom. " * 100_000
    engine.index(
        [
            doc(1, summary="Schools reopened with checks.", body=filler + "Wastewater sampling."),
            doc(2, summary="A pilot.", body="Wastewater surveillance found cases early."),
        ]
    )

    hits = {hit.id: hit for hit in engine.search(SearchRequest(query="wastewater")).hits}
    assert set(hits) == {"page-1", "page-2"}
    assert hits["page-1"].snippet == "Schools reopened with checks."
    assert "<mark>Wastewater</mark> surveillance" in hits["page-2"].snippet
    within = engine.search(SearchRequest(query="classroom")).hits
    assert [hit.id for hit in within] == ["page-1"]
    assert "every <mark>classroom</mark>" in within[0].snippet
    assert len(within[0].snippet) < 400


def test_suggest_completes_titles_in_english_and_korean(engine):
    engine.index(
        [
            doc(1, title="Drive-through screening stations"),
            doc(2, locale="ko", title="드라이브스루 선별진료소"),
            doc(3, title="Public transport disinfection"),
        ]
    )
    assert engine.suggest("drive") == ["Drive-through screening stations"]
    assert "Drive-through screening stations" in engine.suggest("scree")
    assert engine.suggest("선별", language="ko") == ["드라이브스루 선별진료소"]
    assert engine.suggest("") == []


def test_more_like_this_excludes_the_document_and_its_translations(engine):
    engine.index(
        [
            doc(
                1,
                translation_key="g1",
                title="Mask distribution at pharmacies",
                body="masks pharmacies rationing",
            ),
            doc(
                2,
                translation_key="g1",
                locale="ko",
                title="Mask distribution at pharmacies",
                body="masks pharmacies rationing 마스크",
            ),
            doc(3, title="Pharmacies sell masks", body="mask rationing at pharmacies"),
            doc(4, title="School lunches", body="meals for children"),
        ]
    )
    similar = [hit.id for hit in engine.more_like_this("page-1")]
    assert similar[0] == "page-3"
    assert "page-1" not in similar and "page-2" not in similar
    assert engine.more_like_this("page-unknown") == []


def test_rebuild_swaps_in_new_content_while_searches_keep_working(engine):
    engine.index([doc(1, body="old content")])
    errors = []
    stop = threading.Event()

    def keep_searching():
        while not stop.is_set():
            try:
                engine.search(SearchRequest(query="content"))
            except Exception as error:  # the assertion below reports it
                errors.append(error)

    searcher = threading.Thread(target=keep_searching)
    searcher.start()
    try:
        count = engine.rebuild(doc(n, body="new content") for n in range(10, 40))
    finally:
        stop.set()
        searcher.join()
    assert errors == []
    assert count == 30
    assert engine.count() == 30
    assert "page-1" not in found_ids(engine, "content", page_size=50)


@pytest.mark.parametrize(
    "query",
    ['"unbalanced', "AND OR", "*", "title:", ":", "a" * 10_000, "mask\x00", "(((", "-", "NOT"],
)
def test_odd_queries_return_normally(engine, query):
    engine.index([doc(1, body="mask and gloves or visors")])
    response = engine.search(SearchRequest(query=query))
    assert response.total >= 0
    assert engine.suggest(query) is not None


def test_took_ms_is_reported(engine):
    engine.index([doc(1, body="ventilation")])
    response = engine.search(SearchRequest(query="ventilation"))
    assert response.took_ms >= 0


def test_embedded_rebuild_removes_old_index_directories(tmp_path):
    engine = make_engine("embedded", tmp_path)
    engine.index([doc(1)])
    engine.rebuild([doc(2)])
    engine.rebuild([doc(3)])
    generations = list((tmp_path / "index").glob("gen-*"))
    assert len(generations) == 1
    assert found_ids(engine, "practice") == ["page-3"]


def test_embedded_highlighting_reads_a_bounded_start_of_the_text():
    from search.engines.embedded import highlight

    text = "Masks were handed out. " * 1_000 + "Wastewater sampling."
    assert "<mark>Wastewater</mark>" in highlight(text, {"wastewat"})
    assert highlight(text, {"wastewat"}, max_source_chars=10_000) == highlight(text, set())
    assert highlight(text, {"wastewat"}, max_source_chars=10_000).startswith("Masks were")


def test_embedded_stores_only_the_start_of_long_texts():
    from search.engines.base import SNIPPET_SOURCE_CHARS
    from search.engines.embedded.schema import document_from_payload, payload

    huge = doc(1, summary="s" * 300_000, body="b" * 3_000_000, attachments_text="a" * 500_000)

    stored = document_from_payload(payload(huge))

    assert stored.body == "b" * SNIPPET_SOURCE_CHARS
    assert stored.summary == "s" * SNIPPET_SOURCE_CHARS
    assert stored.attachments_text == "a" * SNIPPET_SOURCE_CHARS
    assert stored.title == huge.title


def test_embedded_writes_from_two_engines_on_one_directory_both_land(tmp_path):
    # Two engine objects stand for a web process and a worker sharing the index directory.
    web, worker = make_engine("embedded", tmp_path), make_engine("embedded", tmp_path)
    threads = [
        threading.Thread(target=web.index, args=([doc(n) for n in range(0, 20)],)),
        threading.Thread(target=worker.index, args=([doc(n) for n in range(20, 40)],)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert web.count() == 40 and worker.count() == 40


def test_korean_synonym_finds_the_english_term(engine):
    engine.index([doc(1, body="COVID-19 testing for travellers"), doc(2, body="Parks")])
    assert found_ids(engine, "코로나19", language="ko") == ["page-1"]


def test_indexed_versions_hold_each_documents_fingerprint(engine):
    documents = [doc(1, body="ventilation"), doc(2, body="schools", locale="ko")]
    engine.index(documents)
    assert engine.indexed_versions() == {d.id: d.fingerprint for d in documents}
    changed = doc(1, body="ventilation in classrooms")
    assert changed.fingerprint != documents[0].fingerprint
    engine.index([changed])
    assert engine.indexed_versions()["page-1"] == changed.fingerprint


def test_a_misspelt_query_that_finds_nothing_gets_a_suggestion(engine):
    engine.index(
        [
            doc(1, title="Quarantine hotels", body="quarantine for arrivals"),
            doc(2, title="Quarantine apps", body="quarantine monitoring"),
            doc(3, title="School meals", body="lunch boxes"),
        ]
    )
    misspelt = engine.search(SearchRequest(query="quarantne hotels"))
    assert misspelt.total == 0
    assert misspelt.suggestion == "quarantine hotels"
    assert engine.search(SearchRequest(query="quarantine")).suggestion == ""
    # Nothing close enough: no suggestion rather than a wild guess.
    assert engine.search(SearchRequest(query="xylophone")).suggestion == ""


def test_collapsing_pages_deep_into_translated_results(engine):
    documents = []
    for number in range(1, 31):
        group = f"group-{number}"
        documents.append(doc(number, translation_key=group, body=f"vaccine centre {number}"))
        documents.append(
            doc(100 + number, translation_key=group, locale="ko", body=f"백신 vaccine {number}")
        )
    engine.index(documents)
    pages = [
        engine.search(SearchRequest(query="vaccine", language="ko", page=p, page_size=7))
        for p in (1, 2, 3, 4, 5)
    ]
    assert [page.total for page in pages] == [30] * 5
    assert [len(page.hits) for page in pages] == [7, 7, 7, 7, 2]
    hits = [hit for page in pages for hit in page.hits]
    assert len({hit.translation_key for hit in hits}) == 30
    assert {hit.locale for hit in hits} == {"ko"}
    locales = {f.value: f.count for f in pages[0].facets["locale"]}
    assert locales == {"en": 30, "ko": 30}  # groups available in each language


def test_the_visitors_translation_replaces_a_better_ranked_original(engine):
    crowd = [doc(n, body="ventilation ventilation ventilation") for n in range(10, 70)]
    original = doc(1, translation_key="shared", title="Ventilation", body="ventilation " * 5)
    korean = doc(2, translation_key="shared", locale="ko", title="환기", body="환기 ventilation")
    engine.index([*crowd, original, korean])
    pages = [
        engine.search(
            SearchRequest(query="ventilation", language="ko", page=page, page_size=MAX_PAGE_SIZE)
        )
        for page in (1, 2)
    ]
    shown = [hit.id for response in pages for hit in response.hits]
    assert "page-2" in shown and "page-1" not in shown
    assert pages[0].total == 61 and len(shown) == 61


def test_embedded_index_of_an_older_format_asks_for_a_rebuild(tmp_path):
    from search.engines.base import EngineUnavailable
    from search.engines.embedded import FORMAT_FILE

    engine = make_engine("embedded", tmp_path)
    engine.index([doc(1, body="ventilation")])
    generation = (tmp_path / "index" / "CURRENT").read_text()
    (tmp_path / "index" / generation / FORMAT_FILE).unlink()  # as an older version left it
    stale = make_engine("embedded", tmp_path)
    with pytest.raises(EngineUnavailable, match="search_rebuild"):
        stale.search(SearchRequest(query="ventilation"))
    assert not stale.health().ok
    stale.rebuild([doc(1, body="ventilation")])
    assert found_ids(stale, "ventilation") == ["page-1"]


def test_the_visitors_translation_shows_even_when_only_the_original_matched(engine):
    original = doc(
        1, translation_key="shared", title="Ventilation in schools", body="ventilation " * 3
    )
    korean = doc(2, translation_key="shared", locale="ko", title="학교 환기", body="교실 환기 지침")
    other = doc(3, title="Classroom rules", body="Desks, lunch, and some ventilation advice")
    engine.index([original, korean, other])
    # The Korean text lacks the word, yet the group shows in Korean, in the original's place.
    assert found_ids(engine, "ventilation", language="ko") == ["page-2", "page-3"]
    assert found_ids(engine, "ventilation", language="en") == ["page-1", "page-3"]
    # A filter that leaves Korean out also leaves out the Korean translation.
    only_english = found_ids(engine, "ventilation", language="ko", filters={"locale": ("en",)})
    assert only_english == ["page-1", "page-3"]


# --- Parity: what both engines take from search.engines.common --------------------------------
# Each case runs on every reachable engine (the `engine` fixture); its `_elasticsearch_requests`
# twin checks, without a cluster, that Elasticsearch is asked for the same thing.
PUBLISHED_2019 = datetime(2019, 5, 1, 9, 30, tzinfo=UTC)
# A snippet may end with the rest of its last word, and with "…" at either end.
SNIPPET_OVERRUN = 32


def undated(number: int, published: datetime | None, **fields) -> SearchDocument:
    """A document without a start date, as session summaries and topic areas are."""
    values = {"content_type": "session_summary", "kind": "session_summary", "city": ""}
    return doc(number, **{**values, "started": None, "published": published, **fields})


def visible_text(snippet: str) -> str:
    return html.unescape(snippet.replace(HIGHLIGHT_START, "").replace(HIGHLIGHT_END, ""))


def search_response(hits: list[dict[str, Any]], facets: dict[str, list] | None = None) -> dict:
    """A collapsed, aggregated _search response, shaped as the Elasticsearch reference shows."""
    buckets = facets or {}
    aggregations: dict[str, Any] = {
        facet: {
            "doc_count": len(hits),
            "values": {
                "doc_count_error_upper_bound": 0,
                "sum_other_doc_count": 0,
                "buckets": buckets.get(facet, []),
            },
        }
        for facet in FACET_FIELDS
    }
    aggregations["collapsed_total"] = {"doc_count": len(hits), "groups": {"value": len(hits)}}
    return {
        "took": 3,
        "timed_out": False,
        "_shards": {"total": 1, "successful": 1, "skipped": 0, "failed": 0},
        "hits": {"total": {"value": len(hits), "relation": "eq"}, "max_score": 1.0, "hits": hits},
        "aggregations": aggregations,
    }


def stored_hit(document: SearchDocument, **extra: Any) -> dict[str, Any]:
    """A hit as Elasticsearch returns it: _source as the engine stored it, minus the long texts
    the search asks it to leave out."""
    source = document_source(document)
    for long_text in ("body", "attachments_text"):
        source.pop(long_text)
    return {"_index": LIVE_INDEX, "_id": document.id, "_score": 1.0, "_source": source, **extra}


def bucket(key: str, documents: int, groups: int) -> dict[str, Any]:
    return {"key": key, "doc_count": documents, "groups": {"value": groups}}


@pytest.fixture
def elasticsearch_requests(fake_es):
    """The Elasticsearch engine in front of the fake: what it sends, and what it makes of the
    documented answers."""
    fake, url = fake_es
    fake.on("GET", ALIAS_LOOKUP, aliases_found())
    fake.on("PUT", r"/_bulk", bulk_ok)
    fake.on("POST", r"/cac-knowledge/_refresh", REFRESHED)
    fake.on("POST", r"/cac-knowledge/_search", (200, search_response([])))
    return ElasticsearchEngine(url, synonym_groups=[], request_timeout=5), fake


def sent_searches(fake) -> list[dict[str, Any]]:
    """The searches sent, without the spelling look-ups that follow those that found nothing
    (a suggest section alone)."""
    bodies = [request.body for request in fake.sent("POST", r"/cac-knowledge/_search")]
    return [body for body in bodies if set(body) != {"size", "track_total_hits", "suggest"}]


# Dates: the start date, else the publication date --------------------------------------------
def test_a_document_without_a_start_date_has_the_year_it_was_published(engine):
    engine.index(
        [
            doc(1, body="masks"),
            undated(2, PUBLISHED_2019, body="masks"),
            undated(3, None, body="masks"),  # no date at all: no year
        ]
    )
    response = engine.search(SearchRequest(query="masks"))
    assert response.total == 3
    assert [(f.value, f.count) for f in response.facets["year"]] == [("2019", 1), ("2020", 1)]
    assert found_ids(engine, "masks", filters={"year": ("2019",)}) == ["page-2"]


def test_date_order_is_by_start_else_publication_and_total(engine):
    documents = [
        doc(1, body="testing", started=date(2020, 2, 1)),
        undated(2, datetime(2021, 1, 1, 12, tzinfo=UTC), body="testing"),
        # The start wins over an earlier publication.
        doc(3, body="testing", started=date(2020, 6, 1), published=PUBLISHED_2019),
        undated(4, None, body="testing"),  # no date: last
        doc(5, body="testing", started=date(2020, 2, 1)),  # the same day as page-1
        doc(6, body="testing", started=date(2020, 2, 1)),
    ]
    engine.index(documents)
    expected = [d.id for d in sorted(documents, key=date_order, reverse=True)]
    assert expected[:2] == ["page-2", "page-3"] and expected[-1] == "page-4"
    assert found_ids(engine, "testing", sort="date") == expected
    # Same-day documents keep one order, so pages never overlap or skip.
    paged = [
        hit_id
        for page in (1, 2, 3)
        for hit_id in found_ids(engine, "testing", sort="date", page=page, page_size=2)
    ]
    assert paged == expected


def test_elasticsearch_requests_store_and_use_the_shared_year_and_date_order(
    elasticsearch_requests,
):
    engine, fake = elasticsearch_requests
    documents = [doc(1), undated(2, PUBLISHED_2019), undated(3, None)]

    engine.index(documents)
    engine.search(SearchRequest(sort="date"))
    engine.search(SearchRequest(query="practice", filters={"year": ("2019",)}))

    sources = fake.sent("PUT", r"/_bulk")[0].body[1::2]
    assert [source["year"] for source in sources] == ["2020", "2019", None]
    assert [source["year"] for source in sources] == [document_year(d) or None for d in documents]
    assert [source["date_order"] for source in sources] == [date_order(d) for d in documents]
    properties = engine.index_template_body()["template"]["mappings"]["properties"]
    assert properties["year"] == {"type": "keyword"}
    assert properties["date_order"] == {"type": "long"}
    by_date, by_relevance = sent_searches(fake)
    newest_first = {"date_order": {"order": "desc", "missing": "_last", "unmapped_type": "long"}}
    assert by_date["sort"] == [newest_first]
    assert by_relevance["sort"] == ["_score", newest_first]
    assert by_relevance["aggs"]["year"]["aggs"]["values"]["terms"]["field"] == "year"
    assert by_relevance["post_filter"] == {"bool": {"filter": [{"terms": {"year": ["2019"]}}]}}


# Boosts: title > summary > body > attachments ------------------------------------------------
def test_a_title_match_outranks_a_summary_match_outranks_body_outranks_attachments(engine):
    plain = "alpha beta"  # every field of every document has two words: only boosts differ
    fields = ("title", "summary", "body", "attachments_text")
    engine.index(
        [
            doc(
                number,
                **{name: "ventilation beta" if name == matched else plain for name in fields},
            )
            for number, matched in reversed(list(enumerate(fields, start=1)))
        ]
    )
    assert found_ids(engine, "ventilation") == ["page-1", "page-2", "page-3", "page-4"]


def test_elasticsearch_requests_weigh_fields_with_the_shared_boosts(elasticsearch_requests):
    engine, fake = elasticsearch_requests
    assert list(FIELD_BOOSTS) == ["title", "summary", "body", "attachments_text"]
    assert sorted(FIELD_BOOSTS.values(), reverse=True) == list(FIELD_BOOSTS.values())
    assert len(set(FIELD_BOOSTS.values())) == len(FIELD_BOOSTS)

    engine.search(SearchRequest(query="ventilation", language="en"))

    (body,) = sent_searches(fake)
    all_words, most_words = body["query"]["bool"]["must"][0]["bool"]["should"]
    best_fields = body["query"]["bool"]["should"][0]
    for clause in (all_words["constant_score"]["filter"], best_fields, most_words):
        weights = dict(field.split("^") for field in clause["multi_match"]["fields"])
        for name, boost in FIELD_BOOSTS.items():
            assert float(weights[f"{name}.en"]) == boost * 2  # the visitor's language
            assert float(weights[f"{name}.cjk"]) == boost
            if clause is not most_words:  # analyses that keep stop words: all words only
                assert float(weights[name]) == boost
                assert float(weights[f"{name}.ko"]) == boost


# Words: all of them first, then most of them ------------------------------------------------
def test_documents_with_all_the_words_rank_before_those_with_most_of_them(engine):
    engine.index(
        [
            doc(1, body="Masks were handed out"),  # one of the three words
            doc(2, body="Masks on every school bus"),  # two of three
            doc(3, body="Ventilation and masks in every school building"),  # all three
        ]
    )
    assert found_ids(engine, "masks school ventilation") == ["page-3", "page-2"]
    # Stop words are not words a document needs: two words, both needed.
    assert set(found_ids(engine, "masks in the school")) == {"page-2", "page-3"}


def test_elasticsearch_requests_match_most_of_the_words_as_the_embedded_engine_does(
    elasticsearch_requests,
):
    engine, fake = elasticsearch_requests

    engine.search(SearchRequest(query="masks in the school", language="en"))

    (body,) = sent_searches(fake)
    tiers = body["query"]["bool"]["must"][0]["bool"]
    all_words, most_words = tiers["should"]
    assert tiers["minimum_should_match"] == 1
    assert all_words["constant_score"]["filter"]["multi_match"]["operator"] == "and"
    notation = most_words["multi_match"]["minimum_should_match"]
    # "2<75%": up to two words all of them, from three 75% rounded down (Elasticsearch's
    # minimum_should_match reference), the embedded engine's rule.
    count, percent = notation.split("<")
    for words in range(1, 33):
        needed = words if words <= int(count) else words * int(percent.rstrip("%")) // 100
        assert needed == embedded_minimum_should_match(words)


# Snippets: one length ------------------------------------------------------------------------
def test_snippets_have_the_shared_length(engine):
    filler = "Inspectors visited schools and offices across the district every week. " * 8
    summary = "Wards were split into clean and exposed zones for the whole winter. " * 8
    engine.index(
        [
            doc(1, summary="", body=filler + "Wastewater sampling started in spring. " + filler),
            doc(2, summary=summary, body=filler),
        ]
    )
    (matched,) = engine.search(SearchRequest(query="wastewater")).hits
    assert "Wastewater sampling" in visible_text(matched.snippet)
    assert len(visible_text(matched.snippet)) <= SNIPPET_CHARS + SNIPPET_OVERRUN
    # Nothing to highlight: the start of the summary, shortened the same way in every engine.
    browsed = {hit.id: hit.snippet for hit in engine.search(SearchRequest()).hits}
    assert browsed["page-2"] == html.escape(shorten(summary))
    assert len(visible_text(browsed["page-2"])) <= SNIPPET_CHARS + 1


def test_elasticsearch_requests_ask_for_snippets_of_the_shared_length(
    elasticsearch_requests, tmp_path
):
    engine, fake = elasticsearch_requests
    summary = "Wards were split into clean and <exposed> zones for the whole winter. " * 8
    document = doc(1, summary=summary)
    fake.on("POST", r"/cac-knowledge/_search", (200, search_response([stored_hit(document)])))

    from_elasticsearch = engine.search(SearchRequest()).hits[0].snippet

    (body,) = sent_searches(fake)
    assert body["highlight"]["fragment_size"] == SNIPPET_CHARS
    embedded = make_engine("embedded", tmp_path)
    embedded.index([document])
    assert from_elasticsearch == embedded.search(SearchRequest()).hits[0].snippet
    assert from_elasticsearch == html.escape(shorten(summary))


# Page size: one limit, in the engines and in what visitors may ask ---------------------------
def test_pages_hold_at_most_the_shared_page_size(engine):
    engine.index([doc(n, body="hand sanitiser") for n in range(1, MAX_PAGE_SIZE + 6)])
    first = engine.search(SearchRequest(query="sanitiser", page_size=10 * MAX_PAGE_SIZE))
    second = engine.search(SearchRequest(query="sanitiser", page=2, page_size=10 * MAX_PAGE_SIZE))
    assert (len(first.hits), len(second.hits)) == (MAX_PAGE_SIZE, 5)
    assert first.total == second.total == MAX_PAGE_SIZE + 5
    assert len(engine.search(SearchRequest(query="sanitiser", page=0, page_size=0)).hits) == 1


def test_elasticsearch_requests_and_visitors_share_the_page_size_limit(elasticsearch_requests):
    engine, fake = elasticsearch_requests

    engine.search(SearchRequest(query="sanitiser", page=2, page_size=10 * MAX_PAGE_SIZE))
    engine.search(SearchRequest(query="sanitiser", page=0, page_size=0))

    clamped, smallest = sent_searches(fake)
    assert (clamped["from"], clamped["size"]) == (MAX_PAGE_SIZE, MAX_PAGE_SIZE)
    assert (smallest["from"], smallest["size"]) == (0, 1)
    asked = QueryDict(f"page_size={10 * MAX_PAGE_SIZE}")
    assert parse_search_request(asked, "en").page_size == MAX_PAGE_SIZE
    assert invalid_api_parameters(QueryDict(f"page_size={MAX_PAGE_SIZE}")) == []
    assert invalid_api_parameters(QueryDict(f"page_size={MAX_PAGE_SIZE + 1}"))


# Facets: the same number of values, in the same order ----------------------------------------
def test_facet_values_are_ordered_by_count_then_value(engine):
    cities = ["Paris"] * 3 + ["Seoul", "Busan"] * 2 + ["Athens"]
    engine.index(
        [
            doc(n, body="masks", city=city, started=date(2021 if n == 1 else 2020, 1, 1))
            for n, city in enumerate(cities, start=1)
        ]
        + [undated(20, PUBLISHED_2019, body="masks")]
    )
    facets = engine.search(SearchRequest(query="masks")).facets
    assert [(f.value, f.count) for f in facets["city"]] == [
        ("Paris", 3),
        ("Busan", 2),
        ("Seoul", 2),
        ("Athens", 1),
    ]
    # By count, not by year.
    assert [f.value for f in facets["year"]] == ["2020", "2019", "2021"]


def test_a_facet_lists_the_shared_number_of_values(engine):
    frequent = [f"City {n:03}" for n in range(FACET_BUCKETS)]
    engine.index(
        [doc(2 * n + 1, body="masks", city=city) for n, city in enumerate(frequent)]
        + [doc(2 * n + 2, body="masks", city=city) for n, city in enumerate(frequent)]
        + [doc(10_000, body="masks", city="Rare")]
    )
    cities = [f.value for f in engine.search(SearchRequest(query="masks")).facets["city"]]
    assert cities == frequent  # the rarest value is the one left out


def test_elasticsearch_requests_ask_for_the_shared_facet_buckets_and_order(
    elasticsearch_requests,
):
    engine, fake = elasticsearch_requests
    # Buckets come ordered by documents; the counts shown are translation groups.
    answer = search_response(
        [],
        facets={
            "city": [bucket("Seoul", 5, 2), bucket("Busan", 4, 3), bucket("Athens", 3, 3)],
            "year": [bucket("2021", 2, 1), bucket("2019", 2, 2)],
            "topic": [bucket(f"topic-{n:03}", 1, 1) for n in range(FACET_BUCKETS + 5)],
        },
    )
    fake.on("POST", r"/cac-knowledge/_search", (200, answer))

    facets = engine.search(SearchRequest(query="masks")).facets

    (body,) = sent_searches(fake)
    for facet in FACET_FIELDS:
        terms = body["aggs"][facet]["aggs"]["values"]["terms"]
        assert terms["size"] == FACET_BUCKETS
        assert terms["order"] == [{"_count": "desc"}, {"_key": "asc"}]
    assert [(f.value, f.count) for f in facets["city"]] == [
        ("Athens", 3),
        ("Busan", 3),
        ("Seoul", 2),
    ]
    assert [f.value for f in facets["year"]] == ["2019", "2021"]
    assert len(facets["topic"]) == FACET_BUCKETS


# Search by meaning: the union of words and meaning, fused by rank ------------------------------
# Four dimensions of a made-up model: each engine is told which model its index holds.
CONTRACT_MODEL = "contract-model@1"
QUERY = [1.0, 0.0, 0.0, 0.0]
NEAR = [0.8, 0.6, 0.0, 0.0]  # cosine 0.8 with QUERY
FAR = [0.0, 0.0, 1.0, 0.0]  # cosine 0
THRESHOLD = 0.5


CONTRACT_SPACE = VectorSpace.of((CONTRACT_MODEL, 4))
FIELD = CONTRACT_SPACE.models[0]


@pytest.fixture(params=REACHABLE_ENGINES)
def semantic_engine(request, tmp_path):
    return make_engine(request.param, tmp_path, vector_space=CONTRACT_SPACE)


def with_vectors(document: SearchDocument, *rows: list[float], model: str = CONTRACT_MODEL):
    return DocumentVectors(document, model, np.array(rows, dtype=np.float32))


def by_meaning(query: str, model: str = CONTRACT_MODEL, **request) -> SearchRequest:
    vector = QueryVector(model, np.array(QUERY, dtype=np.float32), THRESHOLD)
    return SearchRequest(query=query, query_vectors=(vector,), **request)


def meaning_corpus(engine) -> None:
    """page-1 matches "masks" by its words only; page-2 by meaning only (its second passage,
    its best); page-3 by neither (below the threshold)."""
    documents = [
        doc(1, body="Masks for every commuter", started=date(2020, 3, 1)),
        doc(
            2,
            body="Cloth worn over the nose at stations",
            started=date(2021, 5, 1),
            kind="technology",
        ),
        doc(3, body="Parks reopened", started=date(2022, 1, 1)),
    ]
    engine.index(documents)
    engine.index_vectors(
        [
            with_vectors(documents[0], FAR),
            with_vectors(documents[1], FAR, NEAR),
            with_vectors(documents[2], FAR, [0.4, 0.0, 0.0, 0.916515]),  # cosine 0.4
        ]
    )


def test_a_page_that_matches_only_by_meaning_joins_the_words_matches(semantic_engine):
    meaning_corpus(semantic_engine)

    response = semantic_engine.search(by_meaning("masks"))

    # Each first in one ranking: fused ties keep the words' ranking first.
    assert [hit.id for hit in response.hits] == ["page-1", "page-2"]
    assert response.total == 2
    assert {f.value: f.count for f in response.facets["kind"]} == {"policy": 1, "technology": 1}
    by_date = semantic_engine.search(by_meaning("masks", sort="date"))
    assert [hit.id for hit in by_date.hits] == ["page-2", "page-1"]
    kind = semantic_engine.search(by_meaning("masks", filters={"kind": ("policy",)}))
    assert [hit.id for hit in kind.hits] == ["page-1"]  # the meaning within the filters too


def test_vectors_of_another_model_leave_the_search_to_words(semantic_engine, caplog):
    meaning_corpus(semantic_engine)

    response = semantic_engine.search(by_meaning("masks", model="another-model@2"))

    assert [hit.id for hit in response.hits] == ["page-1"]
    assert "No ranking by meaning with another-model@2" in caplog.text


def test_vectors_are_kept_with_their_fingerprint_and_never_create_a_document(semantic_engine):
    kept, unknown = doc(1, body="masks"), doc(9, body="never indexed")
    semantic_engine.index([kept])

    semantic_engine.index_vectors([with_vectors(kept, NEAR), with_vectors(unknown, NEAR)])

    assert semantic_engine.indexed_vector_versions() == {
        "page-1": {f"{CONTRACT_MODEL}/{kept.fingerprint}"}
    }
    assert semantic_engine.count() == 1


def test_elasticsearch_requests_search_by_meaning_as_the_embedded_engine_does(fake_es, caplog):
    fake, url = fake_es
    fake.on(
        "GET",
        r"/cac-knowledge/_mapping",
        (200, {LIVE_INDEX: {"mappings": {"_meta": vector_meta(CONTRACT_SPACE)}}}),
    )
    answered = {**search_response([]), "status": 200}

    def msearch(request) -> tuple[int, Any]:
        return 200, {"took": 1, "responses": [answered] * len(request.body[1::2])}

    fake.on("POST", r"/cac-knowledge/_msearch", msearch)
    fake.on("POST", r"/cac-knowledge/_search", (200, search_response([])))
    engine = ElasticsearchEngine(url, synonym_groups=[], request_timeout=5)

    engine.search(by_meaning("masks", filters={"kind": ("policy",)}))
    engine.search(by_meaning("masks", sort="date"))
    engine.search(by_meaning("masks", model="another-model@2"))

    (sent,) = fake.sent("POST", r"/cac-knowledge/_msearch")
    words, statistics, *nearest = sent.body[1::2]
    # The fusion's depth, the threshold on the cosine, the filters on both sides.
    assert words["size"] >= FUSION_DEPTH
    assert words["query"]["bool"]["filter"] == [{"terms": {"kind": ["policy"]}}]
    for body in nearest:  # each language's nearest, within the filters
        knn = body["knn"]
        assert knn["k"] >= FUSION_DEPTH and knn["similarity"] == THRESHOLD
        assert knn["filter"][0] == {"terms": {"kind": ["policy"]}}
    # Each language's mean is over all its documents, whatever the filters (the centring).
    assert statistics["size"] == 0 and "filter" not in str(statistics)
    # The union is what is counted (nothing matched by meaning here), and in date order what
    # is listed.
    counts, by_date, words_only = sent_searches(fake)
    assert counts["size"] == 0 and "query" in counts
    assert "knn" in by_date and by_date["sort"][0] == {
        "date_order": {"order": "desc", "missing": "_last", "unmapped_type": "long"}
    }
    assert "knn" not in words_only
    assert "No ranking by meaning with another-model@2" in caplog.text


def test_both_engines_apply_the_same_floor_relative_to_the_query(fake_es, tmp_path):
    _fake, url = fake_es
    embedded = make_engine("embedded", tmp_path)
    elasticsearch = ElasticsearchEngine(url, synonym_groups=[], request_timeout=5)
    assert elasticsearch.semantic_min_z == embedded.semantic_min_z


def test_both_engines_fuse_words_and_meaning_with_the_same_weights(fake_es, tmp_path):
    _fake, url = fake_es
    embedded = make_engine("embedded", tmp_path)
    elasticsearch = ElasticsearchEngine(url, synonym_groups=[], request_timeout=5)
    # Elasticsearch fuses in Python with fusion.fuse, as embedded (by default: not with
    # ELASTICSEARCH_FUSION=rrf).
    assert elasticsearch.fusion == embedded.fusion
    assert elasticsearch.fusion_method == "centred"


def test_elasticsearch_requests_keep_vectors_with_their_fingerprint_never_creating(fake_es):
    fake, url = fake_es
    fake.on("GET", ALIAS_LOOKUP, aliases_found())
    fake.on(
        "GET",
        r"/[^/]+/_mapping",
        (200, {LIVE_INDEX: {"mappings": {"_meta": vector_meta(CONTRACT_SPACE)}}}),
    )
    fake.on("PUT", r"/_bulk", bulk_ok)
    fake.on("POST", r"/cac-knowledge/_refresh", REFRESHED)
    kept = doc(1, body="masks")
    engine = ElasticsearchEngine(url, synonym_groups=[], request_timeout=5)

    engine.index_vectors([with_vectors(kept, NEAR)])

    action, update = fake.sent("PUT", r"/_bulk")[0].body
    assert "update" in action  # never `index` or `create`
    assert not {"doc_as_upsert", "upsert"} & set(update)
    assert update["doc"][FIELD.fingerprint_field] == f"{CONTRACT_MODEL}/{kept.fingerprint}"
