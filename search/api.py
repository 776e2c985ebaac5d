"""The public search API, /api/v1/search/. Thin: parsing and searching live in search.service."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from core.absolute_urls import absolute_url_for_request
from core.throttling import rate_limited
from search.engines.base import EngineUnavailable
from search.openapi import openapi_document
from search.service import (
    DisplayedHit,
    PromotedResult,
    count_search,
    displayed_hits,
    facet_labels,
    invalid_api_parameters,
    label_for,
    parse_search_request,
    promoted_results,
    run_search,
    run_suggest,
)
from search.serving import results_cache

API_FACETS = ("topic", "kind", "status", "country", "city", "locale")


def _language(request: HttpRequest) -> str:
    # ?lang= both filters by locale and picks the language of labels and collapsed hits.
    lang = request.GET.get("lang", "")
    return lang if lang in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def _unavailable() -> JsonResponse:
    return JsonResponse({"error": "Search is temporarily unavailable."}, status=503)


def _hit_json(shown: DisplayedHit) -> dict:
    hit = shown.hit
    return {
        "slug": hit.url.rstrip("/").rsplit("/", 1)[-1],
        "locale": hit.locale,
        "url": hit.url,
        "title": hit.title,
        "snippet": hit.snippet,
        "kind": hit.kind,
        "topics": list(hit.topics),
        "city": hit.city,
        "country": hit.country,
        "started": hit.started.isoformat() if hit.started else None,
        # What explains the hit to a reader, in the `lang` language, as the facets name them.
        "kind_label": shown.kind_label,
        "topic_labels": list(shown.topic_labels),
        "city_label": shown.city_label or None,
        "started_display": shown.started_display or None,
    }


def _promoted_json(promoted: PromotedResult) -> dict:
    return {
        "title": promoted.title,
        "url": promoted.url,
        "description": promoted.description,
        "locale": promoted.locale or None,
        "external": promoted.is_external,
    }


def _addressed(answer: dict, request: HttpRequest) -> dict:
    """The answer with every `url` absolute on the host this client asked. Kept answers hold
    paths, so one answer serves every host the site is reached at."""
    return {
        **answer,
        "promoted": [
            {**p, "url": absolute_url_for_request(request, p["url"])} for p in answer["promoted"]
        ],
        "hits": [{**h, "url": absolute_url_for_request(request, h["url"])} for h in answer["hits"]],
    }


@require_GET
@rate_limited("search-api", "SEARCH_API_RATE_LIMIT")
def search_api(request: HttpRequest) -> JsonResponse:
    errors = invalid_api_parameters(request.GET)
    if errors:
        return JsonResponse({"error": "Bad parameters.", "errors": errors}, status=400)
    language = _language(request)
    search_request = parse_search_request(request.GET, language)
    key = results_cache.api_key(request, search_request) if results_cache.enabled() else None
    kept, generation = results_cache.lookup(key) if key else (None, None)
    if kept is not None:
        count_search(search_request, found=kept["total"] > 0)
        return JsonResponse(_addressed(kept, request))
    try:
        response = run_search(request.GET, language)
    except EngineUnavailable:
        return _unavailable()
    labels = facet_labels(language)
    facets = {
        facet: [
            {"value": c.value, "label": label_for(labels, facet, c.value), "count": c.count}
            for c in response.facets.get(facet, [])
        ]
        for facet in API_FACETS
    }
    answer = {
        "total": response.total,
        "took_ms": round(response.took_ms, 2),
        "page": search_request.page,
        # Editors' picks, apart from `hits` so that `hits` and `total` stay the engine's.
        "promoted": [_promoted_json(p) for p in promoted_results(search_request)],
        "hits": [_hit_json(shown) for shown in displayed_hits(response.hits, language, labels)],
        "facets": facets,
        # A corrected query when nothing matched; null otherwise.
        "suggestion": response.suggestion or None,
    }
    if key:
        results_cache.keep(key, generation, answer)
    return JsonResponse(_addressed(answer, request))


@require_GET
# Suggestions count apart: the search box asks for them as the reader types.
@rate_limited("search-suggest-api", "SEARCH_API_RATE_LIMIT")
def suggest_api(request: HttpRequest) -> JsonResponse:
    try:
        suggestions = run_suggest(request.GET, _language(request))
    except EngineUnavailable:
        return _unavailable()
    return JsonResponse({"suggestions": suggestions})


@require_GET
def openapi_api(request: HttpRequest) -> JsonResponse:
    return JsonResponse(openapi_document())
