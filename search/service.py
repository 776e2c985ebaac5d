"""The one search entry point the page and the API share: parse visitor input, ask the engine.

Odd input is dropped or clamped, never an error: a search box must always answer.
"""

from __future__ import annotations

import atexit
import dataclasses
import logging
import os
import re
import threading
import time
from contextlib import nullcontext
from datetime import date, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection, transaction
from django.http import QueryDict
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from wagtail.contrib.search_promotions.models import Query, SearchPromotion
from wagtail.models import Locale, Page
from wagtail.search.utils import normalise_query_string

from core.date_range import parse_date_range
from knowledge.models import City, PracticeKind, PracticeStatus, TopicArea
from knowledge.reader_language import swap_language_prefix
from knowledge.visibility import visible_pages
from search.engines.base import FACET_FIELDS, SearchHit, SearchRequest, SearchResponse
from search.engines.common import MAX_PAGE_SIZE
from search.engines.selection import get_engine
from search.models import SearchQueryDay
from search.semantic.vectors import query_vectors

logger = logging.getLogger(__name__)

MAX_QUERY_LENGTH = 200
# Larger page sizes are refused (API) or clamped (page) at MAX_PAGE_SIZE, the engines' limit.
DEFAULT_PAGE_SIZE = 20
MAX_PAGE = 500  # deeper pages are never useful and cost the engine
SORTS = ("relevance", "date")
# Filter values are slugs, codes, city names or years: anything else cannot match.
_FILTER_VALUE = re.compile(r"^[\w .,'()-]{1,80}$")
_CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f]")
_WHOLE_NUMBER = re.compile(r"[0-9]{1,9}")


def clean_query(raw: str) -> str:
    """Control characters (NUL included) become spaces; over-long queries are cut."""
    return " ".join(_CONTROL_CHARS.sub(" ", raw or "").split())[:MAX_QUERY_LENGTH]


def _int_in_range(raw: str | None, default: int, low: int, high: int) -> int:
    try:
        value = int(str(raw).strip())
    except (TypeError, ValueError):
        return default
    return max(low, min(high, value))


def _filter_values(query_params: QueryDict, name: str) -> tuple[str, ...]:
    values = []
    for raw in query_params.getlist(name):
        value = clean_query(raw)
        if _FILTER_VALUE.match(value) and value not in values:
            values.append(value)
    return tuple(values[:10])


def invalid_api_parameters(query_params: QueryDict) -> list[str]:
    """What is wrong with an API request's parameters, one message each; empty when fine.

    The search page forgives all of this (it drops or clamps); the API says so with a 400.
    Query-syntax characters in q are not errors: they are searched as text.
    """
    errors = []
    query = query_params.get("q", "")
    if _CONTROL_CHARS.search(query):
        errors.append("q: control characters are not allowed")
    if len(query) > MAX_QUERY_LENGTH:
        errors.append(f"q: at most {MAX_QUERY_LENGTH} characters")
    for name, high in (("page", MAX_PAGE), ("page_size", MAX_PAGE_SIZE)):
        raw = query_params.get(name)
        # ASCII digits only: str.isdigit() also accepts "²", which int() refuses.
        if raw is not None and not (_WHOLE_NUMBER.fullmatch(raw) and 1 <= int(raw) <= high):
            errors.append(f"{name}: a whole number from 1 to {high}")
    languages = {code for code, _name in settings.LANGUAGES}
    for raw in query_params.getlist("lang"):
        if raw not in languages:
            errors.append(f"lang: one of {', '.join(sorted(languages))}")
    if query_params.get("sort", "relevance") not in SORTS:
        errors.append(f"sort: one of {', '.join(SORTS)}")
    for facet in FACET_FIELDS:
        if facet == "locale":
            continue
        for raw in query_params.getlist(facet):
            if not _FILTER_VALUE.match(raw):
                errors.append(f"{facet}: not a valid value")
            elif facet == "country" and not is_country_code(raw):
                errors.append(COUNTRY_PROBLEM)
    errors.extend(str(problem) for problem in parse_date_range(query_params).problems)
    return errors


# The country facet's values are ISO 3166-1 alpha-2 codes, as City.country stores them.
COUNTRY_PROBLEM = "country: an ISO 3166-1 alpha-2 country code, such as KR"


def is_country_code(value: str) -> bool:
    return countries.alpha2(value) == value


def date_range_message(query_params: QueryDict) -> str:
    """Why the search page did not use the dates it was given; empty when it did."""
    return parse_date_range(query_params).message


def parse_search_request(query_params: QueryDict, language: str) -> SearchRequest:
    filters = {}
    for facet in FACET_FIELDS:
        # The public parameter for the locale facet is "lang".
        values = _filter_values(query_params, "lang" if facet == "locale" else facet)
        if facet == "locale":
            known = {code for code, _name in settings.LANGUAGES}
            values = tuple(v for v in values if v in known)
        if values:
            filters[facet] = values
    sort = query_params.get("sort", "relevance")
    # A range that cannot be used is dropped (the page says so: date_range_message).
    dates = parse_date_range(query_params).dates
    return SearchRequest(
        query=clean_query(query_params.get("q", "")),
        language=language,
        filters=filters,
        sort=sort if sort in SORTS else "relevance",
        date_from=dates.start,
        date_to=dates.end,
        page=_int_in_range(query_params.get("page"), 1, 1, MAX_PAGE),
        page_size=_int_in_range(query_params.get("page_size"), DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE),
    )


def run_search(query_params: QueryDict, language: str) -> SearchResponse:
    """Search as the visitor asked, and count it in the query log.

    Raises EngineUnavailable when the engine is down (nothing is logged then).
    """
    search_request = parse_search_request(query_params, language)
    if search_request.query:
        search_request = dataclasses.replace(
            search_request, query_vectors=query_vectors(search_request.query)
        )
    response = get_engine().search(search_request)
    count_search(search_request, found=response.total > 0)
    return response


# "Download these results" takes at most this many hits: enough for any reading of one search,
# and a bounded cost (this many / MAX_PAGE_SIZE engine pages).
EXPORT_MAX_HITS = 1000


def search_for_export(
    query_params: QueryDict, language: str, limit: int = EXPORT_MAX_HITS
) -> list[SearchHit]:
    """The hits of the visitor's search in the search page's order, up to `limit`.

    The same parsing, engine and index as the page and the API (the index holds only what
    the public may see), asked a page of MAX_PAGE_SIZE at a time; `page` and `page_size` are
    ignored. Not counted in the query log: the visitor searched already. Raises
    EngineUnavailable when the engine is down.
    """
    search_request = parse_search_request(query_params, language)
    if search_request.query:
        search_request = dataclasses.replace(
            search_request, query_vectors=query_vectors(search_request.query)
        )
    engine = get_engine()
    hits: list[SearchHit] = []
    for page in range(1, -(-limit // MAX_PAGE_SIZE) + 1):
        response = engine.search(
            dataclasses.replace(search_request, page=page, page_size=MAX_PAGE_SIZE)
        )
        hits.extend(response.hits)
        if not response.hits or page * MAX_PAGE_SIZE >= response.total:
            break
    return hits[:limit]


# The parameters that choose a search's results; `page` and `page_size` only choose which of
# them a page shows.
RESULTS_PARAMS = (
    "q",
    "topic",
    "kind",
    "status",
    "country",
    "city",
    "lang",
    "year",
    "date_from",
    "date_to",
    "sort",
)


def results_query_string(query_params: QueryDict) -> str:
    """The search's own parameters, for links that take its whole results elsewhere (the
    downloads beside them)."""
    kept = QueryDict(mutable=True)
    for name in RESULTS_PARAMS:
        values = [value for value in query_params.getlist(name) if value]
        if values:
            kept.setlist(name, values)
    return kept.urlencode()


def count_search(search_request: SearchRequest, *, found: bool) -> None:
    """Count a search in the query log, whether the engine or the results cache answered."""
    # Turning to page 2 of the same results is not another search.
    if search_request.page == 1:
        record_search(search_request.query, search_request.language, found=found)


# ---------------------------------------------------------------------------
# The query log: what visitors look for, never who they are
# ---------------------------------------------------------------------------

_EMAIL_LIKE = re.compile(r"\S@\S")
# Seven or more digits with at most one space, dot, dash or bracket between them: a phone,
# ID or account number. A pair of years ("2019 2024") is dropped too; privacy wins.
_DIGIT_RUN = re.compile(r"\d(?:[\s().+-]?\d){6,}")


def logged_query(query: str) -> str:
    """The query as the log keeps it; empty when it must not be kept (blank or personal)."""
    normalized = " ".join(clean_query(query).casefold().split())[:MAX_QUERY_LENGTH]
    if _EMAIL_LIKE.search(normalized) or _DIGIT_RUN.search(normalized):
        return ""
    return normalized


# Searches are counted in memory and written together by a thread of their own every
# SEARCH_QUERY_LOG_FLUSH_SECONDS, so a visitor's search waits for no write (0 writes each
# search at once). A process that stops writes what it holds (flush_query_log: gunicorn's
# worker_exit, atexit); one that is killed loses at most those seconds of counts.
_pending_counts: dict[tuple[str, str, date], list[int]] = {}
_pending_lock = threading.Lock()
_flusher_pid: int | None = None
_last_flush = time.monotonic()
# More distinct queries than this waiting: written at once, memory stays bounded.
MAX_PENDING_QUERIES = 10_000


def record_search(query: str, language: str, *, found: bool) -> None:
    """Add one search to today's count for this query and language. Never raises."""
    normalized = logged_query(query)
    if not normalized:
        return
    key = (normalized, language[:10], timezone.localdate())
    zero = 0 if found else 1
    delay = settings.SEARCH_QUERY_LOG_FLUSH_SECONDS
    if delay <= 0:
        _write_counts({key: [1, zero]})
        return
    with _pending_lock:
        counts = _pending_counts.setdefault(key, [0, 0])
        counts[0] += 1
        counts[1] += zero
        overflowing = len(_pending_counts) > MAX_PENDING_QUERIES
    if overflowing:
        flush_query_log()
    _start_flusher()


def _start_flusher() -> None:
    global _flusher_pid
    with _pending_lock:
        # Once per process: a forked worker does not inherit its parent's thread.
        if _flusher_pid == os.getpid():
            return
        _flusher_pid = os.getpid()
    threading.Thread(target=_flush_when_due, name="query-log", daemon=True).start()
    atexit.register(flush_query_log)


def _flush_when_due() -> None:
    while True:
        delay = settings.SEARCH_QUERY_LOG_FLUSH_SECONDS
        time.sleep(min(max(delay, 0.05), 1.0))
        if time.monotonic() - _last_flush >= delay:
            flush_query_log()
            # This thread's own connection, opened again at the next write: never left stale.
            connection.close()


def flush_query_log() -> None:
    """Write the counts this process holds. Never raises."""
    global _last_flush
    with _pending_lock:
        pending = dict(_pending_counts)
        _pending_counts.clear()
        _last_flush = time.monotonic()
    if pending:
        _write_counts(pending)


def _write_counts(pending: dict[tuple[str, str, date], list[int]]) -> None:
    """One upsert per query, language and day (INSERT ... ON CONFLICT DO UPDATE, on
    PostgreSQL and SQLite): atomic in the database, so processes writing the same row at
    once lose no count."""
    # The table's own name, quoted; every value is a parameter.
    table = connection.ops.quote_name(SearchQueryDay._meta.db_table)
    statement = (
        f"INSERT INTO {table} (query, language, day, searches, zero_result_searches) "  # noqa: S608
        "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (query, language, day) DO UPDATE SET "
        f"searches = {table}.searches + excluded.searches, "
        f"zero_result_searches = {table}.zero_result_searches + excluded.zero_result_searches"
    )
    rows = [
        (query, language, day, searches, zero)
        for (query, language, day), (searches, zero) in sorted(pending.items())
    ]
    try:
        # A savepoint inside a surrounding transaction, so a failure here never spoils it.
        atomic = transaction.atomic() if connection.in_atomic_block else nullcontext()
        with atomic, connection.cursor() as cursor:
            cursor.executemany(statement, rows)
    except DatabaseError:
        # The visitor's search matters more than our statistics.
        logger.exception("could not record a search in the query log (%d counts lost)", len(rows))


def prune_query_log(keep_days: int | None = None) -> int:
    """Delete log days older than SEARCH_QUERY_LOG_DAYS; a log is kept no longer than useful."""
    keep_days = settings.SEARCH_QUERY_LOG_DAYS if keep_days is None else keep_days
    cutoff = timezone.localdate() - timedelta(days=keep_days)
    deleted, _by_model = SearchQueryDay.objects.filter(day__lt=cutoff).delete()
    return deleted


# ---------------------------------------------------------------------------
# Promoted results (Wagtail's search picks), shown before the engine's hits
# ---------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class PromotedResult:
    title: str
    url: str
    description: str
    locale: str = ""  # "" for an external link
    translation_key: str = ""  # "" for an external link

    @property
    def is_external(self) -> bool:
        return not self.translation_key


def _promoted_page(pick: SearchPromotion, locale: Locale) -> PromotedResult | None:
    """The picked page in the visitor's language when that translation is public, else the
    picked page itself when public, else nothing."""
    translations = visible_pages(Page.objects.filter(translation_key=pick.page.translation_key))
    shown = (
        translations.filter(locale=locale).first() or translations.filter(pk=pick.page_id).first()
    )
    if shown is None:
        return None
    # The editor's description is written for the picked page, in its language.
    description = pick.description if shown.pk == pick.page_id else shown.search_description
    return PromotedResult(
        title=shown.title,
        url=shown.get_url() or shown.url_path,
        description=description,
        locale=shown.locale.language_code,
        translation_key=str(shown.translation_key),
    )


def promoted_results(search_request: SearchRequest) -> list[PromotedResult]:
    """Editors' picks for this query, best first; only on page 1 of an unfiltered search.

    Filters (topic, kind, country, city, year, dates) narrow what the visitor wants and a pick
    would ignore them, so picks show only without them. The language filter does not
    count: it chooses which translation of a picked page is shown.
    """
    if not search_request.query or search_request.page != 1:
        return []
    if any(facet != "locale" for facet in search_request.filters):
        return []
    if search_request.date_from or search_request.date_to:
        return []
    # A lookup, not Query.get(): that would create a Query row for every search.
    query = Query.objects.filter(query_string=normalise_query_string(search_request.query)).first()
    if query is None:
        return []
    language = search_request.language
    if search_request.filters.get("locale"):
        language = search_request.filters["locale"][0]
    locale = Locale.objects.filter(language_code=language).first() or Locale.get_default()
    results = []
    for pick in query.editors_picks.select_related("page").order_by("sort_order", "pk"):
        if pick.page_id:
            promoted = _promoted_page(pick, locale)
        elif pick.external_link_url:
            promoted = PromotedResult(
                title=pick.external_link_text or pick.external_link_url,
                url=pick.external_link_url,
                description=pick.description,
            )
        else:
            promoted = None
        if promoted is not None and promoted.url not in {r.url for r in results}:
            results.append(promoted)
    return results


def without_promoted(response: SearchResponse, promoted: list[PromotedResult]) -> SearchResponse:
    """The response without hits the picks already show (any translation of the same page)."""
    shown = {p.translation_key for p in promoted if p.translation_key}
    if not shown:
        return response
    return dataclasses.replace(
        response, hits=[hit for hit in response.hits if hit.translation_key not in shown]
    )


def run_suggest(query_params: QueryDict, language: str, limit: int = 8) -> list[str]:
    prefix = clean_query(query_params.get("q", ""))
    if not prefix:
        return []
    return get_engine().suggest(prefix, language=language, limit=limit)


# Labels change only with a topic area, which forgets them (search/receivers.py); building
# them cost ~3 ms a search (three queries and every country's name). Five minutes bound how
# long another process's in-memory cache keeps a renamed area's old name, when no shared
# cache (CACHE_URL) is configured.
FACET_LABELS_SECONDS = 300


def _facet_labels_key(language: str) -> str:
    return f"search:facet-labels:{language}"


def facet_labels(language: str) -> dict[str, dict[str, str]]:
    """Human labels for facet values, in `language`; values without one show as is.

    In `language`, not the active one: the API is asked for a language by ?lang= and is
    served at one address for all, so its active language is the browser's.
    """
    key = _facet_labels_key(language)
    labels = cache.get(key)
    if labels is None:
        labels = _facet_labels(language)
        cache.set(key, labels, FACET_LABELS_SECONDS)
    return labels


def forget_facet_labels() -> None:
    """After a topic area changes: every language's labels are built again."""
    cache.delete_many([_facet_labels_key(code) for code, _name in settings.LANGUAGES])


def _facet_labels(language: str) -> dict[str, dict[str, str]]:
    locale = Locale.objects.filter(language_code=language).first() or Locale.get_default()
    topics = {
        area.slug: area.name for area in TopicArea.objects.filter(locale=Locale.get_default())
    }
    topics.update({area.slug: area.name for area in TopicArea.objects.filter(locale=locale)})
    with translation.override(language):
        kinds = {value: str(label) for value, label in PracticeKind.choices}
        kinds.update(
            {
                "session": str(_("Summit session")),
                "session_summary": str(_("Session summary")),
                "topic_area": str(_("Topic area")),
            }
        )
        statuses = {value: str(label) for value, label in PracticeStatus.choices}
        country_names = {code: str(name) for code, name in countries}
    # The index holds a city by its English name (search/documents.py).
    english_cities = dict(
        City.objects.filter(locale=Locale.get_default()).values_list("translation_key", "name")
    )
    cities = {
        english_cities[key]: name
        for key, name in City.objects.filter(
            locale=locale, translation_key__in=english_cities
        ).values_list("translation_key", "name")
    }
    return {
        "topic": topics,
        "kind": kinds,
        "status": statuses,
        "city": cities,
        "country": country_names,
        "locale": dict(settings.LANGUAGES),
    }


def label_for(labels: dict[str, dict[str, str]], facet: str, value: str) -> str:
    return labels.get(facet, {}).get(value, value)


@dataclasses.dataclass(frozen=True)
class DisplayedHit:
    """A hit with what explains it to a reader, in the reader's language.

    The page and the API both show hits this way, with the facets' own labels, so that a
    hit never names its kind or a topic differently from the filter beside it.
    """

    hit: SearchHit
    kind_label: str
    topic_labels: tuple[str, ...]  # in the order of hit.topics
    city_label: str  # the city's name in the reader's language, where it has one
    started_display: str  # the reader's locale's DATE_FORMAT; "" when the hit has no date
    # Where the reader opens it: an original in the default language under the reader's
    # language prefix, so that the interface stays theirs (knowledge/reader_language.py).
    reader_url: str
    # The hit's own language is written right to left (its title and snippet are in it).
    rtl: bool


def _is_rtl(language: str) -> bool:
    return language.split("-")[0] in settings.LANGUAGES_BIDI


def _reader_url(hit: SearchHit, language: str) -> str:
    if hit.locale != settings.LANGUAGE_CODE or not hit.url:
        return hit.url
    return swap_language_prefix(hit.url, hit.locale, language)


def displayed_hits(
    hits: list[SearchHit], language: str, labels: dict[str, dict[str, str]] | None = None
) -> list[DisplayedHit]:
    """`hits` with their labels and date in `language`. Pass the facets' `labels` when the
    caller has them already, to look them up once."""
    labels = facet_labels(language) if labels is None else labels
    with translation.override(language):
        return [
            DisplayedHit(
                hit=hit,
                kind_label=label_for(labels, "kind", hit.kind) if hit.kind else "",
                topic_labels=tuple(label_for(labels, "topic", topic) for topic in hit.topics),
                city_label=label_for(labels, "city", hit.city) if hit.city else "",
                started_display=date_format(hit.started, "DATE_FORMAT") if hit.started else "",
                reader_url=_reader_url(hit, language),
                rtl=_is_rtl(hit.locale),
            )
            for hit in hits
        ]
