"""Editors' promoted results (Wagtail search picks) come before the engine's hits."""

from __future__ import annotations

import json

import pytest
from wagtail.contrib.search_promotions.models import Query, SearchPromotion
from wagtail.models import Locale, PageViewRestriction

from home.site_structure import practice_index_for
from knowledge.models import PracticePage
from search.documents import iter_search_documents
from search.engines.selection import get_engine

pytest.importorskip("search.engines.embedded")

WORD = "zucchiniwaffle"  # a word no other content contains


def _practice(title: str, *, publish: bool = True) -> PracticePage:
    practice = PracticePage(
        title=title,
        live=publish,
        summary=f"{title} summary",
        body=json.dumps([{"type": "paragraph", "value": f"<p>A {WORD} for {title}.</p>"}]),
    )
    practice_index_for(Locale.get_default()).add_child(instance=practice)
    revision = practice.save_revision()
    if publish:
        revision.publish()
    practice.refresh_from_db()
    return practice


def _pick(query: str, page=None, **fields) -> SearchPromotion:
    query_row, _created = Query.objects.get_or_create(query_string=query)
    order = SearchPromotion.objects.filter(query=query_row).count()
    return SearchPromotion.objects.create(query=query_row, page=page, sort_order=order, **fields)


@pytest.fixture
def practices(site_structure):
    found = {
        "first": _practice("Alpha clinics"),
        "second": _practice("Beta clinics"),
        "third": _practice("Gamma clinics"),
    }
    get_engine().rebuild(iter_search_documents())
    return found


def _titles_in_order(html: str, *titles: str) -> list[str]:
    return [title for _pos, title in sorted((html.find(t), t) for t in titles if t in html)]


def test_picks_come_first_on_the_page_and_are_not_repeated(client, practices):
    third = practices["third"]
    _pick(WORD, third, description="Start here.")

    html = client.get("/en/search/", {"q": WORD}).content.decode()

    promoted = html.index('class="search-promoted"')
    hits = html.index('class="search-hits"', promoted + 1)
    assert promoted < html.index("Gamma clinics") < hits
    assert "Start here." in html
    assert html.count(f'href="{third.url}"') == 1  # not again among the hits
    assert "Alpha clinics" in html[hits:] and "Beta clinics" in html[hits:]


def test_picks_come_first_in_the_api_apart_from_the_hits(client, practices):
    third, first = practices["third"], practices["first"]
    _pick(WORD, third)
    _pick(WORD, first)
    _pick(WORD, external_link_url="https://example.org/guide", external_link_text="WHO guide")

    body = client.get("/api/v1/search/", {"q": WORD.upper()}).json()

    assert [(p["title"], p["url"], p["external"]) for p in body["promoted"]] == [
        # Absolute, on the host the client asked (tests/cac/test_absolute_urls.py).
        ("Gamma clinics", f"http://testserver{third.url}", False),
        ("Alpha clinics", f"http://testserver{first.url}", False),
        ("WHO guide", "https://example.org/guide", True),
    ]
    # hits and total stay the engine's answer: all three practices.
    assert body["total"] == 3
    assert len(body["hits"]) == 3


def test_external_link_pick_shows_on_the_page(client, practices):
    _pick(WORD, external_link_url="https://example.org/guide", external_link_text="WHO guide")

    html = client.get("/en/search/", {"q": WORD}).content.decode()

    assert 'href="https://example.org/guide"' in html
    assert "WHO guide" in html


def test_picks_only_on_the_first_unfiltered_page(client, practices):
    _pick(WORD, practices["third"], description="Start here.")

    second_page = client.get("/en/search/", {"q": WORD, "page": 2}).content.decode()
    filtered = client.get("/en/search/", {"q": WORD, "kind": "countermeasure"}).content.decode()
    api_second = client.get("/api/v1/search/", {"q": WORD, "page": 2}).json()
    other_query = client.get("/api/v1/search/", {"q": "clinics"}).json()

    assert "Start here." not in second_page
    assert "Start here." not in filtered
    assert api_second["promoted"] == []
    assert other_query["promoted"] == []


def test_a_pick_of_a_draft_or_private_page_never_shows(client, practices):
    draft = _practice("Secret draft")
    draft.save_revision()
    draft.unpublish()
    private = _practice("Secret private")
    PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.LOGIN)
    _pick(WORD, draft, description="draft pick")
    _pick(WORD, private, description="private pick")

    html = client.get("/en/search/", {"q": WORD}).content.decode()
    api = client.get("/api/v1/search/", {"q": WORD}).json()

    assert "Secret" not in html and "pick" not in html
    assert api["promoted"] == []


def test_a_pick_under_an_unpublished_section_never_shows(client, practices):
    index_page = practice_index_for(Locale.get_default())
    index_page.unpublish()
    _pick(WORD, practices["first"], description="hidden branch pick")

    html = client.get("/en/search/", {"q": WORD}).content.decode()

    assert "hidden branch pick" not in html


def test_a_pick_shows_the_korean_translation_on_the_korean_page(client, practices):
    first = practices["first"]
    korean = first.copy_for_translation(Locale.objects.get(language_code="ko")).specific
    korean.title = "알파 선별진료소"
    korean.save_revision().publish()
    _pick(WORD, first, description="English description")

    html = client.get("/ko/search/", {"q": WORD}).content.decode()
    api = client.get("/api/v1/search/", {"q": WORD, "lang": "ko"}).json()
    english = client.get("/en/search/", {"q": WORD}).content.decode()

    promoted = html[html.index('class="search-promoted"') : html.index('class="search-hits"')]
    assert "알파 선별진료소" in promoted and korean.url in promoted
    assert "Alpha clinics" not in promoted
    assert api["promoted"][0]["title"] == "알파 선별진료소"
    assert api["promoted"][0]["locale"] == "ko"
    assert "Alpha clinics" in english and "English description" in english


def test_a_pick_falls_back_to_the_original_when_the_translation_is_a_draft(client, practices):
    first = practices["first"]
    korean = first.copy_for_translation(Locale.objects.get(language_code="ko")).specific
    korean.title = "알파 초안"
    korean.save()
    korean.save_revision()  # never published
    assert not korean.live
    _pick(WORD, first)

    html = client.get("/ko/search/", {"q": WORD}).content.decode()

    assert "알파 초안" not in html
    promoted = html[html.index('class="search-promoted"') : html.index('class="search-hits"')]
    assert "Alpha clinics" in promoted and f'href="{first.url}"' in promoted
