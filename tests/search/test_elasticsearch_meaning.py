"""The Elasticsearch engine ranks as the embedded engine does, checked by the requests it sends:
the glossary-only tier of the words' query.

As in test_elasticsearch_requests.py, a fake stands in at the HTTP boundary and answers with
canned, documented bodies; it never searches.
"""

from __future__ import annotations

from typing import Any

import pytest

from search.engines.base import SearchRequest
from search.synonyms import glossary_terms
from tests.search.test_elasticsearch_requests import documented_search_response, make_engine

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
