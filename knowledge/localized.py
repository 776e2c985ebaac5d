"""Choosing what a visitor reads in their language, with the default language as fallback.

Much of the content (the summit sessions, most practices) exists only in English at first;
a Korean visitor should still find it, in Korean where a translation has been published.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from wagtail.models import Locale


def prefer_locale(items: QuerySet, locale: Locale) -> QuerySet:
    """Items of `locale`, plus default-locale items that have no translation among `items`.

    `items` must already be restricted to what may be shown (for pages: visible_pages), so a
    draft or private translation does not hide its public original.
    """
    default_locale = Locale.get_default()
    if locale.pk == default_locale.pk:
        return items.filter(locale=locale)
    translated = items.filter(locale=locale).values("translation_key")
    return items.filter(
        Q(locale=locale) | (Q(locale=default_locale) & ~Q(translation_key__in=translated))
    )


def snippet_by_slug(model, slug: str, locale: Locale):
    """A translatable snippet by slug in `locale`, else in the default locale, else None."""
    found = model.objects.filter(slug=slug, locale=locale).first()
    if found is None:
        found = model.objects.filter(slug=slug, locale=Locale.get_default()).first()
    return found
