"""The search box's autocomplete, related practices on practice pages, and the zero-result page.

All over the real embedded engine and the real pages.
"""

from __future__ import annotations

import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import Locale, PageViewRestriction

from home.site_structure import practice_index_for
from knowledge.models import PracticeKind, PracticePage, RelatedPractice
from search.documents import iter_search_documents
from search.engines.selection import get_engine
from tests.knowledge.factories import add_practice

pytest.importorskip("search.engines.embedded")

SHARED_WORDS = "zucchiniwaffle screening booth ventilation queue"  # words no other content has


def _body(text: str) -> str:
    return json.dumps([{"type": "paragraph", "value": f"<p>{text}</p>"}])


def _practice(title: str, text: str, **fields) -> PracticePage:
    index_page = practice_index_for(Locale.get_default())
    return add_practice(index_page, title, body=_body(text), **fields)


def _translate_to_korean(page: PracticePage, title: str, text: str) -> PracticePage:
    korean = page.copy_for_translation(Locale.objects.get(language_code="ko")).specific
    korean.title = title
    korean.body = _body(text)
    korean.save_revision().publish()
    korean.refresh_from_db()
    return korean


def _make_searchable() -> None:
    """Rebuild the shared test index from exactly what is public in this test's database."""
    get_engine().rebuild(iter_search_documents())


def _related_section(html: str) -> str:
    """The "Related practices" section of a practice page, or "" when the page has none."""
    match = re.search(r'<section aria-labelledby="related-heading">(.*?)</section>', html, re.S)
    return match.group(1) if match else ""


# -- autocomplete ------------------------------------------------------------------------


def test_search_box_is_a_combobox_and_its_script_is_deferred(client, site_structure):
    html = client.get("/en/search/").content.decode()

    box = re.search(r"<input id=\"search-q\"[^>]*>", html).group(0)
    assert 'role="combobox"' in box
    assert 'aria-expanded="false"' in box
    assert 'aria-autocomplete="list"' in box
    assert 'aria-controls="search-q-suggestions"' in box
    assert 'name="q"' in box  # still a plain form field without JavaScript
    assert re.search(r'<ul id="search-q-suggestions"[^>]*role="listbox"[^>]*hidden', html)
    assert 'aria-label="Suggestions"' in html
    assert re.search(r'<script src="[^"]*js/search-suggest\.js" defer></script>', html)
    # CSP-friendly: no inline script and no inline event handler anywhere on the page.
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert not re.search(r"\son[a-z]+=", html)


def test_korean_search_page_asks_for_korean_suggestions(client, site_structure):
    html = client.get("/ko/search/").content.decode()

    assert 'data-suggest-lang="ko"' in html
    assert 'data-suggest-url="/api/v1/search/suggest"' in html


def test_the_endpoint_the_script_calls_completes_the_typed_prefix(client, site_structure):
    practice = _practice("Drive-through screening clinics", SHARED_WORDS)
    _translate_to_korean(practice, "드라이브 스루 선별진료소", "자가격리자 선별진료소")
    _make_searchable()
    html = client.get("/en/search/").content.decode()
    url = re.search(r'data-suggest-url="([^"]+)"', html).group(1)
    language = re.search(r'data-suggest-lang="([^"]+)"', html).group(1)

    english = client.get(url, {"q": "Drive-thr", "lang": language})
    korean = client.get(url, {"q": "드라이브", "lang": "ko"})

    assert english.status_code == 200
    assert english.json()["suggestions"][0] == "Drive-through screening clinics"
    assert korean.json()["suggestions"][0] == "드라이브 스루 선별진료소"


# -- related practices -------------------------------------------------------------------


@pytest.fixture
def related_site(site_structure):
    source = _practice("Drive-through screening clinics", SHARED_WORDS)
    source_ko = _translate_to_korean(source, "드라이브 스루 선별진료소", SHARED_WORDS)
    similar = _practice("Walk-through screening booths", SHARED_WORDS + " walk")
    similar_ko = _translate_to_korean(similar, "워크 스루 선별진료소", SHARED_WORDS + " 도보")
    only_english = _practice(
        "Ventilation of screening queues", SHARED_WORDS, kind=PracticeKind.GUIDELINE
    )
    draft = _practice("Secret draft booth", SHARED_WORDS, publish=False)
    private = _practice("Secret private booth", SHARED_WORDS)
    PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.LOGIN)
    unrelated = _practice("School meal vouchers", "lunch vouchers for pupils at home")
    _make_searchable()
    return {
        "source": source,
        "source_ko": source_ko,
        "similar": similar,
        "similar_ko": similar_ko,
        "only_english": only_english,
        "draft": draft,
        "private": private,
        "unrelated": unrelated,
    }


def test_practice_page_shows_similar_practices_but_not_itself_or_hidden_ones(client, related_site):
    response = client.get(related_site["source"].url)

    assert response.status_code == 200
    related = _related_section(response.content.decode())
    assert "Walk-through screening booths" in related
    assert "Ventilation of screening queues" in related
    assert "Drive-through screening clinics" not in related  # itself
    assert "드라이브 스루" not in related  # its own translation
    assert "Secret" not in related  # the draft and the private page


def test_related_practices_are_shown_in_the_visitors_language_when_translated(client, related_site):
    response = client.get(related_site["source_ko"].url)

    assert response.status_code == 200
    related = _related_section(response.content.decode())
    assert ">워크 스루 선별진료소</a>" in related
    assert ">Walk-through screening booths</a>" not in related
    # No Korean translation: the English original, marked as English for screen readers.
    assert 'lang="en"' in related and "Ventilation of screening queues" in related
    assert "드라이브 스루" not in related and "Drive-through" not in related


def test_a_page_unpublished_since_indexing_is_not_offered_as_related(client, related_site):
    # .update() skips the signals, so the index still holds it, as after a missed reindex.
    similar = [related_site["similar"].pk, related_site["similar_ko"].pk]
    PracticePage.objects.filter(pk__in=similar).update(live=False)

    related = _related_section(client.get(related_site["source"].url).content.decode())

    assert "Walk-through screening booths" not in related
    assert "워크 스루" not in related
    assert "Ventilation of screening queues" in related


def test_editors_picks_come_first_and_engine_results_fill_up_to_five(client, related_site):
    RelatedPractice.objects.create(page=related_site["source"], related=related_site["unrelated"])

    related = _related_section(client.get(related_site["source"].url).content.decode())

    assert related.index("School meal vouchers") < related.index("Walk-through screening booths")
    assert related.count('class="card"') <= 5


def test_related_practices_cost_the_same_queries_however_many_are_shown(client, related_site):
    page = related_site["source"]

    def render() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as captured:
            html = client.get(page.url).content.decode()
        return len(captured), _related_section(html).count('class="card"')

    render()  # warms per-process caches (site root paths, locales)
    queries_for_three, three = render()
    hidden = [related_site["only_english"].pk, related_site["unrelated"].pk]
    PracticePage.objects.filter(pk__in=hidden).update(live=False)  # the index still has them
    queries_for_one, one = render()

    assert (three, one) == (3, 1)
    assert queries_for_three == queries_for_one


def test_practice_page_renders_without_the_section_when_not_indexed(client, related_site):
    get_engine().rebuild([])

    response = client.get(related_site["source"].url)

    assert response.status_code == 200
    assert "Drive-through screening clinics" in response.content.decode()
    assert 'id="related-heading"' not in response.content.decode()


@pytest.fixture
def unreadable_index(settings, tmp_path):
    """The embedded engine pointed at a file where its index directory should be."""
    not_a_directory = tmp_path / "index-is-a-file"
    not_a_directory.write_text("not an index")
    settings.SEARCH_INDEX_DIR = not_a_directory
    get_engine.cache_clear()
    yield
    get_engine.cache_clear()


def test_practice_page_renders_when_the_engine_is_unavailable(
    client, related_site, unreadable_index
):
    search = client.get("/en/search/", {"q": "screening"})
    response = client.get(related_site["source"].url)

    assert search.status_code == 503  # the engine really is down
    assert response.status_code == 200
    html = response.content.decode()
    assert "Drive-through screening clinics" in html
    assert 'id="related-heading"' not in html


# -- zero results ------------------------------------------------------------------------


def test_a_misspelt_query_offers_the_corrected_one_keeping_filters(client, summit, related_site):
    typo = "zucchiniwafle"
    response = client.get("/en/search/", {"q": typo, "kind": "guideline"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "Nothing matched" in html
    assert "Did you mean" in html
    offered = r'Did you mean <a href="([^"]+)"><bdi>zucchiniwaffle</bdi></a>\?'
    link = re.search(offered, html).group(1)
    assert "q=zucchiniwaffle" in link and "kind=guideline" in link
    followed = client.get("/en/search/" + link.replace("&amp;", "&")).content.decode()
    assert "Ventilation of screening queues" in followed
    assert "Walk-through screening booths" not in followed  # the filter was kept
    assert html.count('href="/en/topics/') >= 10  # the nearby topics stay


def test_no_suggestion_when_nothing_is_close(client, related_site):
    html = client.get("/en/search/", {"q": "qwxzvbnm"}).content.decode()

    assert "Nothing matched" in html
    assert "Did you mean" not in html


def test_filters_that_leave_nothing_offer_the_same_search_without_them(client, related_site):
    response = client.get("/en/search/", {"q": "zucchiniwaffle", "kind": "dataset", "sort": "date"})

    html = response.content.decode()
    assert "Nothing matched" in html
    link = re.search(r'<p class="search-empty__unfiltered"><a href="([^"]+)">', html).group(1)
    assert "kind=" not in link and "q=zucchiniwaffle" in link and "sort=date" in link
    assert "without filters" in html
    assert 'class="search-facets"' not in html  # no empty filter box beside nothing
    followed = client.get("/en/search/" + link.replace("&amp;", "&")).content.decode()
    assert "Walk-through screening booths" in followed


def test_korean_zero_result_page_keeps_the_korean_search(client, related_site):
    html = client.get("/ko/search/", {"q": "zucchiniwafle"}).content.decode()

    link = re.search(r'<p class="search-empty__suggestion">[^<]*<a href="([^"]+)">', html)
    assert link is not None
    followed = client.get("/ko/search/" + link.group(1).replace("&amp;", "&"))
    assert followed.status_code == 200
    assert "워크 스루 선별진료소" in followed.content.decode()
