"""Template helpers for the public site: navigation, language switcher, session times."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django import template
from django.conf import settings
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse, translate_url
from django.utils import translation
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override as override_language
from wagtail.models import Locale, Page

from core.page_cache import keep_in_generation, kept_in_generation
from home.models import HomePage
from knowledge.listings import PracticeFilter
from knowledge.models import PracticeIndexPage
from knowledge.reader_language import is_shown_in_reader_language, reader_url
from knowledge.session_times import SessionTimes, session_times
from knowledge.visibility import is_publicly_visible, visible_pages

register = template.Library()
# A generation lasts until the next change; this only bounds an entry nothing replaced.
PAGE_CACHE_ENTRY_SECONDS = 24 * 60 * 60


@dataclass(frozen=True)
class NavLink:
    label: str
    url: str
    current: str  # the aria-current value: "page" on the section's own page, "true" below it


@dataclass(frozen=True)
class LanguageLink:
    code: str
    name: str
    url: str
    is_current: bool
    # False when this page has no public translation in the language: the link then goes to
    # the original under that language's address (knowledge/reader_language.py).
    is_translated: bool = True


def _request_cache(request: HttpRequest | None, name: str) -> dict:
    """A dict that lives as long as the request, so the header's look-ups run once per page."""
    if request is None:
        return {}
    caches = request.__dict__.setdefault("_cac_site_tags", {})
    return caches.setdefault(name, {})


def locale_home(locale: Locale, request: HttpRequest | None = None) -> HomePage | None:
    """The home page of a locale, or of the default locale when it has none."""
    cache = _request_cache(request, "homes")
    if locale.pk not in cache:
        home = visible_pages(HomePage.objects.filter(locale=locale)).first()
        if home is None:
            home = visible_pages(HomePage.objects.filter(locale=Locale.get_default())).first()
        cache[locale.pk] = home
    return cache[locale.pk]


def _url(page: Page | None, request: HttpRequest) -> str:
    return page.get_url(request) if page is not None else ""


def _section_urls(request: HttpRequest | None, locale: Locale) -> dict[str, str]:
    """The addresses of the home, practices and summit pages in this language: the header
    of every page shows them. They are the same for every visitor of a host until the content
    changes, so they are kept in the cache for the page cache's generation (core/page_cache.py:
    any publish, unpublish, move or privacy change starts a new one)."""
    cached = _request_cache(request, "section_urls")
    if locale.pk in cached:
        return cached[locale.pk]
    key = generation = None
    if request is not None:
        try:
            key = f"site-sections:v1:{request.get_host()}:{locale.pk}"
        except Exception:  # a host Django refuses: it answers 400 elsewhere
            key = None
    if key is not None:
        urls, generation = kept_in_generation(key)
        if urls is not None:
            cached[locale.pk] = urls
            return urls
    home = locale_home(locale, request)
    practice_index = visible_pages(PracticeIndexPage.objects.filter(locale=locale)).first()
    if practice_index is None and home is not None:
        practice_index = visible_pages(PracticeIndexPage.objects.child_of(home)).first()
    summit = home.localized_summit() if home is not None else None
    urls = {
        "home": _url(home, request),
        "practices": _url(practice_index, request),
        "summit": _url(summit, request),
    }
    if key is not None:
        keep_in_generation(key, generation, urls, PAGE_CACHE_ENTRY_SECONDS)
    cached[locale.pk] = urls
    return urls


@register.simple_tag(takes_context=True)
def site_home_url(context) -> str:
    request = context.get("request")
    return _section_urls(request, Locale.get_active())["home"] or "/"


@register.simple_tag(takes_context=True)
def site_nav_links(context) -> list[NavLink]:
    """The main sections, in the visitor's language where the page exists in it."""
    request = context.get("request")
    urls = _section_urls(request, Locale.get_active())
    candidates = [
        (_("Practices"), urls["practices"]),
        (_("Topic areas"), reverse("topic_area_list")),
        (_("Cities"), reverse("city_list")),
        (_("Summit 2020"), urls["summit"]),
        (_("Open data"), reverse("open_data")),
        (_("Search"), reverse("search")),
    ]
    path = request.path if request is not None else ""
    return [
        NavLink(label=label, url=url, current=_aria_current(path, url))
        for label, url in candidates
        if url
    ]


def _aria_current(path: str, url: str) -> str:
    if path == url:
        return "page"
    return "true" if path.startswith(url) else ""


@register.simple_tag(takes_context=True)
def language_links(context) -> list[LanguageLink]:
    """One link per language: to this page's translation if it is public, else to a notice
    saying it is not translated (or to that language's home, off a page)."""
    request = context.get("request")
    cache = _request_cache(request, "language_links")
    if "links" in cache:
        return cache["links"]
    # The "not translated" notice switches languages as its page would.
    page = context.get("language_switch_page") or context.get("page")
    current = Locale.get_active()
    # One query for every language's locale (the codes are LANGUAGES' own, as the admin
    # creates them), not one each.
    locales = {locale.language_code: locale for locale in Locale.objects.all()}
    links = []
    for code, name in settings.LANGUAGES:
        locale = locales.get(code)
        if locale is None:
            continue
        url = _translated_url(request, page, locale, code)
        is_translated = bool(url)
        if not url and isinstance(page, Page):
            if page.locale.language_code == settings.LANGUAGE_CODE:
                url = reader_url(page, request, code)
            else:
                with translation.override(code):
                    url = reverse("untranslated_page", args=[page.pk])
        url = url or _url(locale_home(locale, request), request)
        if url:
            links.append(
                LanguageLink(
                    code=code,
                    name=name,
                    url=url,
                    is_current=locale.pk == current.pk,
                    is_translated=is_translated,
                )
            )
    cache["links"] = links
    return links


@register.simple_tag(takes_context=True)
def hreflang_alternates(context) -> list[LanguageLink]:
    """The page in every language it exists in, with absolute URLs, for <link rel=alternate>.

    x-default is the default language's version, when there is one.
    """
    request = context.get("request")
    if (
        request is None
        or context.get("language_switch_page")
        or is_shown_in_reader_language(request)
    ):
        return []  # a notice about another page, or the original at another address
    alternates = [
        LanguageLink(link.code, link.name, request.build_absolute_uri(link.url), link.is_current)
        for link in language_links(context)
        if link.is_translated
    ]
    default = next((link for link in alternates if link.code == settings.LANGUAGE_CODE), None)
    if default is not None:
        alternates.append(LanguageLink("x-default", default.name, default.url, False))
    return alternates


def _translated_url(request, page, locale: Locale, code: str) -> str:
    if isinstance(page, Page):
        if page.locale_id == locale.pk:
            return page.get_url(request) or ""
        translation = page.get_translation_or_none(locale)
        if translation is not None and is_publicly_visible(translation):
            return translation.get_url(request) or ""
        return ""
    match = getattr(request, "resolver_match", None)
    if match is not None and match.url_name and match.url_name != "wagtail_serve":
        # A view under i18n_patterns (topic areas, cities): the same view in the other
        # language, reversed from the request's own match (translate_url would resolve the
        # path again for each language).
        with override_language(code):
            try:
                return reverse(match.view_name, args=match.args, kwargs=match.kwargs)
            except NoReverseMatch:
                return translate_url(request.path, code)
    return ""


@register.simple_tag(takes_context=True)
def localized_name(context, snippet) -> str:
    """A topic area's or city's name in the visitor's language; its own name if untranslated.

    Listings name many areas and cities; one query per model and request replaces the
    two per item that `snippet.localized` costs.
    """
    if snippet is None:
        return ""
    request = context.get("request")
    names = _localized_names(request, type(snippet))
    if snippet.translation_key in names:
        return names[snippet.translation_key]
    # Untranslated: its own name, marked as in its own language (WCAG 3.1.2, and bidi
    # isolation on a right-to-left page).
    code = _locale_codes(request).get(snippet.locale_id, "")
    if not code or code == translation.get_language():
        return snippet.name
    return format_html('<bdi lang="{}">{}</bdi>', code, snippet.name)


def _locale_codes(request: HttpRequest | None) -> dict[int, str]:
    codes = _request_cache(request, "locale_codes")
    if not codes:
        codes.update(Locale.objects.values_list("pk", "language_code"))
    return codes


def _localized_names(request: HttpRequest | None, model) -> dict:
    cache = _request_cache(request, "localized_names")
    if model not in cache:
        cache[model] = dict(
            model.objects.filter(locale=Locale.get_active()).values_list("translation_key", "name")
        )
    return cache[model]


@register.filter
def bdi(value) -> str:
    """{{ name|bdi }}: text whose direction is its own (a query, a city name as the index
    holds it), isolated so that it does not reorder the punctuation around it."""
    return format_html("<bdi>{}</bdi>", value) if value not in (None, "") else ""


@register.filter
def times_of(session) -> SessionTimes:
    """{% with times=session|times_of %}: the session's start and end in KST and UTC."""
    return session_times(session.start, session.end)


@register.simple_tag
def practice_filter_query(practice_filter: PracticeFilter, page: int | None = None) -> str:
    """The query string of a filtered listing page, built from the cleaned filter only."""
    params = {
        name: value
        for name, value in (
            ("topic", practice_filter.topic),
            ("kind", practice_filter.kind),
            ("city", practice_filter.city),
            ("country", practice_filter.country),
            ("status", practice_filter.status),
            *practice_filter.dates.query_items(),
            ("page", page if page and page > 1 else ""),
        )
        if value
    }
    return "?" + urlencode(params) if params else "?"


@register.simple_tag(takes_context=True)
def lang_attr_if_other(context, page) -> str:
    """` lang="xx" dir="…"` when an item is in another language than the page around it
    (WCAG 3.1.2), so that a screen reader speaks it in its language and English words keep
    their punctuation in place on a right-to-left page."""
    code = _locale_codes(context.get("request")).get(page.locale_id, "")
    if not code or code == translation.get_language():
        return ""
    direction = "rtl" if translation.get_language_info(code)["bidi"] else "ltr"
    return format_html(' lang="{}" dir="{}"', code, direction)


@register.simple_tag(takes_context=True)
def readerurl(context, page) -> str:
    """{% readerurl page %}: the page's address in the visitor's language (pageurl gives its
    own language's, which would switch the visitor's interface to it)."""
    return reader_url(page, context.get("request")) if page is not None else ""


@register.simple_tag(takes_context=True)
def original_address(context) -> str:
    """The absolute address of the page itself, when it is shown under another language's
    address: the canonical one."""
    request = context.get("request")
    page = context.get("page")
    if not is_shown_in_reader_language(request) or not isinstance(page, Page):
        return ""
    return request.build_absolute_uri(page.get_url(request))
