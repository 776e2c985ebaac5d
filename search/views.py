"""The public search page. Thin: parsing and searching live in search.service."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from wagtail.models import Locale

from knowledge.listings import topic_areas_for
from search.engines.base import EngineUnavailable
from search.service import (
    count_search,
    date_range_message,
    displayed_hits,
    facet_labels,
    label_for,
    parse_search_request,
    promoted_results,
    results_query_string,
    run_search,
    without_promoted,
)
from search.serving import results_cache


def _page_url(request: HttpRequest, **changes) -> str:
    params = request.GET.copy()
    for key, value in changes.items():
        params[key] = value
    return "?" + params.urlencode()


def _facet_links(request: HttpRequest, response, labels) -> list[dict]:
    """Each facet value as a link that toggles it as a filter, so filters work without JS."""
    groups = []
    for facet, counts in response.facets.items():
        param = "lang" if facet == "locale" else facet
        selected = set(request.GET.getlist(param))
        values = []
        for item in counts:
            params = request.GET.copy()
            params.pop("page", None)
            chosen = [v for v in params.getlist(param) if v != item.value]
            if item.value not in selected:
                chosen.append(item.value)
            params.setlist(param, chosen)
            values.append(
                {
                    "label": label_for(labels, facet, item.value),
                    "count": item.count,
                    "selected": item.value in selected,
                    "url": "?" + params.urlencode(),
                }
            )
        if values:
            groups.append({"name": facet, "values": values})
    return groups


def search_page(request: HttpRequest) -> HttpResponse:
    language = get_language() or "en"
    search_request = parse_search_request(request.GET, language)
    key = results_cache.page_key(request) if results_cache.enabled() else None
    kept, generation = results_cache.lookup(key) if key else (None, None)
    if kept is not None:
        found, content = kept
        count_search(search_request, found=found)
        return HttpResponse(content)
    response = _rendered_search_page(request, language, search_request)
    if (
        key
        and response.status_code == 200
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_USED")
    ):
        results_cache.keep(key, generation, (response.found, response.content))
    return response


def _rendered_search_page(request, language, search_request) -> HttpResponse:
    context = {
        "query": search_request.query,
        "sort": search_request.sort,
        "date_from": search_request.date_from,
        "date_to": search_request.date_to,
        # Dates it could not use are dropped, and the page says why.
        "date_message": date_range_message(request.GET),
    }
    try:
        response = run_search(request.GET, language)
    except EngineUnavailable:
        context["unavailable"] = True
        return render(request, "search/search_page.html", context, status=503)
    promoted = promoted_results(search_request)
    # A picked page is not repeated among the hits below it; `total` still counts it.
    response = without_promoted(response, promoted)
    labels = facet_labels(language)
    last_page = max(1, -(-response.total // search_request.page_size))
    page = search_request.page
    context.update(
        response=response,
        hits=displayed_hits(response.hits, language, labels),
        promoted=promoted,
        facet_groups=_facet_links(request, response, labels),
        page=page,
        last_page=last_page,
        previous_url=_page_url(request, page=page - 1) if page > 1 else "",
        next_url=_page_url(request, page=page + 1) if page < last_page else "",
        relevance_url=_page_url(request, sort="relevance", page=1),
        date_url=_page_url(request, sort="date", page=1),
        filters=search_request.filters,
        active_filter_count=sum(len(values) for values in search_request.filters.values()),
        # "Download these results": the same search, whole, as a file.
        results_query=results_query_string(request.GET),
    )
    if not response.hits and not promoted:
        context["topic_areas"] = topic_areas_for(Locale.get_active())
    page_response = render(request, "search/search_page.html", context)
    page_response.found = response.total > 0
    return page_response
