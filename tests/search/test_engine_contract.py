"""What every search engine promises, run against each engine that is reachable.

The embedded engine always runs; Elasticsearch runs when ELASTICSEARCH_URL is set.
Documents are built directly as SearchDocument values: no pages needed.
"""

from __future__ import annotations

import threading
import uuid
from datetime import date

import pytest
from django.conf import settings

from search.engines.base import FACET_FIELDS, SearchDocument, SearchRequest
from search.models import SynonymGroup

pytestmark = pytest.mark.django_db


def make_engine(name: str, tmp_path):
    if name == "embedded":
        from search.engines.embedded import EmbeddedEngine

        return EmbeddedEngine(tmp_path / "index")
    import importlib

    module = importlib.import_module("search.engines.elasticsearch")
    return module.ElasticsearchEngine(
        settings.ELASTICSEARCH_URL, prefix=f"cac-contract-{uuid.uuid4().hex[:8]}"
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
    pytest.skip("ELASTICSEARCH_URL not set: the contract suite ran on the embedded engine only")


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
    response = engine.search(SearchRequest(query="ventilation", language="ko", page_size=100))
    shown = [hit.id for hit in response.hits]
    assert "page-2" in shown and "page-1" not in shown
    assert response.total == 61


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
