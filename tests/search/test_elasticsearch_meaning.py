"""The Elasticsearch engine ranks as the embedded engine does, checked by the requests it sends:
the glossary-only tier of the words' query, and scores by meaning centred on each language's
mean, each language's nearest asked for on its own, above a floor relative to the query.

As in test_elasticsearch_requests.py, a fake stands in at the HTTP boundary and answers with
canned, documented bodies; it never searches.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pytest

from search.engines.base import SearchRequest
from search.engines.elasticsearch.meaning import LanguageStatistics
from search.engines.embedded.vectors import CENTRING_PRIOR
from search.engines.fusion import SEMANTIC_MIN_Z
from search.synonyms import glossary_terms
from tests.search.elasticsearch_fake import LIVE_INDEX, RecordedRequest, Responder
from tests.search.test_elasticsearch_requests import (
    FILTERED,
    FUSED,
    KIND_AND_TOPIC,
    MODEL,
    UNIT,
    documented_search_response,
    fused_routes,
    hybrid_answers,
    knn_language,
    make_engine,
    near_hit,
    query_vector,
    ranking_response,
    search_kind,
    sent_searches,
    statistics_response,
)

GLOSSARY = [
    ("quarantine", "self-isolation", "자가격리", "cuarentena", "quarantaine"),
    ("contact tracing", "역학조사", "rastreo de contactos"),
    ("small business", "소상공인", "pequeña empresa"),
    ("mask", "마스크", "mascarilla", "マスク"),
]


def sent_query(fake, url: str, query: str, language: str) -> dict[str, Any]:
    fake.on("POST", r"/cac-knowledge/_search", (200, documented_search_response()))
    make_engine(url, synonym_groups=GLOSSARY).search(SearchRequest(query=query, language=language))
    return fake.sent("POST", r"/cac-knowledge/_search")[0].body["query"]  # then translations


def tiers_of(query: dict[str, Any]) -> list[dict[str, Any]]:
    return query["bool"]["must"][0]["bool"]["should"]


# --- The glossary-only tier ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("query", "terms", "others"),
    [
        ("cuarentena para turistas", ("cuarentena",), 2),
        # Korean particles are not part of the term (the shared analysis).
        ("소상공인을 위한 생존자금", ("소상공인",), 3),
        # The longest term at each position: a phrase of the glossary is one term.
        ("rastreo de contactos en Seúl", ("rastreo de contactos",), 2),
        ("Quarantines", ("quarantine",), 0),  # stemmed as the embedded engine compares
        ("マスク配布", ("マスク",), 2),  # character pairs, as both engines index them
        ("how to reopen schools", (), 4),
    ],
)
def test_the_glossary_terms_of_a_query_are_found_after_the_shared_analysis(query, terms, others):
    assert glossary_terms(query, GLOSSARY) == (terms, others)


def test_a_visitor_in_another_language_also_matches_all_the_glossary_terms_alone(fake_es):
    fake, url = fake_es

    query = sent_query(fake, url, "cuarentena y mascarilla para turistas", "es")

    all_words, most_words, glossary = tiers_of(query)
    fields = all_words["constant_score"]["filter"]["multi_match"]["fields"]
    # Every glossary term, each a phrase in any field through the synonym-aware analyzers,
    # as the glossary writes it; the other words ("para turistas") not needed.
    assert glossary == {
        "bool": {
            "must": [
                {"multi_match": {"query": "cuarentena", "type": "phrase", "fields": fields}},
                {"multi_match": {"query": "mascarilla", "type": "phrase", "fields": fields}},
            ]
        }
    }
    assert "title" in [field.split("^")[0] for field in fields]  # standard_search: synonyms
    assert most_words["multi_match"]["minimum_should_match"] == "2<75%"


@pytest.mark.parametrize(
    ("query", "language"),
    [
        ("cuarentena para turistas", "en"),  # the site's own language: most of the words
        ("cuarentena", "es"),  # nothing but glossary terms: all the words say the same
        ("para turistas", "es"),  # no glossary term
    ],
)
def test_no_glossary_tier_for_the_sites_language_or_without_other_words(fake_es, query, language):
    fake, url = fake_es

    assert len(tiers_of(sent_query(fake, url, query, language))) == 2


def test_the_glossary_tier_joins_every_search_by_words_and_meaning(fake_es):
    fake, url = fake_es
    fused_routes(fake)
    engine = make_engine(url, synonym_groups=GLOSSARY)
    request = SearchRequest(
        query="cuarentena para turistas", language="es", query_vectors=(query_vector(),)
    )

    engine.search(request)
    engine.search(dataclasses.replace(request, sort="date"))

    (words, *_meaning), (page, counts) = sent_searches(fake)
    (by_date,) = (r.body for r in fake.sent("POST", r"/cac-knowledge/_search") if "knn" in r.body)
    for query in (
        words["query"]["bool"]["must"][0],
        page["query"]["bool"]["should"][0],
        counts["query"]["bool"]["should"][0],
        by_date["query"],
    ):
        *_tiers, glossary = tiers_of(query)
        assert glossary["bool"]["must"][0]["multi_match"]["query"] == "cuarentena"


# --- Scores centred on each language's mean ------------------------------------------------------
def test_the_statistics_score_every_document_by_its_best_passage_and_sum_them_per_language(
    fake_es,
):
    fake, url = fake_es
    fused_routes(fake)

    make_engine(url).search(
        SearchRequest(query="masks", filters=FILTERED, query_vectors=(query_vector(),))
    )

    (_words, statistics, *nearest), _second = sent_searches(fake)
    # Every document that has passages of the model, whatever the facet filters: the mean is
    # over all documents of the language, as the embedded engine's.
    assert statistics == {
        "size": 0,
        "track_total_hits": False,
        "query": {
            "nested": {
                "path": MODEL.passages_field,
                "score_mode": "max",  # a document scores by its best passage
                "query": {
                    "script_score": {
                        "query": {"match_all": {}},
                        "script": {
                            "source": "Math.max(0.0, dotProduct(params.query_vector, "
                            f"'{MODEL.vector_field}') + params.offset)",
                            "params": {"query_vector": UNIT, "offset": 1.0},
                        },
                    }
                },
            }
        },
        "aggs": {
            "languages": {
                "terms": {"field": "locale", "size": 100},
                "aggs": {"similarity": {"extended_stats": {"script": {"source": "_score"}}}},
            }
        },
    }
    assert all(body["knn"]["filter"][:2] == KIND_AND_TOPIC for body in nearest)


def test_a_languages_mean_is_shrunk_towards_the_overall_mean_as_the_embedded_engines():
    english, korean = [0.1, 0.2, 0.3, 0.6], [0.7, 0.8]
    statistics = LanguageStatistics.from_response(statistics_response(en=english, ko=korean))

    overall = sum(english + korean) / 6
    assert statistics.counts == {"en": 4, "ko": 2}
    assert statistics.sums == pytest.approx({"en": 1.2, "ko": 1.5})  # the offset taken off
    assert statistics.squares == pytest.approx({"en": 0.5, "ko": 1.13})
    assert statistics.mean("en") == pytest.approx((1.2 + CENTRING_PRIOR * overall) / 14)
    assert statistics.mean("ko") == pytest.approx((1.5 + CENTRING_PRIOR * overall) / 12)
    assert statistics.mean("ar") == pytest.approx(overall)  # none seen: the overall mean


# Thirty English documents about 0.2 from the query, ten Korean ones about 0.7: the model
# scores Korean higher whatever it says. Centred (prior 10): English 0.2313, Korean 0.5125.
MULTILINGUAL = statistics_response(en=[0.2] * 30, ko=[0.7] * 10)


def test_centring_ranks_an_english_hit_above_korean_hits_of_higher_similarity(fake_es):
    fake, url = fake_es
    fused_routes(
        fake,
        words=ranking_response(),  # no words matched
        statistics=MULTILINGUAL,
        nearest={
            "en": ranking_response(near_hit(1, 1, "en", 0.5)),  # centred 0.269
            "ko": ranking_response(near_hit(2, 2, "ko", 0.75), near_hit(3, 3, "ko", 0.7)),
        },
    )

    make_engine(url).search(SearchRequest(query="masks", query_vectors=(query_vector(),)))

    _rankings, (page, counts) = sent_searches(fake)
    # By raw similarity page-2 and page-3 would come first; centred, 0.238 and 0.188.
    assert page["query"]["bool"]["filter"] == [{"ids": {"values": ["page-1", "page-2", "page-3"]}}]
    assert counts["query"]["bool"]["should"][1] == {
        "ids": {"values": ["page-1", "page-2", "page-3"]}
    }


def test_a_translation_group_counts_once_by_meaning_at_its_best_translation(fake_es):
    fake, url = fake_es
    fused_routes(
        fake,
        words=ranking_response(),
        statistics=MULTILINGUAL,
        nearest={
            "en": ranking_response(near_hit(1, 1, "en", 0.5)),
            # page-1's Korean translation: nearer, but less so than Korean documents are.
            "ko": ranking_response(near_hit(2, 1, "ko", 0.75), near_hit(3, 3, "ko", 0.7)),
        },
    )

    make_engine(url).search(
        SearchRequest(query="masks", collapse_translations=False, query_vectors=(query_vector(),))
    )

    _rankings, (page, counts) = sent_searches(fake)
    assert page["query"]["bool"]["filter"] == [{"ids": {"values": ["page-1", "page-3"]}}]
    assert counts["query"]["bool"]["should"][1] == {"ids": {"values": ["page-1", "page-3"]}}


# search.allow_expensive_queries false: the statistics' script_score refused on every shard
# (ScriptScoreQueryBuilder), as an _msearch renders one search's failure.
EXPENSIVE = (
    "[script score] queries cannot be executed when 'search.allow_expensive_queries' is set "
    "to false."
)
EXPENSIVE_REFUSED = {
    "error": {
        "root_cause": [{"type": "exception", "reason": EXPENSIVE}],
        "type": "search_phase_execution_exception",
        "reason": "all shards failed",
        "phase": "query",
        "grouped": True,
        "failed_shards": [
            {
                "shard": 0,
                "index": LIVE_INDEX,
                "node": "node-1",
                "reason": {"type": "exception", "reason": EXPENSIVE},
            }
        ],
    },
    "status": 500,
}


def refusing_statistics(answer: Responder) -> Responder:
    """`answer`, each statistics search in it refused as expensive."""

    def refuse(request: RecordedRequest) -> tuple[int, Any]:
        status, body = answer(request)
        kinds = [search_kind(sent) for sent in request.body[1::2]]
        body["responses"] = [
            EXPENSIVE_REFUSED if kind == "statistics" else found
            for kind, found in zip(kinds, body["responses"], strict=True)
        ]
        return status, body

    return refuse


def test_refused_statistics_rank_by_raw_similarity_from_then_on_not_by_words_alone(fake_es, caplog):
    fake, url = fake_es
    answers = {
        "words": ranking_response(),  # no words matched
        "statistics": MULTILINGUAL,
        "nearest": {
            "en": ranking_response(near_hit(1, 1, "en", 0.5)),
            "ko": ranking_response(near_hit(2, 2, "ko", 0.75), near_hit(3, 3, "ko", 0.7)),
        },
    }
    fused_routes(fake, **answers)
    fake.on(
        "POST",
        r"/cac-knowledge/_msearch",
        refusing_statistics(hybrid_answers(**{**FUSED, **answers})),
    )
    engine = make_engine(url)
    request = SearchRequest(query="masks", query_vectors=(query_vector(),))

    engine.search(request)
    engine.search(request)

    tried, *later = sent_searches(fake)
    assert search_kind(tried[1]) == "statistics"
    # At once the same searches less the statistics, then the page and the counts.
    assert len(later) == 4
    assert later[0] == [tried[0], *tried[2:]]
    page, counts = later[1]
    # Uncentred, by raw similarity: the Korean hits first (centred, page-1 would lead), and
    # no relative floor.
    assert page["query"]["bool"]["filter"] == [{"ids": {"values": ["page-2", "page-3", "page-1"]}}]
    assert counts["query"]["bool"]["should"][1] == {
        "ids": {"values": ["page-2", "page-3", "page-1"]}
    }
    # Remembered: no statistics search again, one log line.
    assert later[2] == later[0]
    assert caplog.text.count("Ranking by meaning uncentred from now on") == 1
    assert "search.allow_expensive_queries is false" in caplog.text
    assert "Searching by words only" not in caplog.text


def test_each_language_allowed_by_a_locale_filter_is_asked_for_its_nearest(fake_es):
    fake, url = fake_es
    fused_routes(fake)
    filters = {"locale": ("ko", "xx")}

    make_engine(url).search(
        SearchRequest(query="masks", filters=filters, query_vectors=(query_vector(),))
    )

    (_words, statistics, *nearest), _second = sent_searches(fake)
    assert search_kind(statistics) == "statistics" and "filter" not in str(statistics)
    assert [knn_language(body) for body in nearest] == ["ko", "xx"]
    assert [body["knn"]["filter"] for body in nearest] == [
        [{"terms": {"locale": ["ko", "xx"]}}, {"term": {"locale": language}}]
        for language in ("ko", "xx")
    ]


# --- The query-relative floor -------------------------------------------------------------------
# Ten English documents at 0.1 and ten at 0.5, ten Korean at 0.6: means 0.333 and 0.5; the
# centred scores' mean 0.0111 and standard deviation 0.1750 put the floor at 0.0986.
SPREAD = {"en": [0.1] * 10 + [0.5] * 10, "ko": [0.6] * 10}


def embedded_floor(similarities: dict[str, list[float]], min_z: float) -> float:
    """The floor as the embedded engine computes it from every document's similarity
    (VectorSnapshot.search): each less its language's shrunk mean, then mean + z x std."""
    raw = np.concatenate([np.array(values) for values in similarities.values()])
    codes = np.concatenate([np.full(len(v), i) for i, v in enumerate(similarities.values())])
    means = (np.bincount(codes, weights=raw) + CENTRING_PRIOR * raw.mean()) / (
        np.bincount(codes) + CENTRING_PRIOR
    )
    centred = raw - means[codes]
    return float(centred.mean() + min_z * centred.std())


def test_the_floor_is_computed_exactly_from_each_languages_sums():
    statistics = LanguageStatistics.from_response(statistics_response(**SPREAD))

    assert statistics.floor(SEMANTIC_MIN_Z) == pytest.approx(embedded_floor(SPREAD, 0.5))
    assert statistics.floor(SEMANTIC_MIN_Z) == pytest.approx(0.0986, abs=1e-4)
    assert statistics.floor(None) == -np.inf
    lone = LanguageStatistics.from_response(statistics_response(en=[0.4]))
    assert lone.floor(SEMANTIC_MIN_Z) == -np.inf  # one document: no spread to measure


def spread_routes(fake) -> None:
    fused_routes(
        fake,
        words=ranking_response(),  # no words matched
        statistics=statistics_response(**SPREAD),
        nearest={
            "en": ranking_response(near_hit(1, 1, "en", 0.45), near_hit(5, 5, "en", 0.42)),
            "ko": ranking_response(near_hit(2, 2, "ko", 0.62), near_hit(3, 3, "ko", 0.59)),
        },
    )


def test_only_documents_above_the_query_relative_floor_match_by_meaning(fake_es):
    fake, url = fake_es
    spread_routes(fake)

    make_engine(url).search(SearchRequest(query="masks", query_vectors=(query_vector(),)))

    # Centred: page-2 0.120, page-1 0.117 pass; page-3 0.090 and page-5 0.087 do not.
    _rankings, (page, counts) = sent_searches(fake)
    assert page["query"]["bool"]["filter"] == [{"ids": {"values": ["page-2", "page-1"]}}]
    assert counts["query"]["bool"]["should"][1] == {"ids": {"values": ["page-2", "page-1"]}}


def test_without_a_relative_floor_the_absolute_one_alone_holds(fake_es):
    fake, url = fake_es
    spread_routes(fake)
    engine = make_engine(url)
    engine.semantic_min_z = None

    engine.search(SearchRequest(query="masks", query_vectors=(query_vector(),)))

    (_words, _statistics, *nearest), (page, counts) = sent_searches(fake)
    assert {body["knn"]["similarity"] for body in nearest} == {0.82}  # the absolute floor
    ids = ["page-2", "page-1", "page-3", "page-5"]
    assert page["query"]["bool"]["filter"] == [{"ids": {"values": ids}}]
    assert counts["query"]["bool"]["should"][1] == {"ids": {"values": ids}}
