"""What both engines take from one place, so they cannot disagree.

Each value here was once defined twice, once per engine, and the two had drifted apart:
- the date a document is ordered and faceted by (its start, else its publication);
- the facet values of a document, how many buckets a facet lists and in which order;
- how much a match in each text field counts, and how long a snippet is;
- the largest page a search returns (search.service enforces the same limit on visitors);
- how a collapsed translation group comes to show the visitor's language.

Elasticsearch gets the derived values (`year`, `date_order`) in each document's _source, built
by the functions below, and sorts and aggregates on them rather than deriving its own.
"""

from __future__ import annotations

import dataclasses
import logging
import zlib
from collections.abc import Callable, Iterable, Iterator
from datetime import date

from search.engines.values import (
    FACET_FIELDS,
    EngineUnavailable,
    FacetCount,
    SearchDocument,
    SearchHit,
    SearchRequest,
)

logger = logging.getLogger(__name__)

# How much a match in each text field of a SearchDocument counts: a title match outranks a
# summary match, which outranks a body match, which outranks a match in attached documents.
FIELD_BOOSTS = {"title": 3.0, "summary": 1.5, "body": 1.0, "attachments_text": 0.7}

# The visible length of a snippet, in characters (give or take the word it ends in).
SNIPPET_CHARS = 220
# Snippets are built from at most this many characters at the start of each text field, so a
# snippet costs the same for a 50 MB body as for a short one. A match further in still finds
# the document; its snippet then comes from earlier text (or the summary). Bodies have no
# limit in the admin and attachment text runs to DOCUMENT_TEXT_MAX_CHARS (500,000).
SNIPPET_SOURCE_CHARS = 100_000

# Values listed per facet: the most frequent first, then alphabetically (ordered_facet).
FACET_BUCKETS = 200

# Hits per page, at most: the engines clamp any request to it, and the page and the API refuse
# or clamp larger requests (search.service).
MAX_PAGE_SIZE = 50


# --- Dates ----------------------------------------------------------------------------------------
def document_date(document: SearchDocument) -> date | None:
    """The date a document is ordered and faceted by: its start, else its publication.

    Sessions' summaries and topic areas have no start date; they still get a year and a place
    in date order from when they were published.
    """
    if document.started:
        return document.started
    return document.published.date() if document.published else None


def started_day(document: SearchDocument) -> int | None:
    """The day the date-range filter reads (SearchRequest.date_from/date_to), as a day number
    (date.toordinal): only the start itself, never the publication, so a range finds what
    happened then, the same as the practice listings' range. None without a start."""
    return document.started.toordinal() if document.started else None


def started_day_bounds(request: SearchRequest) -> tuple[int, int] | None:
    """The request's date range as inclusive day numbers (see started_day); None when the
    request has no range. An open end is the first or last day a date can have."""
    if request.date_from is None and request.date_to is None:
        return None
    low = request.date_from or date.min
    high = request.date_to or date.max
    return low.toordinal(), high.toordinal()


def document_year(document: SearchDocument) -> str:
    """The year facet's value: document_date's year, or "" for a document with no date."""
    when = document_date(document)
    return str(when.year) if when else ""


def date_order(document: SearchDocument) -> int:
    """Newest first by document_date, as one non-negative 64-bit number to sort on, descending.

    The day number fills the high bits, a hash of the id the low 32, so the order is total:
    two documents of the same day always come in the same order, and pages never overlap.
    A document with no date sorts after every dated one. Fits a signed 64-bit integer too
    (Elasticsearch's `long`): days since year 1 stay below 2**22.
    """
    when = document_date(document)
    days = when.toordinal() if when else 0
    return (days << 32) | zlib.crc32(document.id.encode())


# --- Facets ---------------------------------------------------------------------------------------
def facet_values(document: SearchDocument) -> dict[str, tuple[str, ...]]:
    """The document's values for each facet of FACET_FIELDS; empty values left out."""
    values = {
        "topic": tuple(document.topics),
        "kind": (document.kind or document.content_type,),
        "status": (document.status,),
        "country": (document.country,),
        "city": (document.city,),
        "locale": (document.locale,),
        "year": (document_year(document),),
    }
    return {name: tuple(value for value in values[name] if value) for name in FACET_FIELDS}


def ordered_facet(counts: Iterable[FacetCount]) -> list[FacetCount]:
    """A facet's values as the page lists them: most frequent first, ties alphabetically, at
    most FACET_BUCKETS. Engines ask their index for the FACET_BUCKETS most frequent values."""
    return sorted(counts, key=lambda count: (-count.count, count.value))[:FACET_BUCKETS]


# --- Requests -------------------------------------------------------------------------------------
def normalised_request(request: SearchRequest) -> SearchRequest:
    """The request as engines serve it: page from 1, page size from 1 to MAX_PAGE_SIZE, and
    filters only for known facets, each a tuple of values (a lone string is one value)."""
    filters = {}
    for name, values in request.filters.items():
        values = (values,) if isinstance(values, str) else tuple(values)
        if name in FACET_FIELDS and values:
            filters[name] = values
    return dataclasses.replace(
        request,
        page=max(1, request.page),
        page_size=max(1, min(request.page_size, MAX_PAGE_SIZE)),
        filters=filters,
    )


# --- Snippets -------------------------------------------------------------------------------------
def shorten(text: str, limit: int = SNIPPET_CHARS) -> str:
    """The start of `text` as plain text: whitespace collapsed, cut after the last whole word
    within `limit` characters, and "…" when something was cut. Not escaped.

    Reads at most 4 x `limit` characters, whatever the text's length.
    """
    head = text[: limit * 4]
    collapsed = " ".join(head.split())
    if len(collapsed) <= limit:
        whole = len(head) == len(text)
        return collapsed if whole or not collapsed else collapsed + "…"
    cut = collapsed[:limit]
    if collapsed[limit] != " " and " " in cut:
        cut = cut.rsplit(" ", 1)[0]  # never half a word, unless the one word is that long
    return cut.rstrip() + "…"


# --- Streams -------------------------------------------------------------------------------------
def batched(documents: Iterable[SearchDocument], size: int) -> Iterator[list[SearchDocument]]:
    """Lists of `size` documents from a stream (the last one shorter), so a rebuild or an
    embedding run never holds the whole corpus."""
    batch: list[SearchDocument] = []
    for document in documents:
        batch.append(document)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


# --- Translations ---------------------------------------------------------------------------------
TranslationLookup = Callable[[SearchRequest, list[str]], Iterable[SearchHit]]


def prefer_language(
    hits: list[SearchHit], request: SearchRequest, translations: TranslationLookup
) -> list[SearchHit]:
    """Each translation group's hit in the visitor's language, where the group has one; else
    in the site's default language (English), where it has that.

    A collapsed group matched through some member; where that member is in another language,
    the group's translation in the visitor's language (within the request's filters) takes its
    place on the page, with its score. A Spanish visitor whose query matched a practice's
    Arabic translation reads its English original, not the Arabic. `translations(request,
    groups)` finds those translations by group and locale alone, which costs far less than
    running the text query again: the group already matched. A failed look-up leaves the page
    as it is, since the search itself succeeded.
    """
    from django.conf import settings  # read late: bench scripts import engines before setup

    swaps: dict[str, SearchHit] = {}
    for language in dict.fromkeys((request.language, settings.LANGUAGE_CODE)):
        groups = sorted(
            {
                hit.translation_key
                for hit in hits
                if hit.locale not in (request.language, language)
                and hit.translation_key not in swaps
            }
            - {""}
        )
        if not groups:
            continue
        try:
            found = list(translations(dataclasses.replace(request, language=language), groups))
        except EngineUnavailable as error:
            logger.warning("Kept the page's original languages: %s", error)
            break
        for translation in found:
            if translation.locale == language:
                swaps.setdefault(translation.translation_key, translation)
    return [
        dataclasses.replace(swaps[hit.translation_key], score=hit.score)
        if hit.locale != request.language and hit.translation_key in swaps
        else hit
        for hit in hits
    ]
