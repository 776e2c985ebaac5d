"""The sitemap: every public address of the site, each with its public translations.

Pages come from visible_pages; topic areas and cities follow the rules of their views
(topic_areas.py, cities.py). Everything is read in a few bulk queries and grouped in Python,
so the number of queries does not grow with the number of pages.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.http import HttpRequest
from django.urls import reverse
from django.utils import translation
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Locale, Page, Site

from knowledge.models import City, PracticePage, SessionPage, TopicArea
from knowledge.visibility import visible_pages


@dataclass
class Entry:
    """One public address, and the same thing's addresses in other languages (its group)."""

    path: str
    language: str
    lastmod: datetime | None = None
    group: list[Entry] = field(default_factory=list, repr=False)


def hreflang(language_code: str) -> str:
    """The code as hreflang and browsers write it: zh-Hans for Django's zh-hans."""
    return translation.to_locale(language_code).replace("_", "-")


def _grouped(entries_by_key: dict[object, list[Entry]]) -> list[Entry]:
    found = []
    for group in entries_by_key.values():
        for entry in group:
            entry.group = group
            found.append(entry)
    return found


class PublicSitemap(Sitemap):
    """Django's sitemap, fed with entries that carry their own language alternates.

    Django's `i18n` mode serves one object in every language; here each translation is an
    object of its own, public or not, so the alternates are computed per group instead.
    """

    def __init__(self, request: HttpRequest):
        self.request = request

    @cached_property
    def locales(self) -> dict[str, Locale]:
        """The site's languages that have content locales, in LANGUAGES order."""
        by_code = {locale.language_code: locale for locale in Locale.objects.all()}
        return {code: by_code[code] for code, _name in settings.LANGUAGES if code in by_code}

    @cached_property
    def default_language(self) -> str:
        return get_supported_content_language_variant(settings.LANGUAGE_CODE)

    def items(self) -> list[Entry]:
        return self.entries

    @cached_property
    def entries(self) -> list[Entry]:
        # Built once per sitemap: the paginator asks for the items more than once.
        return self.page_entries() + self.topic_area_entries() + self.city_entries()

    def page_entries(self) -> list[Entry]:
        # The serving site (Wagtail falls back to the default one for an unknown host).
        site = Site.find_for_request(self.request)
        pages = visible_pages(Page.objects.all()).select_related("locale").order_by("path")
        by_key: dict[object, list[Entry]] = defaultdict(list)
        for page in pages:
            if page.locale.language_code not in self.locales:
                continue
            # Site root paths are cached on the request: no query per page.
            parts = page.get_url_parts(self.request)
            if parts is None or parts[2] is None or (site and parts[0] != site.pk):
                continue  # another site's page, or one with no address
            entry = Entry(
                path=parts[2],
                language=page.locale.language_code,
                lastmod=page.last_published_at or page.latest_revision_created_at,
            )
            by_key[page.translation_key].append(entry)
        return _grouped(by_key)

    def view_entries(self, name: str, slugs: dict[str, str] | None = None) -> list[Entry]:
        """A non-page view in each language it is public in, with that language's slug."""
        entries = []
        for code in self.locales:
            kwargs = {}
            if slugs is not None:
                if code not in slugs:
                    continue
                kwargs["slug"] = slugs[code]
            with translation.override(code):
                entries.append(Entry(path=reverse(name, kwargs=kwargs), language=code))
        return _grouped({name: entries})

    def slugs_by_language(self, model) -> dict[object, dict[str, str]]:
        """Each snippet's slug in each language, as snippet_by_slug finds it.

        A language's own record where there is one, else the default-language record's slug,
        unless that slug names another record in the language.
        """
        own: dict[object, dict[str, str]] = defaultdict(dict)
        taken: dict[str, set[str]] = defaultdict(set)
        for key, slug, code in model.objects.values_list(
            "translation_key", "slug", "locale__language_code"
        ):
            own[key][code] = slug
            taken[code].add(slug)
        slugs = {}
        for key, by_code in own.items():
            fallback = by_code.get(self.default_language)
            slugs[key] = {
                code: by_code.get(code, fallback)
                for code in self.locales
                if code in by_code or (fallback is not None and fallback not in taken[code])
            }
        return slugs

    def topic_area_entries(self) -> list[Entry]:
        # Every area page answers in every language (untranslated areas in the default one).
        entries = self.view_entries("topic_area_list")
        for slugs in self.slugs_by_language(TopicArea).values():
            entries += self.view_entries("topic_area_detail", slugs)
        return entries

    def city_entries(self) -> list[Entry]:
        # A city page answers only where a visible practice or session of the city is in the
        # visitor's language or the default one (city_contents); elsewhere it is a 404.
        with_content = set(
            visible_pages(PracticePage.objects.filter(city__isnull=False)).values_list(
                "city__translation_key", "locale__language_code"
            )
        ) | set(
            visible_pages(SessionPage.objects.filter(cities__isnull=False)).values_list(
                "cities__translation_key", "locale__language_code"
            )
        )
        entries = []
        for key, slugs in self.slugs_by_language(City).items():
            public = {
                code: slug
                for code, slug in slugs.items()
                if (key, code) in with_content or (key, self.default_language) in with_content
            }
            entries += self.view_entries("city_detail", public)
        return entries

    def get_urls(self, page=1, site=None, protocol=None) -> list[dict]:
        """Django's URL records, with each entry's public translations as alternates."""
        protocol = self.get_protocol(protocol)
        # The host that serves the request (RequestSite), not Wagtail's Site.root_url.
        domain = self.get_domain(site)
        urls = []
        for entry in self.paginator.page(page).object_list:
            urls.append(
                {
                    "item": entry,
                    "location": f"{protocol}://{domain}{entry.path}",
                    "lastmod": entry.lastmod,
                    "changefreq": None,
                    "priority": "",
                    "alternates": self.alternates(entry, protocol, domain),
                }
            )
        lastmods = [url["lastmod"] for url in urls]
        # As Django's: a Last-Modified header only when every address has a date.
        if lastmods and None not in lastmods:
            self.latest_lastmod = max(lastmods)
        return urls

    def alternates(self, entry: Entry, protocol: str, domain: str) -> list[dict]:
        if len(entry.group) < 2:
            return []
        alternates = [
            {
                "lang_code": hreflang(other.language),
                "location": f"{protocol}://{domain}{other.path}",
            }
            for other in entry.group
        ]
        for other in entry.group:
            if other.language == self.default_language:
                alternates.append(
                    {"lang_code": "x-default", "location": f"{protocol}://{domain}{other.path}"}
                )
        return alternates
