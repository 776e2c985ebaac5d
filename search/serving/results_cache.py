"""Search answers kept for every visitor who asks the same thing (docs/performance.md).

The search API's JSON and the search page's HTML (for anonymous visitors only) are kept in the
shared cache (CACHE_URL) for SEARCH_CACHE_SECONDS. Each answer belongs to the page cache's
generation (core/page_cache.py): the search index's drain, a rebuild, new vectors, an editor's
synonyms or picks, and any change to what pages show start a new generation, and every older
answer is stale at once. A search answered from here is still counted in the query log.

A hit costs one cache round trip (the generation and the entry in one MGET).
"""

from __future__ import annotations

import hashlib
import logging

from django.conf import settings
from django.http import HttpRequest

from core.page_cache import (
    keep_in_generation,
    kept_in_generation,
    purge_page_cache,
    purge_page_cache_after_commit,
)
from search.engines.values import FACET_FIELDS, SearchRequest

logger = logging.getLogger(__name__)

KEY_PREFIX = "search-cache:v1:"
# The parameters the search page reads. Any other (a tracking tag, a typo) is served, never
# kept: the page's links repeat the parameters they were given, so an answer kept for one
# address must not carry another's.
PAGE_PARAMS = frozenset(
    {"q", "sort", "page", "page_size", "lang", "date_from", "date_to", *FACET_FIELDS}
)
MAX_QUERY_STRING = 1024


def enabled() -> bool:
    return settings.SEARCH_CACHE_SECONDS > 0


def api_key(request: HttpRequest, search_request: SearchRequest) -> str | None:
    """The API answer's key: the request as the engine reads it, cleaned and bounded, so odd
    spellings of the same search share one answer."""
    filters = sorted((name, tuple(sorted(v))) for name, v in search_request.filters.items())
    return _key(
        "api",
        request,
        repr(
            (
                search_request.query,
                search_request.language,
                filters,
                search_request.sort,
                search_request.date_from,
                search_request.date_to,
                search_request.page,
                search_request.page_size,
            )
        ),
    )


def page_key(request: HttpRequest) -> str | None:
    """The search page's key, or None when this request's page may not be shared: a visitor
    who may be signed in, an unknown parameter, an overlong query string."""
    if settings.SESSION_COOKIE_NAME in request.COOKIES or "HTTP_AUTHORIZATION" in request.META:
        return None
    raw = request.META.get("QUERY_STRING", "")
    if len(raw) > MAX_QUERY_STRING:
        return None
    try:
        pairs = sorted((name, value) for name, values in request.GET.lists() for value in values)
    except Exception:  # a query Django cannot parse: served, never kept
        return None
    if any(name not in PAGE_PARAMS for name, _value in pairs):
        return None
    return _key("page", request, f"{request.path}?{pairs!r}")


def _key(kind: str, request: HttpRequest, what: str) -> str | None:
    try:
        address = f"{kind}|{request.scheme}://{request.get_host()}|{what}"
    except Exception:  # a host Django refuses: it answers 400 elsewhere
        return None
    digest = hashlib.sha256(address.encode("utf-8", "surrogatepass")).hexdigest()
    return f"{KEY_PREFIX}{kind}:{digest}"


def lookup(key: str) -> tuple[object | None, str | None]:
    """(the kept answer or None, the generation a new answer belongs to)."""
    return kept_in_generation(key)


def keep(key: str, generation: str | None, answer: object) -> None:
    keep_in_generation(key, generation, answer, settings.SEARCH_CACHE_SECONDS)


def forget_answers() -> None:
    """What search finds has changed (the index, its vectors, synonyms, picks): every kept
    answer, and every cached page that lists search results, is stale."""
    purge_page_cache()


def forget_answers_after_commit() -> None:
    purge_page_cache_after_commit()
