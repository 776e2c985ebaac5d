"""Visitors stay in their language: a page not translated yet is read under /<lang>/."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.utils import translation
from wagtail.models import Locale, PageViewRestriction

from home.site_structure import ensure_site_structure, practice_index_for
from search.engines.values import SearchHit
from search.service import displayed_hits
from tests.knowledge.factories import add_practice


class Marked(HTMLParser):
    """The html element, the head's canonical/robots/alternates, each h1 and each link."""

    def __init__(self):
        super().__init__()
        self.html: dict[str, str] = {}
        self.canonical = ""
        self.robots = ""
        self.alternates: list[str] = []
        self.h1: dict[str, str] = {}
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = {name: value or "" for name, value in attrs}
        if tag == "html":
            self.html = attributes
        elif tag == "link" and attributes.get("rel") == "canonical":
            self.canonical = attributes["href"]
        elif tag == "link" and attributes.get("rel") == "alternate" and "hreflang" in attributes:
            self.alternates.append(attributes["hreflang"])
        elif tag == "meta" and attributes.get("name") == "robots":
            self.robots = attributes["content"]
        elif tag == "h1":
            self.h1 = attributes
        elif tag == "a":
            self.hrefs.append(attributes.get("href", ""))


def _marked(response) -> Marked:
    parser = Marked()
    parser.feed(response.content.decode())
    return parser


@pytest.fixture
def original(db):
    ensure_site_structure()
    index = practice_index_for(Locale.get_default())
    add_practice(index, "Walk-through screening booths")
    return add_practice(index, "Drive-through testing", body=[("paragraph", "<p>Cars</p>")])


def test_an_untranslated_page_is_read_under_the_visitors_language(client, original):
    response = client.get("/ar/practices/drive-through-testing/")
    assert response.status_code == 200
    page = _marked(response)
    # The interface is Arabic, right to left; the page's own words are marked as English.
    assert page.html == {"lang": "ar", "dir": "rtl"}
    assert page.h1 == {"lang": "en", "dir": "ltr"}
    text = response.content.decode()
    with translation.override("ar"):
        assert str(translation.gettext("Skip to main content")) in text
    assert 'class="body rich-text" lang="en" dir="ltr"' in text
    # One version for search engines: the original is canonical, this address is not indexed.
    assert page.canonical == "http://testserver/en/practices/drive-through-testing/"
    assert page.robots == "noindex, follow"
    assert page.alternates == []
    assert "original-language-notice" in text


def test_links_onwards_stay_in_the_visitors_language(client, original):
    response = client.get("/es/practices/drive-through-testing/")
    hrefs = _marked(response).hrefs
    assert "/es/practices/" in hrefs  # the breadcrumb to the index
    assert "/es/practices/drive-through-testing/" in hrefs
    # Only the language switcher's English link leaves Spanish.
    assert [href for href in hrefs if href.startswith("/en/")] == [
        "/en/practices/drive-through-testing/"
    ]
    listing = _marked(client.get("/es/practices/")).hrefs
    assert "/es/practices/walk-through-screening-booths/" in listing
    assert [href for href in listing if href.startswith("/en/")] == ["/en/practices/"]


def test_a_search_hit_in_the_default_language_opens_in_the_readers():
    hit = SearchHit(
        id="page:1",
        translation_key="k",
        locale="en",
        url="/en/practices/drive-through-testing/",
        title="Drive-through testing",
        snippet="",
        content_type="knowledge.practicepage",
        kind="countermeasure",
        topics=(),
        city="",
        country="",
        started=None,
    )
    korean = SearchHit(**{**hit.__dict__, "locale": "ko", "url": "/ko/practices/x/"})
    shown = displayed_hits([hit, korean], "fr", labels={})
    assert shown[0].reader_url == "/fr/practices/drive-through-testing/"
    # Only the default language's tree answers under every prefix.
    assert shown[1].reader_url == "/ko/practices/x/"
    assert displayed_hits([hit], "en", labels={})[0].reader_url == hit.url


def test_drafts_private_pages_and_other_languages_originals_are_never_served(client, original):
    index = practice_index_for(Locale.get_default())
    add_practice(index, "Unreleased plan", publish=False)
    private = add_practice(index, "Staff only plan")
    PageViewRestriction.objects.create(page=private, restriction_type="login")
    korean_index = practice_index_for(Locale.objects.get(language_code="ko"))
    add_practice(korean_index, "Seoul only", slug="seoul-only")

    assert client.get("/es/practices/unreleased-plan/").status_code == 404
    hidden = client.get("/es/practices/staff-only-plan/")
    assert hidden.status_code == 302 and "Staff only plan" not in hidden.content.decode()
    assert client.get("/es/practices/seoul-only/").status_code == 404
    assert client.get("/ko/practices/seoul-only/").status_code == 200
    assert client.get("/es/practices/nothing-here/").status_code == 404


def test_the_sitemap_lists_the_original_address_only(client, original):
    sitemap = client.get("/sitemap.xml").content.decode()
    assert "/en/practices/drive-through-testing/" in sitemap
    assert "/es/practices/drive-through-testing/" not in sitemap
