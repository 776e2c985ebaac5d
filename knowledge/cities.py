"""The public city pages: a city and what it contributed to the platform and the summit."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.core.paginator import Page
from wagtail.models import Locale

from knowledge.localized import prefer_locale, snippet_by_slug
from knowledge.models import City, PracticePage, SessionPage
from knowledge.pagination import listing_page
from knowledge.topic_areas import SESSION_LIMIT, programme_of
from knowledge.visibility import visible_pages


@dataclass
class CityContents:
    practices: Page  # one page of the city's practices
    sessions: list[SessionPage]
    # The summit page, when the city took part in more sessions than are listed.
    programme: SessionPage | None = None

    @property
    def is_empty(self) -> bool:
        return not (self.practices.paginator.count or self.sessions)


def city_by_slug(slug: str, locale: Locale) -> City | None:
    return snippet_by_slug(City, slug, locale)


def city_contents(city: City, locale: Locale, page_param: str | None = None) -> CityContents:
    """One page of the city's visible practices, and the visible sessions it took part in.

    Matched by the city's translation key, so pages pointing at any language's record count.
    `page_param` is the visitor's `?page=`, whatever it holds.
    """
    practices = prefer_locale(
        visible_pages(PracticePage.objects.filter(city__translation_key=city.translation_key)),
        locale,
    )
    sessions = list(
        prefer_locale(
            visible_pages(
                SessionPage.objects.filter(cities__translation_key=city.translation_key)
            ).distinct(),
            locale,
        )
        .select_related("topic")
        .order_by("start", "pk")[: SESSION_LIMIT + 1]
    )
    practices = practices.select_related("city").order_by("-started", "-first_published_at", "pk")
    return CityContents(
        practices=listing_page(practices, page_param),
        sessions=sessions[:SESSION_LIMIT],
        programme=programme_of(sessions),
    )


@dataclass(frozen=True)
class CityRow:
    city: City  # in the visitor's language where it has a record
    practices: int  # translation groups: a practice and its translations count once
    sessions: int


def city_index(locale: Locale) -> list[CityRow]:
    """Every city the public can read something about, most practices first."""
    practice_groups = (
        visible_pages(PracticePage.objects.exclude(city=None))
        .order_by()  # a page ordering would join the DISTINCT and count translations apart
        .values_list("city__translation_key", "translation_key")
        .distinct()
    )
    session_groups = (
        visible_pages(SessionPage.objects.exclude(cities=None))
        .order_by()
        .values_list("cities__translation_key", "translation_key")
        .distinct()
    )
    practices = Counter(city_key for city_key, _group in practice_groups)
    sessions = Counter(city_key for city_key, _group in session_groups)
    cities = prefer_locale(City.objects.filter(translation_key__in={*practices, *sessions}), locale)
    rows = [
        CityRow(city, practices[city.translation_key], sessions[city.translation_key])
        for city in cities
    ]
    return sorted(rows, key=lambda row: (-row.practices, -row.sessions, row.city.name.casefold()))
