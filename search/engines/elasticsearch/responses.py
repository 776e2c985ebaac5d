"""SearchResponse and SearchHit values from documented _search response bodies."""

from __future__ import annotations

import dataclasses
import html
from datetime import date
from typing import Any

from search.engines.base import FACET_FIELDS, FacetCount, SearchHit, SearchRequest, SearchResponse
from search.engines.common import shorten
from search.engines.elasticsearch.bodies import SNIPPET_FIELDS, SPELLING_SUGGESTER


def parse_search_response(body: dict[str, Any], request: SearchRequest) -> SearchResponse:
    """A SearchResponse from a documented _search response body."""
    aggregations = body.get("aggregations", {})
    if request.collapse_translations and "collapsed_total" in aggregations:
        total = int(aggregations["collapsed_total"]["groups"]["value"])
    else:
        total = int(body["hits"]["total"]["value"])
    hits = [hit_from(preferred_translation(hit, request.language)) for hit in body["hits"]["hits"]]
    facets: dict[str, list[FacetCount]] = {}
    for facet in FACET_FIELDS:
        buckets = aggregations.get(facet, {}).get("values", {}).get("buckets", [])
        facets[facet] = [
            FacetCount(
                value=str(bucket.get("key_as_string", bucket["key"])),
                count=int(bucket["groups"]["value"] if "groups" in bucket else bucket["doc_count"]),
            )
            for bucket in buckets
        ]
    return SearchResponse(
        total=total,
        hits=hits,
        facets=facets,
        took_ms=float(body.get("took", 0)),
        suggestion="" if total else spelling_suggestion(body),
    )


def spelling_suggestion(body: dict[str, Any]) -> str:
    """The phrase suggester's best correction, as the reference's response example shapes it.

    `suggest.<name>` is a list with one entry for the whole text; its options are ranked, and
    with collate (prune false) only corrections that match some document remain.
    """
    for entry in body.get("suggest", {}).get(SPELLING_SUGGESTER, []):
        for option in entry.get("options", []):
            if option.get("collate_match", True) and option.get("text"):
                return str(option["text"])
    return ""


def preferred_translation(hit: dict[str, Any], language: str) -> dict[str, Any]:
    """The collapsed group's hit in the visitor's language, if the group has one."""
    translations = hit.get("inner_hits", {}).get("translations", {}).get("hits", {}).get("hits", [])
    for translation in translations:
        if translation.get("_source", {}).get("locale") == language:
            return translation
    return hit


def hit_from(hit: dict[str, Any]) -> SearchHit:
    """A hit as SearchHit: its first highlight as the snippet, else its shortened summary."""
    source = hit.get("_source", {})
    highlights = hit.get("highlight", {})
    snippet = next((highlights[f][0] for f in SNIPPET_FIELDS if highlights.get(f)), None)
    if snippet is None:
        snippet = html.escape(shorten(source.get("summary") or ""))
    started = source.get("started")
    return SearchHit(
        id=hit["_id"],
        translation_key=source.get("translation_key", ""),
        locale=source.get("locale", ""),
        url=source.get("url", ""),
        title=source.get("title", ""),
        snippet=snippet,
        content_type=source.get("content_type", ""),
        kind=source.get("kind", ""),
        topics=tuple(source.get("topics") or ()),
        city=source.get("city") or "",
        country=source.get("country") or "",
        started=date.fromisoformat(started) if started else None,
        score=float(hit.get("_score") or 0.0),
    )


def parse_fused_response(
    page: dict[str, Any], counts: dict[str, Any], request: SearchRequest, took_ms: float
) -> SearchResponse:
    """A SearchResponse from the two searches of the rrf fusion (hybrid.rrf_page_body,
    union_counts_body): the page of hits from the rrf search, the total, facets and suggestion
    from the counts search (size 0)."""
    response = parse_search_response(counts, request)
    hits = [hit_from(preferred_translation(hit, request.language)) for hit in page["hits"]["hits"]]
    return dataclasses.replace(response, hits=hits, took_ms=took_ms)
