"""The public search page and the /api/v1/search/ API, over the real embedded engine."""

from __future__ import annotations

import json

import pytest
from wagtail.models import Locale, PageViewRestriction

from home.site_structure import practice_index_for
from knowledge.models import PracticeKind, PracticePage, TopicArea
from search.documents import iter_search_documents
from search.engines.selection import get_engine

pytest.importorskip("search.engines.embedded")

BODY_WORD = "zucchiniwaffle"  # a word no summit content contains


def _add_practice(parent, title: str, body: str, *, topics=("quarantine",), publish=True, **kw):
    practice = PracticePage(
        title=title,
        live=publish,  # an editor's unpublished draft is not live
        summary=f"{title} summary",
        body=json.dumps([{"type": "paragraph", "value": f"<p>{body}</p>"}]),
        **kw,
    )
    parent.add_child(instance=practice)
    practice.topics.set(TopicArea.objects.filter(slug__in=topics, locale=Locale.get_default()))
    revision = practice.save_revision()
    if publish:
        revision.publish()
    practice.refresh_from_db()
    return practice


def _make_searchable() -> None:
    """Rebuild the shared test index from exactly what is public in this test's database."""
    get_engine().rebuild(iter_search_documents())


@pytest.fixture
def practices(summit):
    index_page = practice_index_for(Locale.get_default())
    public = _add_practice(
        index_page,
        "Drive-through screening clinics",
        f"Cars drive in and the {BODY_WORD} test takes ten minutes.",
        kind=PracticeKind.COUNTERMEASURE,
    )
    guideline = _add_practice(
        index_page,
        "Guideline for clinics",
        f"A {BODY_WORD} guideline for every clinic.",
        kind=PracticeKind.GUIDELINE,
    )
    draft = _add_practice(index_page, "Secret draft", f"{BODY_WORD} draft", publish=False)
    private = _add_practice(index_page, "Secret private", f"{BODY_WORD} private")
    PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.LOGIN)
    korean = public.copy_for_translation(Locale.objects.get(language_code="ko")).specific
    korean.title = "드라이브 스루 선별진료소"
    korean.body = json.dumps(
        [{"type": "paragraph", "value": "<p>자가격리자는 방역수칙을 지켜야 합니다.</p>"}]
    )
    korean.save_revision().publish()
    _make_searchable()
    return {"public": public, "guideline": guideline, "draft": draft, "private": private}


def test_page_finds_a_practice_by_a_word_of_its_body_with_highlight(client, practices):
    response = client.get("/en/search/", {"q": BODY_WORD})

    assert response.status_code == 200
    html = response.content.decode()
    assert "Drive-through screening clinics" in html
    assert f"<mark>{BODY_WORD}</mark>" in html.lower()
    assert 'for="search-q"' in html


def test_kind_filter_narrows_results_and_shows_counts(client, practices):
    everything = client.get("/en/search/", {"q": BODY_WORD}).content.decode()
    assert "Guideline for clinics" in everything
    assert '<bdi>Guideline</bdi> <span class="search-facet__count">(1)</span>' in everything

    narrowed = client.get("/en/search/", {"q": BODY_WORD, "kind": "guideline"})

    html = narrowed.content.decode()
    assert "Guideline for clinics" in html
    assert "Drive-through screening clinics" not in html
    assert 'aria-current="true"' in html


def test_drafts_and_private_pages_never_appear(client, practices):
    page = client.get("/en/search/", {"q": BODY_WORD}).content.decode()
    api = client.get("/api/v1/search/", {"q": BODY_WORD}).json()
    suggest = client.get("/api/v1/search/suggest", {"q": "Secret"}).json()

    assert "Secret" not in page
    assert api["total"] == 2
    assert all("Secret" not in hit["title"] for hit in api["hits"])
    assert suggest["suggestions"] == [] or all("Secret" not in s for s in suggest["suggestions"])


def test_korean_query_on_korean_page_finds_the_korean_translation(client, practices):
    response = client.get("/ko/search/", {"q": "방역"})

    assert response.status_code == 200
    html = response.content.decode()
    assert "드라이브 스루 선별진료소" in html
    assert "Drive-through screening clinics" not in html


@pytest.mark.parametrize(
    "params",
    [
        {"q": "\x00"},
        {"q": "clinic\x00s"},
        {"page": "abc"},
        {"page": "-5"},
        {"page_size": "100000"},
        {"topic": "<script>alert(1)</script>"},
        {"q": "x" * 5000},
        {"q": 'AND OR "( * ~ ^ : [ ]'},
        {"sort": "nonsense", "lang": "zz", "year": "abc"},
    ],
)
def test_odd_query_strings_never_fail(client, practices, params):
    page = client.get("/en/search/", params)
    api = client.get("/api/v1/search/", params)

    # The page forgives; the API names what is wrong, or searches syntax as plain text.
    assert page.status_code == 200
    assert "<script>alert(1)</script>" not in page.content.decode()
    if "AND OR" in params.get("q", ""):
        assert api.status_code == 200
        assert len(api.json()["hits"]) <= 50
    else:
        assert api.status_code == 400
        assert api.json()["errors"]


def test_api_returns_the_documented_shape(client, practices):
    response = client.get("/api/v1/search/", {"q": BODY_WORD, "lang": "en", "page_size": 1})

    assert response.status_code == 200
    data = response.json()
    assert set(data) == {"total", "took_ms", "page", "hits", "facets", "promoted", "suggestion"}
    assert data["total"] == 2 and data["page"] == 1 and len(data["hits"]) == 1
    hit = data["hits"][0]
    assert set(hit) == {
        "slug", "locale", "url", "title", "snippet", "kind", "topics", "city", "country", "started",
        "kind_label", "topic_labels", "city_label", "started_display",
    }  # fmt: skip
    assert hit["url"].rstrip("/").endswith(hit["slug"])
    assert set(data["facets"]) == {"topic", "kind", "status", "country", "city", "locale"}
    kinds = {item["value"]: item for item in data["facets"]["kind"]}
    assert kinds["guideline"] == {"value": "guideline", "label": "Guideline", "count": 1}


def test_api_offers_a_corrected_query_when_nothing_matched(client, practices):
    misspelt = client.get("/api/v1/search/", {"q": "zucchiniwafle"}).json()
    assert misspelt["total"] == 0
    assert misspelt["suggestion"] == BODY_WORD
    assert client.get("/api/v1/search/", {"q": BODY_WORD}).json()["suggestion"] is None


def test_suggest_completes_a_title(client, practices):
    response = client.get("/api/v1/search/suggest", {"q": "Drive"})

    assert response.status_code == 200
    assert any("Drive-through" in s for s in response.json()["suggestions"])


def test_openapi_document_lists_both_endpoints(client, db):
    document = client.get("/api/v1/openapi.json").json()

    assert document["openapi"].startswith("3.")
    assert {"/api/v1/search/", "/api/v1/search/suggest"} <= set(document["paths"])


def test_zero_results_suggest_the_topic_areas(client, practices):
    html = client.get("/en/search/", {"q": "qwxzvbnm"}).content.decode()

    assert "Nothing matched" in html
    assert html.count('href="/en/topics/') >= 10


def test_nav_links_to_search(client, practices):
    assert 'href="/en/search/"' in client.get("/en/topics/").content.decode()


def test_engine_unavailable_gives_503_on_page_and_api(client, site_structure, unreachable_engine):
    page = client.get("/en/search/", {"q": "mask"})
    api = client.get("/api/v1/search/", {"q": "mask"})
    suggest = client.get("/api/v1/search/suggest", {"q": "mas"})

    assert page.status_code == 503
    assert "Search is temporarily unavailable" in page.content.decode()
    assert api.status_code == 503 and "error" in api.json()
    assert suggest.status_code == 503
