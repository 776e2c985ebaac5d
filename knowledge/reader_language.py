"""Keeping visitors in their language when a page has no translation in it yet.

Most pages exist only in the default language at first. A Spanish reader who opens one should
stay under /es/: the interface in Spanish, the page's own words in English and marked so, and
every link onwards still under /es/. This is the "equivalent" of wagtail-localize's
synchronised alias pages, without a copy of each page per language: the address
/<lang>/<path> of a page that exists only in the default language serves that original.

Search engines see one version: such an address names the original as canonical and says
noindex, and the sitemap lists originals only. Our own index holds pages, never addresses,
so the original is indexed once.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.http import Http404, HttpRequest
from django.utils import translation
from wagtail.models import Locale, Page, Site

# The request attribute set when a page is served under another language's address.
SHOWN_IN_READER_LANGUAGE = "cac_shown_in_reader_language"


def route_original(request: HttpRequest, path: str):
    """Wagtail's route result for `path` in the default language's tree, or None.

    Only for a reader in another language, and only when that language's tree has no live
    page there (Wagtail's own routing answered 404): a draft or private translation never
    hides its public original. Privacy of the original is checked as for any page, by the
    before_serve_page hooks that the serve view runs.
    """
    active = Locale.get_active()
    default = Locale.get_default()
    if active.pk == default.pk:
        return None
    site = Site.find_for_request(request)
    if site is None:
        return None
    root = site.root_page.specific
    if root.locale_id != default.pk:
        root = root.get_translation_or_none(default)
        if root is None:
            return None
    components = [component for component in path.split("/") if component]
    try:
        result = root.specific.route(request, components)
    except Http404:
        return None
    if result[0].locale_id != default.pk:
        return None
    return result


def is_shown_in_reader_language(request: HttpRequest | None) -> bool:
    return bool(getattr(request, SHOWN_IN_READER_LANGUAGE, False))


def reader_url(page: Page, request: HttpRequest | None = None, language: str = "") -> str:
    """The address of `page` for a reader of `language` (the active one by default).

    A page in that language keeps its address. A page in another language (an original that
    has no public translation yet) is given the reader's language prefix instead of its own,
    which serve_page answers with the original.
    """
    url = page.get_url(request) or ""
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    # The page's own language is its address's prefix: read there, listings cost no query.
    own = settings.LANGUAGE_CODE
    if language == own or not urlsplit(url).path.startswith(f"/{own}/"):
        return url
    return swap_language_prefix(url, own, language)


def swap_language_prefix(url: str, own: str, language: str) -> str:
    """`url` with its leading /<own>/ replaced by /<language>/; unchanged without one."""
    parts = urlsplit(url)
    prefix = f"/{own}/"
    if not parts.path.startswith(prefix):
        return url
    path = f"/{language}/{parts.path[len(prefix) :]}"
    return urlunsplit((parts.scheme, parts.netloc, path, parts.query, parts.fragment))
