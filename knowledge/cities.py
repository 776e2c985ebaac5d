"""The public city pages: a city and what it contributed to the platform and the summit."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from wagtail.models import Locale

from knowledge.localized import prefer_locale, snippet_by_slug
from knowledge.models import City, PracticePage, SessionPage
from knowledge.visibility import visible_pages


@dataclass
class CityContents:
    practices: QuerySet[PracticePage]
    sessions: QuerySet[SessionPage]

    @property
    def is_empty(self) -> bool:
        return not (self.practices.exists() or self.sessions.exists())


def city_by_slug(slug: str, locale: Locale) -> City | None:
    return snippet_by_slug(City, slug, locale)


def city_contents(city: City, locale: Locale) -> CityContents:
    """Visible practices from the city and visible sessions it took part in.

    Matched by the city's translation key, so pages pointing at any language's record count.
    """
    practices = prefer_locale(
        visible_pages(PracticePage.objects.filter(city__translation_key=city.translation_key)),
        locale,
    )
    sessions = prefer_locale(
        visible_pages(
            SessionPage.objects.filter(cities__translation_key=city.translation_key)
        ).distinct(),
        locale,
    )
    return CityContents(
        practices=practices.select_related("city")
        .prefetch_related("topics")
        .order_by("-started", "-first_published_at", "pk"),
        sessions=sessions.select_related("topic").order_by("start", "pk"),
    )
