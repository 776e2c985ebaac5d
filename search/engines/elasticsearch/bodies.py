"""The bodies of the requests the engine sends: searches, look-ups and reads.

Pure functions of a SearchRequest (or of a hit already found): no client, no I/O. Shapes from
the Elasticsearch 9 reference; tests/search/test_elasticsearch_requests.py asserts on them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from search.engines.base import FACET_FIELDS, HIGHLIGHT_END, HIGHLIGHT_START, SearchRequest
from search.engines.common import FACET_BUCKETS, FIELD_BOOSTS, SNIPPET_CHARS, SNIPPET_SOURCE_CHARS
from search.engines.elasticsearch.mapping import (
    ALWAYS_QUERIED_SUBFIELDS,
    LANGUAGE_SUBFIELDS,
    SUBFIELD_FOR_LANGUAGE,
)

MAX_RESULT_WINDOW = 10_000  # Elasticsearch's default index.max_result_window
# How many translations of one group the collapsed hit carries, to pick the visitor's language.
MAX_TRANSLATIONS = 10
# What a hit needs from _source: everything but the long texts (the snippet comes from highlights)
# and the passage vectors (returned in _source before 9.2, dense-vector.md: thousands of numbers
# per hit that nothing reads), of every model (vectors.PASSAGES_PREFIX).
HIT_SOURCE = {"excludes": ["body", "attachments_text", "passages_*"]}

# Facet name (FACET_FIELDS) -> keyword field in the index.
FACET_INDEX_FIELDS = {
    "topic": "topics",
    "kind": "kind",
    "status": "status",
    "country": "country",
    "city": "city",
    "locale": "locale",
    "year": "year",
}

# Reading every document's fingerprint: pages of this many hits under one point in time.
VERSIONS_PAGE_SIZE = 1000
PIT_KEEP_ALIVE = "2m"  # per request: long enough for one page, not a whole read
# Most of the words: Elasticsearch's notation for the embedded engine's rule
# (embedded/query.minimum_should_match): up to two words all of them, from three 75% rounded
# down (query-dsl-minimum-should-match.md, "Combination").
MOST_WORDS = "2<75%"
# The score every document with all the words gets on top of its BM25 score, so that it
# ranks above those with only most of them: far above what BM25 gives a query of at most
# a few dozen words.
ALL_WORDS_SCORE = 1000.0
# Analyses that leave stop words out at search time (see _stop_word_subfields).
STOP_WORD_SUBFIELDS = ("en", "cjk")
# The phrase suggester's name in the search body and response.
SPELLING_SUGGESTER = "did_you_mean"

# Newest first by common.date_order, indexed with each document: start date, else publication
# date, ties broken by the id, as the embedded engine orders. An index made from an older
# template lacks the field until it is rebuilt: its documents then sort as missing, last.
NEWEST_FIRST = {"date_order": {"order": "desc", "missing": "_last", "unmapped_type": "long"}}
# A facet's values: the most frequent first, ties alphabetically (common.ordered_facet
# reorders by the counts shown, which are translation groups when collapsing).
FACET_ORDER = [{"_count": "desc"}, {"_key": "asc"}]

HIGHLIGHT = {
    "pre_tags": [HIGHLIGHT_START],
    "post_tags": [HIGHLIGHT_END],
    "encoder": "html",  # escape the text around the marks
    "fragment_size": SNIPPET_CHARS,
    "number_of_fragments": 1,
    # Analyse only the start of each field: past index.highlight.max_analyzed_offset
    # (1,000,000 by default) a highlight fails the whole search with a 400. With this
    # setting the rest is left unhighlighted, without an error.
    "max_analyzed_offset": SNIPPET_SOURCE_CHARS,
    # The snippet's three texts, each with the matches of its language sub-fields combined in
    # (matched_fields, unified highlighter: the original field's own matches are always in),
    # rather than 21 fields highlighted one by one, of which the snippet shows one. The texts are
    # re-analysed (no index_options offsets): offsets would spare that only if every combined
    # sub-field had them, a larger index for the start of each text max_analyzed_offset bounds.
    "type": "unified",
    "fields": {
        base: {"matched_fields": [f"{base}.{sub}" for sub in LANGUAGE_SUBFIELDS]}
        for base in ("summary", "body", "attachments_text")
    },
}


def collapse_translations() -> dict[str, Any]:
    """One hit per translation group, its other translations as inner hits (to show the
    visitor's). A new dict each time: bodies are built per request."""
    return {
        "field": "translation_key",
        "inner_hits": {
            "name": "translations",
            "size": MAX_TRANSLATIONS,
            "_source": HIT_SOURCE,
            "highlight": HIGHLIGHT,
        },
    }


# The order in which highlighted fields make the snippet: the first with a highlight.
SNIPPET_FIELDS = tuple(HIGHLIGHT["fields"])


def search_body(request: SearchRequest, bridge: Sequence[str] = ()) -> dict[str, Any]:
    """The search request body for a SearchRequest, as SearchEngine.search normalised it;
    `bridge`: the query's glossary terms that may match alone (text_query).

    Filters go in post_filter, not in the query: the facet aggregations run on the query's
    hits, and each facet applies every filter except its own, so choosing "kind: policy"
    still shows the other kinds' counts.
    """
    page, size = request.page, request.page_size
    filters = filter_clauses(request)
    body: dict[str, Any] = {
        "query": text_query(request, bridge),
        # Past index.max_result_window Elasticsearch refuses the request: such a page is
        # empty (the total and facets still come back).
        "from": (page - 1) * size if page * size <= MAX_RESULT_WINDOW else 0,
        "size": size if page * size <= MAX_RESULT_WINDOW else 0,
        "sort": sort_clauses(request),
        "track_total_hits": True,
        "_source": HIT_SOURCE,
        "highlight": HIGHLIGHT,
        "aggs": facet_aggregations(filters, request.collapse_translations),
    }
    if filters:
        body["post_filter"] = {"bool": {"filter": list(filters.values())}}
    # No suggester here: it is read only when nothing matched, so it is asked then, on its own
    # (spelling_body), rather than run (with its collate queries) beside every search.
    if request.collapse_translations:
        body["collapse"] = collapse_translations()
        body["aggs"]["collapsed_total"] = {
            "filter": {"bool": {"filter": list(filters.values())}},
            "aggs": {
                "groups": {
                    "cardinality": {"field": "translation_key", "precision_threshold": 40000}
                }
            },
        }
    return body


# The date range's key among filter_clauses: no facet has this name, so every facet's
# aggregation applies it (facet_aggregations leaves out only a facet's own filter).
DATE_RANGE_FILTER = "started"


def filter_clauses(request: SearchRequest) -> dict[str, dict[str, Any]]:
    """The request's facet filters as clauses, by facet name, and its date range (a `range`
    on `started`, which a document without a start date does not match)."""
    clauses = {
        facet: {"terms": {FACET_INDEX_FIELDS[facet]: list(values)}}
        for facet, values in request.filters.items()
        if facet in FACET_INDEX_FIELDS and values
    }
    bounds = {}
    if request.date_from is not None:
        bounds["gte"] = request.date_from.isoformat()
    if request.date_to is not None:
        bounds["lte"] = request.date_to.isoformat()
    if bounds:
        clauses[DATE_RANGE_FILTER] = {"range": {"started": {**bounds, "format": "strict_date"}}}
    return clauses


def text_query(request: SearchRequest, bridge: Sequence[str] = ()) -> dict[str, Any]:
    """The words' query, as the embedded engine matches and ranks them (embedded/query.py and
    `_lexical_ranking`): documents with all the query's words first, then documents with most
    of them (minimum_should_match MOST_WORDS) or, with `bridge`, with all of those glossary
    terms (glossary_tier).

    Both tiers are `cross_fields` multi_matches: term-centric, so a word may match in any field
    (title, summary, body, attachments), as the embedded engine's one query over all fields.
    Elasticsearch groups the fields by analyzer, builds one blended query per group, applies
    operator and minimum_should_match to that group's analysed terms, and takes the best group
    (a dis_max, multi-match-query.md "cross_fields and analysis"). Terms are counted after
    analysis, so stop words the analyzer drops are not counted.
    """
    text = " ".join(request.query.split())
    if not text:
        return {"match_all": {}}
    own = SUBFIELD_FOR_LANGUAGE.get(request.language)
    fields = _weighted_fields(own, _queried_subfields(own))
    all_words = {
        "multi_match": {"query": text, "type": "cross_fields", "fields": fields, "operator": "and"}
    }
    most_words = {
        "multi_match": {
            "query": text,
            "type": "cross_fields",
            "fields": _weighted_fields(own, _stop_word_subfields(own), plain=False),
            "minimum_should_match": MOST_WORDS,
        }
    }
    tiers: list[dict[str, Any]] = [
        # A constant tier, not a boost: BM25 scores have no bound a boost could clear, and all
        # the words must rank first.
        {"constant_score": {"filter": all_words, "boost": ALL_WORDS_SCORE}},
        most_words,
    ]
    if bridge:
        tiers.append(glossary_tier(bridge, fields))
    return {
        "bool": {
            "must": [
                {
                    "bool": {
                        "should": tiers,
                        "minimum_should_match": 1,
                    }
                }
            ],
            "should": [
                # best_fields: the best-matching field adds its score (within a tier).
                {
                    "multi_match": {
                        "query": text,
                        "type": "best_fields",
                        "fields": fields,
                        "tie_breaker": 0.3,
                    }
                },
                # The visitor's own translation ranks first within its group.
                {"term": {"locale": {"value": request.language, "boost": 0.5}}},
            ],
        }
    }


def glossary_tier(terms: Sequence[str], fields: list[str]) -> dict[str, Any]:
    """Documents with every one of these glossary terms (search.synonyms.glossary_terms), for a
    visitor in another language than the site's own whose other words may have no translation
    in the content (the embedded engine's `_bridges` and query.relaxed_text_query).

    Each term is a `phrase` multi_match over the all-words fields (multi-match-query.md, "phrase
    and phrase_prefix": a match_phrase per field, the best field's score), as a glossary unit
    is a phrase in any field there. It is sent as the glossary writes it, so the synonym_graph
    filter of the search analyzers that have one (the plain fields' standard_search,
    english_search, korean_search) recognises its rule, parsed by the same filters before it
    (analysis-synonym-graph-tokenfilter.md, "Token filters ordering"), and matches every term
    of its group, multi-word ones included; the visitor's own analysis stems it for documents
    in their language.
    """
    return {
        "bool": {
            "must": [
                {"multi_match": {"query": term, "type": "phrase", "fields": fields}}
                for term in terms
            ]
        }
    }


def _queried_subfields(own: str | None) -> list[str]:
    """The visitor's language analysis first, then the always-queried ones."""
    subfields = [own] if own else []
    return subfields + [sub for sub in ALWAYS_QUERIED_SUBFIELDS if sub != own]


def _stop_word_subfields(own: str | None) -> list[str]:
    """The analyses whose search analyzer leaves stop words out, so most-of-the-words counts
    only words that carry meaning, as the embedded engine leaves English and the visitor's
    language's stop words out: English always (english_search ends with english_stop), the
    visitor's own (french, spanish, arabic and cjk have stop filters; nori's part-of-speech
    filter drops Korean particles and endings), and cjk (character pairs, English stop words).
    Not the plain fields (standard_search keeps every word) nor, for other visitors, Korean
    (nori keeps English stop words as words)."""
    subfields = [own] if own else []
    return subfields + [sub for sub in STOP_WORD_SUBFIELDS if sub != own]


def _weighted_fields(own: str | None, subfields: list[str], plain: bool = True) -> list[str]:
    """The shared field boosts (common.FIELD_BOOSTS) on each sub-field, doubled in the
    visitor's language; then the plain fields (the standard fallback) unless `plain` is off."""
    fields = [
        f"{name}.{sub}^{boost * 2 if sub == own else boost:g}"
        for sub in subfields
        for name, boost in FIELD_BOOSTS.items()
    ]
    if plain:
        fields += [f"{name}^{boost:g}" for name, boost in FIELD_BOOSTS.items()]
    return fields


def spelling_suggester(text: str) -> dict[str, Any]:
    """A phrase suggester over the shingled `spelling` field: "did you mean".

    Shapes from the Elasticsearch reference, "Suggester examples" > "Phrase suggester"
    (docs/reference/elasticsearch/rest-apis/search-suggesters.md): a shingled field for
    both the language model and the direct generator, and a collate query that drops
    corrections matching no document (prune is false by default). Asked only when nothing
    matched (spelling_body).
    """
    return {
        "text": text,
        SPELLING_SUGGESTER: {
            "phrase": {
                "field": "spelling",
                "size": 1,
                "gram_size": 3,
                "max_errors": 2,  # the reference advises 1 or 2: more costs more than the query
                "direct_generator": [{"field": "spelling", "suggest_mode": "always"}],
                "collate": {
                    "query": {
                        "source": {
                            "multi_match": {
                                "query": "{{suggestion}}",
                                "type": "cross_fields",
                                "fields": ["title", "summary", "body"],
                                "operator": "and",
                            }
                        }
                    }
                },
            }
        },
    }


def spelling_body(text: str) -> dict[str, Any]:
    """The "did you mean" of a search that found nothing: the phrase suggester alone, no hits
    (a body of a suggest section only, as the phrase suggester examples in search-suggesters.md)."""
    return {"size": 0, "track_total_hits": False, "suggest": spelling_suggester(text)}


def sort_clauses(request: SearchRequest) -> list[Any]:
    """Date order alone (a total order, as the embedded engine's), or relevance with date
    order breaking ties."""
    if request.sort == "date":
        return [NEWEST_FIRST]
    return ["_score", NEWEST_FIRST]


def facet_aggregations(filters: dict[str, dict[str, Any]], collapse: bool) -> dict[str, Any]:
    aggregations: dict[str, Any] = {}
    for facet in FACET_FIELDS:
        others = [clause for name, clause in filters.items() if name != facet]
        terms: dict[str, Any] = {
            "terms": {
                "field": FACET_INDEX_FIELDS[facet],
                "size": FACET_BUCKETS,
                "order": FACET_ORDER,
            }
        }
        if collapse:
            # Count translation groups, not translations, so facets agree with the total.
            terms["aggs"] = {"groups": {"cardinality": {"field": "translation_key"}}}
        aggregations[facet] = {
            "filter": {"bool": {"filter": others}},
            "aggs": {"values": terms},
        }
    return aggregations


def translations_body(request: SearchRequest, groups: list[str]) -> dict[str, Any]:
    """The lookup of these groups' translations in the visitor's language.

    No text query and no highlight: the group already matched, and the snippet is the
    translation's summary.
    """
    return {
        "size": len(groups),
        "track_total_hits": False,
        "_source": HIT_SOURCE,
        "query": {
            "bool": {
                "filter": [
                    {"terms": {"translation_key": groups}},
                    {"term": {"locale": request.language}},
                    *filter_clauses(request).values(),
                ]
            }
        },
    }


def suggest_body(text: str, language: str, limit: int) -> dict[str, Any]:
    return {
        "size": limit * 3,  # translations and duplicates are dropped afterwards
        "_source": ["title", "locale"],
        "query": {
            "bool": {
                "must": [{"match": {"title.autocomplete": {"query": text, "operator": "and"}}}],
                "should": [
                    {"term": {"locale": {"value": language, "boost": 2}}},
                    {"match_phrase_prefix": {"title": {"query": text}}},
                ],
            }
        },
    }


def own_document_body(document_id: str, vector_fields: Sequence[str] = ()) -> dict[str, Any]:
    """The look-up of one document's group and locale, and of its passage vectors in these
    fields (vectors.py, first_passage_vector), before finding what is like it."""
    body: dict[str, Any] = {
        "size": 1,
        "_source": ["translation_key", "locale"],
        "query": {"ids": {"values": [document_id]}},
    }
    if vector_fields:
        body["fields"] = list(vector_fields)
    return body


def more_like_this_body(own_hit: dict[str, Any], limit: int) -> dict[str, Any]:
    source = own_hit.get("_source", {})
    # English and Korean, and the page's own language where it has another sub-field.
    own = SUBFIELD_FOR_LANGUAGE.get(source.get("locale", "en"))
    subfields = ["en", "ko"] + ([own] if own not in ("en", "ko", None) else [])
    return {
        "size": limit,
        "_source": HIT_SOURCE,
        "query": {
            "bool": {
                "must": [
                    {
                        "more_like_this": {
                            "fields": [
                                f"{name}{suffix}"
                                for suffix in ("", *(f".{sub}" for sub in subfields))
                                for name in ("title", "summary", "body")
                            ],
                            "like": [{"_index": own_hit["_index"], "_id": own_hit["_id"]}],
                            "min_term_freq": 1,
                            "min_doc_freq": 1,
                            "max_query_terms": 25,
                        }
                    }
                ],
                # Never the page itself nor its translations.
                "must_not": [{"term": {"translation_key": source.get("translation_key", "")}}],
                "should": [
                    {"term": {"locale": {"value": source.get("locale", "en"), "boost": 0.5}}}
                ],
            }
        },
        "collapse": {"field": "translation_key"},
    }


def versions_page_body(
    pit_id: str, search_after: list[Any] | None, fields: Sequence[str] = ("fingerprint",)
) -> dict[str, Any]:
    """One page of every document's stored `fields` (_source patterns) under a PIT."""
    body: dict[str, Any] = {
        "pit": {"id": pit_id, "keep_alive": PIT_KEEP_ALIVE},
        "size": VERSIONS_PAGE_SIZE,
        "sort": [{"_shard_doc": "asc"}],  # the cheapest total order within a PIT
        "_source": list(fields),
        "track_total_hits": False,
    }
    if search_after is not None:
        body["search_after"] = search_after
    return body
