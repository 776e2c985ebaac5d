"""The OpenAPI 3 description of the public search API, written by hand: two endpoints."""

from __future__ import annotations

from django.conf import settings

from search.engines.common import MAX_PAGE_SIZE

_STRING = {"type": "string"}


def _param(name: str, description: str, schema: dict | None = None) -> dict:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema or _STRING,
    }


_FACET_ITEM = {
    "type": "object",
    "properties": {"value": _STRING, "label": _STRING, "count": {"type": "integer"}},
}

_HIT = {
    "type": "object",
    "properties": {
        "slug": _STRING,
        "locale": _STRING,
        "url": {
            "type": "string",
            "format": "uri",
            "description": "The page's absolute URL, on the host the request was sent to.",
        },
        "title": _STRING,
        "snippet": {"type": "string", "description": "Escaped HTML; matches wrapped in <mark>."},
        "kind": _STRING,
        "topics": {"type": "array", "items": _STRING},
        "city": _STRING,
        "country": {"type": "string", "description": "ISO 3166-1 alpha-2"},
        "started": {"type": "string", "format": "date", "nullable": True},
        "kind_label": {
            "type": "string",
            "description": "`kind` as a reader of `lang` calls it; the same label as the kind "
            "facet's.",
        },
        "topic_labels": {
            "type": "array",
            "items": _STRING,
            "description": "The names of `topics` in `lang`, in the same order; the same labels "
            "as the topic facet's.",
        },
        "city_label": {
            "type": "string",
            "nullable": True,
            "description": "`city` as a reader of `lang` names it (Seúl, 서울); the same label "
            "as the city facet's; null when the hit has no city.",
        },
        "started_display": {
            "type": "string",
            "nullable": True,
            "description": "`started` as `lang` writes dates (e.g. June 1, 2020; "
            "2020년 6월 1일); null when `started` is.",
        },
    },
}

_PROMOTED = {
    "type": "object",
    "description": "A result the editors promote for this query.",
    "properties": {
        "title": _STRING,
        "url": {"type": "string", "format": "uri", "description": "An absolute URL."},
        "description": _STRING,
        "locale": {"type": "string", "nullable": True, "description": "null when external."},
        "external": {"type": "boolean", "description": "A link to another site."},
    },
}

_UNAVAILABLE = {
    "description": "The search engine is temporarily unavailable.",
    "content": {
        "application/json": {"schema": {"type": "object", "properties": {"error": _STRING}}}
    },
}

_TOO_MANY_REQUESTS = {
    "description": "Over the per-address rate (SEARCH_API_RATE_LIMIT); retry after "
    "`Retry-After` seconds.",
    "headers": {"Retry-After": {"schema": {"type": "integer"}}},
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "properties": {"error": _STRING, "retry_after": {"type": "integer"}},
            }
        }
    },
}

_BAD_PARAMETERS = {
    "description": "A parameter is out of range or malformed; `errors` names each one.",
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "properties": {"error": _STRING, "errors": {"type": "array", "items": _STRING}},
            }
        }
    },
}


def openapi_document() -> dict:
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "CAC Knowledge Platform search API",
            "version": "1",
            "description": "Full-text search over public practices, sessions and summaries. "
            "Malformed parameters are a 400 with the list of what is wrong.",
        },
        "paths": {
            "/api/v1/search/": {
                "get": {
                    "summary": "Search public content",
                    "parameters": [
                        _param("q", "Search words (at most 200 characters)."),
                        _param(
                            "lang",
                            "Locale filter, and the language of hits and of their labels: "
                            f"{', '.join(code for code, _name in settings.LANGUAGES)}.",
                        ),
                        _param("topic", "Topic-area slug; repeatable."),
                        _param("kind", "Practice kind or content type; repeatable."),
                        _param("status", "Practice status: planned, active or ended; repeatable."),
                        _param(
                            "country",
                            "ISO 3166-1 alpha-2 code in capitals (KR); repeatable. An unknown "
                            "code is a 400.",
                        ),
                        _param("city", "City name in English; repeatable."),
                        _param("year", "Year started or published; repeatable."),
                        _param(
                            "date_from",
                            "Only hits that started (a practice) or took place (a session, "
                            "and a summary by its session) on or after this day, YYYY-MM-DD. "
                            "With date_from or date_to, hits with no such date (topic areas, "
                            "practices with no start date) are left out. A malformed date, or "
                            "date_from after date_to, is a 400.",
                            {"type": "string", "format": "date"},
                        ),
                        _param(
                            "date_to",
                            "Only hits that started or took place on or before this day, "
                            "YYYY-MM-DD (see date_from).",
                            {"type": "string", "format": "date"},
                        ),
                        _param("sort", "relevance or date.", {"enum": ["relevance", "date"]}),
                        _param("page", "1-based page.", {"type": "integer", "minimum": 1}),
                        _param(
                            "page_size",
                            f"Hits per page, at most {MAX_PAGE_SIZE}.",
                            {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
                        ),
                    ],
                    "responses": {
                        "200": {
                            "description": "One page of hits with facet counts.",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "properties": {
                                            "total": {"type": "integer"},
                                            "took_ms": {"type": "number"},
                                            "page": {"type": "integer"},
                                            "promoted": {
                                                "type": "array",
                                                "items": _PROMOTED,
                                                "description": "Editors' picks for q, best "
                                                "first, in the language asked for when "
                                                "translated. Only on page 1 and only when no "
                                                "filter other than lang is given; otherwise "
                                                "empty. Not counted in total; a picked page "
                                                "may also appear in hits.",
                                            },
                                            "hits": {"type": "array", "items": _HIT},
                                            "facets": {
                                                "type": "object",
                                                "additionalProperties": {
                                                    "type": "array",
                                                    "items": _FACET_ITEM,
                                                },
                                            },
                                            "suggestion": {
                                                "type": "string",
                                                "nullable": True,
                                                "description": "When nothing matched: a "
                                                "corrected query that finds something "
                                                "(did you mean), else null.",
                                            },
                                        },
                                    }
                                }
                            },
                        },
                        "400": _BAD_PARAMETERS,
                        "429": _TOO_MANY_REQUESTS,
                        "503": _UNAVAILABLE,
                    },
                }
            },
            "/api/v1/search/suggest": {
                "get": {
                    "summary": "Autocomplete suggestions",
                    "parameters": [_param("q", "The beginning of a word or title.")],
                    "responses": {
                        "200": {
                            "description": "Completions, best first.",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "properties": {
                                            "suggestions": {"type": "array", "items": _STRING}
                                        },
                                    }
                                }
                            },
                        },
                        "429": _TOO_MANY_REQUESTS,
                        "503": _UNAVAILABLE,
                    },
                }
            },
        },
    }
