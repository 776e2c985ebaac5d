"""The page cache: public pages rendered once for every anonymous visitor (docs/performance.md).

It sits in front of sessions, authentication and the locale, so a hit costs one cache round
trip (an MGET of the generation and the entry) and no database query. Kept only:

- a GET to a view in CACHEABLE_VIEWS (Wagtail's pages, topic and city pages, the compare
  page, the open-data page), under a language prefix, with no session cookie and no
  Authorization header, and a query string of known parameters only (QUERY_PARAMS);
- a 200 with no cookie set, no CSRF token used (a form), no `private`, `no-store` or
  `no-cache`, not a preview, for a user who is not signed in.

Wagtail's privacy (a password form, a redirect to sign-in) never answers 200 without a form,
and a visitor who passed a password holds a session cookie: neither is kept nor served.

Any change the public could see calls `purge_page_cache_after_commit()` (knowledge/receivers.py,
the search index drain): a new generation, and every entry of an older one is stale. Listings,
topic, city and home pages all show the change at once, with none to name or forget.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
import uuid
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.cache import (
    cc_delim_re,
    get_conditional_response,
    patch_cache_control,
    patch_vary_headers,
)
from django.utils.http import http_date

from core.queue import once_after_commit

logger = logging.getLogger(__name__)

# The format of an entry is part of its key: a new format never reads an old entry.
KEY_PREFIX = "page-cache:v1:"
GENERATION_KEY = f"{KEY_PREFIX}generation"
# Views whose answers may be kept (their URL names). Search and the privacy-password form are
# not here: a search answer is cached apart (search/), a form is never cached.
CACHEABLE_VIEWS = frozenset(
    {
        "wagtail_serve",
        "topic_area_list",
        "topic_area_detail",
        "city_list",
        "city_detail",
        "compare_cities",
        "untranslated_page",
        "open_data",
    }
)
# The parameters public pages read (the practice index's filters and page number, the compare
# page's topic and cities), each once, a slug or number, or for LIST_QUERY_PARAMS slugs
# separated by commas; any other query is served, never kept, so odd or random queries cannot
# fill the cache. Their values are bounded by the length of the whole query string.
QUERY_PARAMS = frozenset(
    {"page", "topic", "kind", "city", "country", "status", "date_from", "date_to", "cities"}
)
LIST_QUERY_PARAMS = frozenset({"cities"})
QUERY_VALUE = re.compile(r"[-\w]*\Z")
QUERY_LIST_VALUE = re.compile(r"[-\w]+(,[-\w]+)*\Z")
MAX_QUERY_LENGTH = 256
MAX_PATH_LENGTH = 1024
# A response that varies on anything else (Accept-Language: the language was negotiated,
# not taken from the path) is not one page for every visitor.
VARY_ALLOWED = frozenset({"cookie", "accept-encoding"})
FORBIDDEN_CACHE_CONTROL = ("private", "no-store", "no-cache")


def purge_page_cache() -> None:
    """Every cached page is stale from now on: each is rendered again on its next request."""
    try:
        cache.set(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
    except Exception:
        logger.exception("The page cache could not be purged")


def purge_page_cache_after_commit() -> None:
    """Purge once the current transaction commits (once per transaction), so the next render
    reads the committed change."""
    once_after_commit(purge_page_cache)


def kept_in_generation(key: str) -> tuple[object | None, str | None]:
    """(what is kept at `key` for the current generation, or None; that generation), in one
    round trip, the generation started when the cache has none. Read it before computing what
    to keep: a purge meanwhile leaves that value stale at once. (None, None) when the cache
    cannot be reached, and nothing is kept then."""
    try:
        found = cache.get_many([GENERATION_KEY, key])
    except Exception:
        logger.warning("The cache is unreachable; working without it", exc_info=True)
        return None, None
    generation = found.get(GENERATION_KEY) or _start_generation()
    entry = found.get(key)
    if entry is not None and generation is not None and entry[0] == generation:
        return entry[1], generation
    return None, generation


def keep_in_generation(key: str, generation: str | None, value: object, seconds: int) -> None:
    """Keep `value` at `key` for `generation` (from kept_in_generation); never raises."""
    if generation is None:
        return
    try:
        cache.set(key, (generation, value), seconds)
    except Exception:
        logger.warning("The cache could not keep %s", key, exc_info=True)


class PageCacheMiddleware:
    """Serves and keeps public pages for anonymous visitors (see the module's docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.language_prefixes = tuple(f"/{code}/" for code, _name in settings.LANGUAGES)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        seconds = settings.PAGE_CACHE_SECONDS
        if seconds <= 0 or not request.path_info.startswith(self.language_prefixes):
            return self.get_response(request)
        key = entry_key(request)
        if key is None:
            return _kept_private(self.get_response(request))
        try:
            found = cache.get_many([GENERATION_KEY, key])
        except Exception:
            logger.warning("The page cache is unreachable; serving without it", exc_info=True)
            return _kept_private(self.get_response(request))
        generation, entry = found.get(GENERATION_KEY), found.get(key)
        if entry is not None and generation is not None and entry[0] == generation:
            return _served_from(request, entry)
        if request.method != "GET":
            return _kept_private(self.get_response(request))
        # The generation this render belongs to is read before it: a purge while it renders
        # leaves the entry stale at once.
        generation = generation or _start_generation()
        response = self.get_response(request)
        if generation is None or not is_storable(request, response):
            return _kept_private(response)
        entry = _entry_for(response, generation)
        try:
            cache.set(key, entry, seconds)
        except Exception:
            logger.warning("The page cache could not keep a page", exc_info=True)
        response["X-Cache"] = "miss"
        return _conditional(request, response, entry)


def entry_key(request: HttpRequest) -> str | None:
    """The cache key of this request's page, or None when it may not be served from the cache:
    not a GET or HEAD, a preview, a visitor who may be signed in, an odd query or address."""
    if request.method not in ("GET", "HEAD"):
        return None
    # Wagtail's previews run through the middleware with a made-up request (is_dummy), to
    # the page's own address: never the live page from the cache.
    if getattr(request, "is_dummy", False) or getattr(request, "is_preview", False):
        return None
    if settings.SESSION_COOKIE_NAME in request.COOKIES or "HTTP_AUTHORIZATION" in request.META:
        return None
    query = normalized_query(request)
    if query is None or len(request.path) > MAX_PATH_LENGTH:
        return None
    try:
        address = f"{request.scheme}://{request.get_host()}{request.path}?{query}"
        digest = hashlib.sha256(address.encode("utf-8", "surrogatepass")).hexdigest()
    except Exception:  # a host not allowed (Django answers 400 below), an undecodable path
        return None
    return f"{KEY_PREFIX}page:{digest}"


def normalized_query(request: HttpRequest) -> str | None:
    """The known parameters, sorted, empty ones left out; None for any other query."""
    raw = request.META.get("QUERY_STRING", "")
    if not raw:
        return ""
    if len(raw) > MAX_QUERY_LENGTH:
        return None
    pairs = []
    try:
        for name, values in request.GET.lists():
            if name not in QUERY_PARAMS or len(values) != 1:
                return None
            pattern = QUERY_LIST_VALUE if name in LIST_QUERY_PARAMS else QUERY_VALUE
            if values[0] and not pattern.match(values[0]):
                return None
            if values[0]:
                pairs.append((name, values[0]))
    except Exception:  # a query Django cannot parse: served (or refused) below, never kept
        return None
    return urlencode(sorted(pairs))


def is_storable(request: HttpRequest, response: HttpResponse) -> bool:
    """Whether this response is the same public page for every anonymous visitor."""
    match = request.resolver_match
    user = getattr(request, "user", None)
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_USED")
        and not getattr(request, "is_preview", False)
        and match is not None
        and match.url_name in CACHEABLE_VIEWS
        and not (user is not None and user.is_authenticated)
        and not any(
            word in response.get("Cache-Control", "").lower() for word in FORBIDDEN_CACHE_CONTROL
        )
        and all(
            field.lower() in VARY_ALLOWED
            for field in cc_delim_re.split(response.get("Vary", ""))
            if field
        )
    )


def _start_generation() -> str | None:
    """The current generation, creating it when the cache has none (new, flushed, evicted)."""
    try:
        cache.add(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
        return cache.get(GENERATION_KEY)
    except Exception:
        logger.warning("The page cache is unreachable; serving without it", exc_info=True)
        return None


def _entry_for(response: HttpResponse, generation: str) -> tuple:
    """(generation, body, headers, ETag, Last-Modified as a timestamp), with the public
    caching headers set on the response first."""
    body = response.content
    rendered = int(time.time())
    if not response.has_header("ETag"):
        response["ETag"] = f'"{hashlib.md5(body, usedforsecurity=False).hexdigest()}"'
    response["Last-Modified"] = http_date(rendered)
    patch_cache_control(
        response,
        public=True,
        max_age=settings.PAGE_CACHE_MAX_AGE,
        s_maxage=settings.PAGE_CACHE_SHARED_MAX_AGE,
    )
    patch_vary_headers(response, ("Cookie",))
    return (generation, body, tuple(response.items()), response["ETag"], rendered)


def _served_from(request: HttpRequest, entry: tuple) -> HttpResponse:
    _generation, body, headers, _etag, _rendered = entry
    response = HttpResponse(body)
    for name, value in headers:
        response.headers[name] = value
    response["X-Cache"] = "hit"
    return _conditional(request, response, entry)


def _conditional(request: HttpRequest, response: HttpResponse, entry: tuple) -> HttpResponse:
    """304 Not Modified for a client (or CDN) that holds this version (If-None-Match,
    If-Modified-Since)."""
    return get_conditional_response(
        request, etag=entry[3], last_modified=entry[4], response=response
    )


def _kept_private(response: HttpResponse) -> HttpResponse:
    """A page the cache did not keep is not for shared caches either (a signed-in user's page,
    a form), unless its view said otherwise."""
    if not response.has_header("Cache-Control"):
        patch_cache_control(response, private=True)
    return response
