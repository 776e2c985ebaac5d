"""Search in every shipped language: each published translation is its own document in its own
locale, grouped with its source, and the hit is shown in the visitor's language when it can be.

Pages are published the way editors publish them; the index outbox feeds the embedded engine
in this process.
"""

from __future__ import annotations

import pytest
from wagtail.models import Locale

from home.site_structure import practice_index_for
from search.engines.base import SearchRequest
from search.engines.selection import get_engine
from tests.knowledge.factories import add_practice

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ENGLISH_TITLE = "Safe distance on public transport"
TRANSLATIONS = {
    "ja": ("公共交通機関での安全な距離", "地下鉄の車内では会話を控えるよう案内しました。"),
    "zh-hans": ("公共交通安全距离", "地铁车厢内请乘客减少交谈。"),
    "fr": ("Distance de sécurité dans les transports", "Les voyageurs portent des masques."),
    "ar": ("التباعد الآمن في النقل العام", "ارتداء الكمامات في المترو إلزامي."),
}


@pytest.fixture
def practice(tasks_in_process, site_structure):
    english = add_practice(
        practice_index_for(Locale.objects.get(language_code="en")),
        ENGLISH_TITLE,
        summary="Riders keep apart on the subway and wear masks.",
    )
    for code, (title, summary) in TRANSLATIONS.items():
        translated = english.copy_for_translation(Locale.objects.get(language_code=code)).specific
        translated.title = title
        translated.summary = summary
        translated.save_revision().publish()
    return english


def _titles(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def test_each_translation_is_its_own_document_in_its_own_locale(practice):
    engine = get_engine()
    found = {}
    for code, (title, _summary) in TRANSLATIONS.items():
        result = engine.search(SearchRequest(query=title, language=code, page_size=50))
        hit = next(
            hit for hit in result.hits if hit.translation_key == str(practice.translation_key)
        )
        found[code] = (hit.locale, hit.title)
    assert found == {code: (code, title) for code, (title, _s) in TRANSLATIONS.items()}


@pytest.mark.parametrize(
    ("language", "query"),
    [
        ("ja", "地下鉄"),  # a word inside unspaced Japanese
        ("zh-hans", "地铁"),  # and inside unspaced Chinese
        ("fr", "masques"),
        ("ar", "الكمامات"),
    ],
)
def test_a_search_in_the_visitors_language_finds_its_translation(client, practice, language, query):
    html = _titles(client.get(f"/{language}/search/", {"q": query}))

    assert TRANSLATIONS[language][0] in html
    assert ENGLISH_TITLE not in html  # one hit per translation group


@pytest.mark.parametrize(("query", "language"), [("地下鉄", "ja"), ("masques", "fr")])
def test_an_english_visitor_finding_a_translation_sees_the_english_page(
    client, practice, query, language
):
    html = _titles(client.get("/en/search/", {"q": query}))

    assert ENGLISH_TITLE in html
    assert TRANSLATIONS[language][0] not in html


def test_a_visitor_whose_language_has_no_translation_still_finds_the_practice(client, practice):
    # Spanish: no translation. The English query finds the English page.
    html = _titles(client.get("/es/search/", {"q": "subway masks"}))

    assert ENGLISH_TITLE in html


def test_the_arabic_search_page_is_laid_out_right_to_left(client, practice):
    html = _titles(client.get("/ar/search/", {"q": "الكمامات"}))

    assert 'dir="rtl"' in html
    assert TRANSLATIONS["ar"][0] in html
