"""The one search entry point the page and the API share: parse visitor input, ask the engine.

Odd input is dropped or clamped, never an error: a search box must always answer.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from wagtail.models import Locale

from knowledge.models import PracticeKind, TopicArea

from .engines.base import FACET_FIELDS, SearchRequest, SearchResponse
from .engines.selection import get_engine

MAX_QUERY_LENGTH = 200
MAX_PAGE_SIZE = 50
DEFAULT_PAGE_SIZE = 20
MAX_PAGE = 500  # deeper pages are never useful and cost the engine
SORTS = ("relevance", "date")
# Filter values are slugs, codes, city names or years: anything else cannot match.
_FILTER_VALUE = re.compile(r"^[\w .,'()-]{1,80}$")
_CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f]")


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
        if raw is not None and not (raw.isdigit() and 1 <= int(raw) <= high):
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
    return errors


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
    return SearchRequest(
        query=clean_query(query_params.get("q", "")),
        language=language,
        filters=filters,
        sort=sort if sort in SORTS else "relevance",
        page=_int_in_range(query_params.get("page"), 1, 1, MAX_PAGE),
        page_size=_int_in_range(query_params.get("page_size"), DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE),
    )


def run_search(query_params: QueryDict, language: str) -> SearchResponse:
    """Search as the visitor asked; raises EngineUnavailable when the engine is down."""
    return get_engine().search(parse_search_request(query_params, language))


def run_suggest(query_params: QueryDict, language: str, limit: int = 8) -> list[str]:
    prefix = clean_query(query_params.get("q", ""))
    if not prefix:
        return []
    return get_engine().suggest(prefix, language=language, limit=limit)


def facet_labels(language: str) -> dict[str, dict[str, str]]:
    """Human labels for facet values, in the visitor's language; values without one show as is."""
    locale = Locale.objects.filter(language_code=language).first() or Locale.get_default()
    topics = {
        area.slug: area.name for area in TopicArea.objects.filter(locale=Locale.get_default())
    }
    topics.update({area.slug: area.name for area in TopicArea.objects.filter(locale=locale)})
    kinds = {value: str(label) for value, label in PracticeKind.choices}
    kinds.update(
        {
            "session": str(_("Summit session")),
            "session_summary": str(_("Session summary")),
            "topic_area": str(_("Topic area")),
        }
    )
    return {
        "topic": topics,
        "kind": kinds,
        "country": {code: str(name) for code, name in countries},
        "locale": dict(settings.LANGUAGES),
    }


def label_for(labels: dict[str, dict[str, str]], facet: str, value: str) -> str:
    return labels.get(facet, {}).get(value, value)
