"""Download these results: one search, with its words and filters, as an open-data file.

The hits come from search.service.search_for_export, the search page's own path to the
engine (so nothing the page would not show can appear); the fields are SEARCH_RESULTS in
sitedata/datasets.py.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date
from html import unescape

from django.http import HttpRequest, QueryDict
from django.utils.text import slugify

from core.absolute_urls import absolute_url_for_request
from core.date_range import parse_date_range
from search.engines.base import HIGHLIGHT_END, HIGHLIGHT_START, SearchHit
from search.service import clean_query

# The longest a filename's description of the search gets, in characters.
FILENAME_WORDS_MAX = 60


def plain_snippet(snippet: str) -> str:
    """The snippet as text: highlight marks dropped, the engine's escaping undone."""
    return unescape(snippet.replace(HIGHLIGHT_START, "").replace(HIGHLIGHT_END, ""))


def search_result_records(hits: Iterable[SearchHit], request: HttpRequest) -> Iterator[dict]:
    for rank, hit in enumerate(hits, start=1):
        yield {
            "rank": rank,
            "title": hit.title,
            "locale": hit.locale,
            "kind": hit.kind,
            "topics": list(hit.topics),
            "city": hit.city,
            "country": hit.country,
            "started": hit.started.isoformat() if hit.started else None,
            "snippet": plain_snippet(hit.snippet),
            "url": absolute_url_for_request(request, hit.url),
        }


def search_download_filename(query_params: QueryDict, extension: str, today: date) -> str:
    """What the file is: cac-search-masks-2026-12-04.csv; the words and filters in ASCII
    (a header value): "all" for a search with neither, "results" for words with no ASCII
    letter (마스크)."""
    words = [clean_query(query_params.get("q", ""))]
    for name in ("topic", "kind", "country", "city", "lang", "year"):
        words.extend(clean_query(value) for value in query_params.getlist(name))
    # The range as the search used it (the download refuses one it cannot use).
    dates = parse_date_range(query_params).dates
    if dates.start:
        words.append(f"from {dates.start.isoformat()}")
    if dates.end:
        words.append(f"to {dates.end.isoformat()}")
    words = [word for word in words if word]
    described = slugify(" ".join(words))[:FILENAME_WORDS_MAX].strip("-")
    if not described:
        described = "results" if words else "all"
    return f"cac-search-{described}-{today.isoformat()}.{extension}"
