"""Purging a CDN or caching proxy in front, through Wagtail's frontend-cache invalidation, when
one is configured (WAGTAILFRONTENDCACHE, from FRONTEND_CACHE_* in the environment).

The addresses of every page that shows a changed page: the page and its translations, their
ancestors (the practice index, the summit, the home pages), the topic list, its topics' and
its city's pages and the open-data page, in every language. They are gathered while the
transaction runs and purged once it commits, in one batch. Without a configuration nothing is
gathered or sent; a CDN then keeps a page at most `s-maxage` (PAGE_CACHE_SHARED_MAX_AGE).
"""

from __future__ import annotations

import logging
import threading

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from wagtail.contrib.frontend_cache.utils import purge_urls_from_cache
from wagtail.models import Page

from core.queue import once_after_commit
from knowledge.models import PracticePage

logger = logging.getLogger(__name__)

_waiting = threading.local()
# Past this many addresses in one transaction (an import publishing thousands of pages) the
# rest are not gathered: each costs queries, and the CDN's copies expire with s-maxage anyway.
MAX_URLS = 1000


def is_configured() -> bool:
    return bool(getattr(settings, "WAGTAILFRONTENDCACHE", None))


def purge_after_commit(page: Page) -> None:
    """The addresses showing `page`, as it is now, purged once the transaction commits."""
    if not is_configured():
        return
    urls = getattr(_waiting, "urls", None)
    if urls is None:
        urls = _waiting.urls = set()
    if len(urls) < MAX_URLS:
        urls |= addresses_showing(page)
    once_after_commit(_purge_waiting)


def _purge_waiting() -> None:
    urls, _waiting.urls = getattr(_waiting, "urls", set()), set()
    if not urls:
        return
    try:
        purge_urls_from_cache(sorted(urls))
    except Exception:  # a CDN outage never fails a publish; s-maxage still bounds the staleness
        logger.exception("The frontend cache could not be purged")


def addresses_showing(page: Page) -> set[str]:
    """Full URLs of the public pages that show `page` (see the module's docstring)."""
    urls: set[str] = set()
    for each in {page, *page.get_translations()}:
        for shown in (each, *each.get_ancestors().filter(depth__gt=1)):
            url = shown.get_full_url()
            if url:
                urls.add(url)
    views = [("topic_area_list", {}), ("open_data", {})]
    specific = page.specific_deferred
    if isinstance(specific, PracticePage):
        views += [("topic_area_detail", {"slug": topic.slug}) for topic in specific.topics.all()]
        if specific.city_id:
            views.append(("city_detail", {"slug": specific.city.slug}))
    base = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            urls.update(f"{base}{reverse(name, kwargs=kwargs)}" for name, kwargs in views)
    return urls
