"""/sitemap.xml and /robots.txt: every public address with its public translations, nothing
the public may not read, on the host that asked, in a number of queries that does not grow."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from defusedxml import ElementTree as ET
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.timezone import localtime
from wagtail.models import Locale, PageViewRestriction, Site

from home.models import HomePage
from home.site_structure import practice_index_for
from knowledge.models import PracticeIndexPage
from knowledge.sitemaps import PublicSitemap
from sitedata.summit_programme import get_or_create_city
from tests.knowledge.factories import add_practice

pytestmark = pytest.mark.django_db

HOST = "cac.example.org"
NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9", "xhtml": "http://www.w3.org/1999/xhtml"}


@dataclass
class Listed:
    lastmod: str | None
    alternates: dict[str, str] = field(default_factory=dict)


def sitemap(client, **extra) -> tuple[dict[str, Listed], str]:
    response = client.get("/sitemap.xml", HTTP_HOST=HOST, **extra)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    body = response.content.decode()
    listed = {}
    for url in ET.fromstring(body).findall("sm:url", NS):
        lastmod = url.find("sm:lastmod", NS)
        listed[url.find("sm:loc", NS).text] = Listed(
            lastmod=lastmod.text if lastmod is not None else None,
            alternates={
                link.get("hreflang"): link.get("href")
                for link in url.findall("xhtml:link", NS)
                if link.get("rel") == "alternate"
            },
        )
    return listed, body


def absolute(path: str) -> str:
    return f"http://{HOST}{path}"


def translate(page, code: str, *, publish: bool = True):
    translated = page.copy_for_translation(Locale.objects.get(language_code=code))
    revision = translated.save_revision()
    if publish:
        revision.publish()
    translated.refresh_from_db()
    return translated


@pytest.fixture
def english_index(summit):
    return practice_index_for(Locale.get_default())


@pytest.fixture
def hidden(english_index):
    """Pages and translations the public must never be pointed to, each with a unique slug."""
    seoul = get_or_create_city("Seoul", "KR")
    # A city known only from a draft: its page is a 404, so it is not listed either.
    draft_city = get_or_create_city("Secretville", "KR")
    public = add_practice(english_index, "Open testing clinics", city=seoul)
    pages = {
        "draft": add_practice(english_index, "Secretdraft plan", publish=False, city=draft_city),
        "private": add_practice(english_index, "Secretprivate briefing"),
        "login_only": add_practice(english_index, "Secretlogin briefing"),
        # A Korean translation never published, and a French one published then taken down.
        "never_live_translation": translate(public, "ko", publish=False),
        "unpublished_translation": translate(public, "fr"),
    }
    PageViewRestriction.objects.create(
        page=pages["private"],
        restriction_type=PageViewRestriction.PASSWORD,
        password="members-only",  # noqa: S106
    )
    PageViewRestriction.objects.create(
        page=pages["login_only"], restriction_type=PageViewRestriction.LOGIN
    )
    pages["unpublished_translation"].unpublish()
    # A branch behind a password, and a branch taken down after its practice was published.
    home = HomePage.objects.get(locale=Locale.get_default())
    for slug in ("secretvault", "secretarchive"):
        index = PracticeIndexPage(title=slug.title(), slug=slug)
        home.add_child(instance=index)
        index.save_revision().publish()
        pages[slug] = index
        pages[f"{slug}_child"] = add_practice(index, f"Secretchild of {slug}")
    PageViewRestriction.objects.create(
        page=pages["secretvault"], restriction_type=PageViewRestriction.GROUPS
    )
    pages["secretarchive"].refresh_from_db()
    pages["secretarchive"].unpublish()
    return public, pages


def test_lists_each_page_with_its_public_translations_on_the_requests_host(client, english_index):
    english = add_practice(english_index, "Drive-through testing")
    korean = translate(english, "ko")
    listed, _body = sitemap(client)
    expected = {
        "en": absolute(english.url),
        "ko": absolute(korean.url),
        "x-default": absolute(english.url),
    }
    assert listed[absolute(english.url)].alternates == expected
    assert listed[absolute(korean.url)].alternates == expected
    # The date of the last publication, in the site's time zone (Django's template).
    published = localtime(english.last_published_at).date().isoformat()
    assert listed[absolute(english.url)].lastmod == published
    # Wagtail's Site says localhost; the addresses are on the host that asked.
    assert Site.objects.get(is_default_site=True).hostname != HOST
    assert all(loc.startswith(f"http://{HOST}/") for loc in listed)
    # hreflang as browsers write it; the path keeps Django's prefix.
    assert listed[absolute("/en/")].alternates["zh-Hans"] == absolute("/zh-hans/")


def test_https_when_asked_over_https(client, english_index):
    listed, _body = sitemap(client, secure=True)
    assert f"https://{HOST}/en/" in listed


def test_no_x_default_without_a_default_language_version(client, summit):
    korean = add_practice(practice_index_for(Locale.objects.get(language_code="ko")), "격리 지침")
    french = translate(korean, "fr")
    listed, _body = sitemap(client)
    assert listed[absolute(korean.url)].alternates == {
        "ko": absolute(korean.url),
        "fr": absolute(french.url),
    }


def test_never_names_a_page_the_public_may_not_read(client, hidden):
    public, pages = hidden
    listed, body = sitemap(client)
    named = set(listed) | {href for entry in listed.values() for href in entry.alternates.values()}
    for key, page in pages.items():
        assert absolute(page.url) not in named, key
    # Not even a slug: every hidden page and city was named with "secret".
    assert "secret" not in body.lower()
    # The public original is listed, alone: its translations are not public.
    assert listed[absolute(public.url)].alternates == {}


def test_topic_areas_in_every_language_and_cities_only_where_public(client, hidden):
    public, _pages = hidden
    listed, _body = sitemap(client)
    codes = [code for code, _name in settings.LANGUAGES]
    for code in codes:
        assert absolute(f"/{code}/topics/") in listed
        assert absolute(f"/{code}/topics/quarantine/") in listed
    quarantine = listed[absolute("/en/topics/quarantine/")].alternates
    assert quarantine["zh-Hans"] == absolute("/zh-hans/topics/quarantine/")
    assert quarantine["x-default"] == absolute("/en/topics/quarantine/")
    # Seoul has a public practice in English, so its page answers in every language.
    assert absolute("/ko/cities/seoul/") in listed
    assert not [loc for loc in listed if "/cities/secretville/" in loc]


def test_every_listed_address_answers_the_public(client, hidden):
    listed, _body = sitemap(client)
    named = set(listed) | {href for entry in listed.values() for href in entry.alternates.values()}
    for url in sorted(named):
        response = client.get(url.removeprefix(f"http://{HOST}"), HTTP_HOST=HOST)
        assert response.status_code == 200, url


def test_a_large_site_is_split_into_pages_of_the_sitemap(client, english_index, monkeypatch):
    monkeypatch.setattr(PublicSitemap, "limit", 10)
    first, _body = sitemap(client)
    response = client.get("/sitemap.xml", {"p": 2}, HTTP_HOST=HOST)
    assert response.status_code == 200
    assert len(first) == 10
    assert client.get("/sitemap.xml", {"p": 999}, HTTP_HOST=HOST).status_code == 404


def _sitemap_queries(client) -> tuple[int, int]:
    cache.clear()  # Wagtail caches the site root paths: each count starts cold
    with CaptureQueriesContext(connection) as queries:
        listed, _body = sitemap(client)
    return len(queries), len(listed)


def test_the_number_of_queries_does_not_grow_with_the_pages(
    client, english_index, django_assert_max_num_queries
):
    korean_index = practice_index_for(Locale.objects.get(language_code="ko"))

    def add(count: int, start: int):
        for n in range(start, start + count):
            city = get_or_create_city(f"Budget city {n}", "KR")
            english = add_practice(english_index, f"Budget practice {n}", city=city)
            translate(english, "ko")
            add_practice(korean_index, f"예산 사례 {n}")

    add(10, 0)
    few, few_listed = _sitemap_queries(client)
    add(30, 10)
    many, many_listed = _sitemap_queries(client)
    # Each round: three pages, and a city public in every language.
    assert many_listed == few_listed + 30 * (3 + len(settings.LANGUAGES))
    assert many == few
    # 15 on a cold cache (228 and 528 addresses here): the site and its root paths, the
    # pages, the locales, the areas, the cities and the pages that make a city public.
    cache.clear()
    with django_assert_max_num_queries(15):
        sitemap(client)


def test_robots_txt_keeps_crawlers_out_of_the_admin_apis_and_search_results(client):
    response = client.get("/robots.txt", HTTP_HOST=HOST, secure=True)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert lines[0] == "User-agent: *"
    assert "Disallow: /admin/" in lines
    assert "Disallow: /api/" in lines
    for code, _name in settings.LANGUAGES:
        assert f"Disallow: /{code}/search/" in lines
    assert f"Sitemap: https://{HOST}/sitemap.xml" in lines
    # Public pages stay open to crawlers.
    assert not [line for line in lines if line in ("Disallow: /", "Disallow: /en/")]


@pytest.mark.parametrize("path", ["/sitemap.xml", "/robots.txt"])
def test_served_without_a_language_prefix_whatever_the_visitors_language(client, summit, path):
    response = client.get(path, HTTP_ACCEPT_LANGUAGE="ko", HTTP_HOST=HOST)
    assert response.status_code == 200
    assert client.get(f"/ko{path}", HTTP_HOST=HOST).status_code == 404
