"""Words across languages in the embedded engine: Arabic analysed as Elasticsearch's arabic
analyzer does, the shipped multilingual glossary, and Chinese and Japanese queries whose
character pairs straddle a glossary term. No vectors: this is the words' side alone."""

from __future__ import annotations

from datetime import date

import pytest

from search.analysis import analyse, normalise_arabic, stem_arabic
from search.engines.base import SearchDocument, SearchRequest
from search.engines.embedded import EmbeddedEngine
from search.engines.embedded.query import expand_query
from search.synonyms import base_synonym_groups


def doc(number: int, title: str, summary: str, locale: str = "en") -> SearchDocument:
    return SearchDocument(
        id=f"page-{number}",
        translation_key=f"group-{number}",
        locale=locale,
        url=f"/{locale}/practices/{number}/",
        title=title,
        summary=summary,
        content_type="practice",
        kind="countermeasure",
        topics=("quarantine",),
        city="Seoul",
        country="KR",
        started=date(2020, 3, 1),
    )


MASKS = doc(1, "Mask distribution for vulnerable residents", "Free face masks for older people")
TRACING = doc(2, "Epidemiological investigation", "Finding where confirmed patients went")
SCHOOLS = doc(3, "Online classes", "Schools taught pupils over the internet")
ARABIC = doc(4, "توزيع الكمامات على الأسر", "وزعت المدينة الكمامة مجانا", locale="ar")


@pytest.fixture
def engine(tmp_path):
    engine = EmbeddedEngine(tmp_path / "index", synonyms=base_synonym_groups())
    engine.index([MASKS, TRACING, SCHOOLS, ARABIC])
    return engine


def found(engine, query: str, language: str) -> list[str]:
    response = engine.search(SearchRequest(query=query, language=language, page_size=10))
    return [hit.id for hit in response.hits]


def test_arabic_is_normalised_and_light_stemmed_as_lucene_does():
    assert normalise_arabic("إرشادات") == "ارشادات"  # hamza below folded
    assert normalise_arabic("كمامةٌ") == "كمامه"  # diacritic gone, teh marbuta folded
    # Masks and mask, with and without the article or "and the": one term.
    assert {stem_arabic(normalise_arabic(word)) for word in ("كمامات", "كمامة", "الكمامات")} == {
        "كمام"
    }
    assert stem_arabic("والكمامات") == "كمام"
    assert stem_arabic("وقت") == "وقت"  # a lone و is stripped only from longer words
    assert analyse("Masks والكمامات") == ["mask", "كمام"]


def test_an_arabic_query_finds_arabic_text_in_another_form_of_the_word(engine):
    assert found(engine, "كمامة", "ar")[0] == ARABIC.id


@pytest.mark.parametrize(
    ("query", "language", "expected"),
    [
        ("mascarillas", "es", MASKS),
        ("masques", "fr", MASKS),
        ("口罩", "zh-hans", MASKS),
        ("マスク", "ja", MASKS),
        ("rastreo de contactos", "es", TRACING),
        ("流行病学调查", "zh-hans", TRACING),
        ("تتبع المخالطين", "ar", TRACING),
        ("clases en línea", "es", SCHOOLS),
        ("オンライン授業", "ja", SCHOOLS),
    ],
)
def test_the_glossary_finds_english_practices_by_their_words_from_other_languages(
    engine, query, language, expected
):
    assert expected.id in found(engine, query, language)


def test_without_the_glossary_those_queries_find_nothing_by_their_words(tmp_path):
    bare = EmbeddedEngine(tmp_path / "bare", synonyms=[])
    bare.index([MASKS, TRACING, SCHOOLS])
    assert found(bare, "口罩", "zh-hans") == []
    assert found(bare, "rastreo de contactos", "es") == []


def test_character_pairs_across_a_glossary_term_are_not_required():
    groups = base_synonym_groups()
    after = expand_query("マスク配布", groups, "ja")
    before = expand_query("配布マスク", groups, "ja")
    # マスク is the mask group; the pair ク配 (or 布マ) spans the boundary and is dropped.
    assert [len(unit) > 1 for unit in after] == [True, False]
    assert after[1] == [("配布",)]
    assert [len(unit) > 1 for unit in before] == [False, True]
    assert before[0] == [("配布",)]


def test_french_and_spanish_documents_are_stemmed_in_their_language(tmp_path):
    french = doc(5, "Hôpitaux de campagne", "Des lits installés dans les écoles", "fr")
    spanish = doc(6, "Vacunaciones", "Campañas de vacunación obligatorias", "es")
    engine = EmbeddedEngine(tmp_path / "index", synonyms=[])
    engine.index([french, spanish, MASKS])

    # Snowball's French stemmer makes one term of hôpital and hôpitaux; the English one
    # would not, nor of vacunación and vacunaciones.
    assert found(engine, "hôpital", "fr") == [french.id]
    assert found(engine, "vacunación", "es") == [spanish.id]
    # An English visitor's query still finds English words as before.
    assert found(engine, "masks", "en") == [MASKS.id]


def test_a_query_whose_other_words_have_no_translation_finds_by_its_glossary_terms(engine):
    # 口罩 is in the glossary (mask), 发放 (hand out) is not: all the glossary terms are
    # enough, ranked after documents with most of the words.
    # The mask practices in English and in Arabic, nothing else.
    assert set(found(engine, "口罩 发放", "zh-hans")) == {MASKS.id, ARABIC.id}
    assert set(found(engine, "마스크 배부 현황", "ko")) == {MASKS.id, ARABIC.id}
    # A query without glossary terms still needs most of its words.
    assert found(engine, "发放 现况", "zh-hans") == []
