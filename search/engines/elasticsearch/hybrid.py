"""Search by words and meaning: the request bodies, and the response they make together.

The semantics are the embedded engine's (search/engines/embedded/engine.py, `_search_page`):
for each query vector whose model the index holds, the semantic matches are the documents
nearest it by their best passage, scored by that similarity less their language's mean
(meaning.py), at least its `min_similarity` and SEMANTIC_MIN_Z standard deviations above the
mean score of all documents, within the request's facet filters; the matched set (total,
facets, date order) is the union of the words' matches and those; in relevance order each
model's ranking and the words' are fused by reciprocal rank (search.engines.fusion).

Relevance order, by default (ELASTICSEARCH_FUSION=centred), takes two round trips:
1. one _msearch of the rankings: the words' (within the filters, ids and groups only), and per
   model the statistics of its similarities by language and a kNN search per language
   (meaning.MeaningSearch); Python centres, ranks and fuses them (fused_ids);
2. one _msearch of the fused page's documents, with highlights (fused_page_body), and of the
   counts: the words' query or the semantic matches' ids, with today's post_filter and facet
   aggregations, and no hits (counts_body). The counts wait for the
   first round trip, as only the centred ranking says which documents match by meaning.

This fusion is Python's, not Elasticsearch's `rrf` retriever: that fuses each retriever's
ranks as the cluster orders them (reciprocal-rank-fusion.md), and a `knn` retriever ranks by
raw similarity, which cannot be centred on each language's mean; nor could its top k hold
each language's nearest. Python fusion also needs no licence (`rrf` needs Enterprise), and
gives the same order as the embedded engine (search.engines.fusion.fuse).

ELASTICSEARCH_FUSION=rrf fuses in the cluster instead, in one round trip: one _msearch of the
page, an `rrf` retriever over a `standard` retriever (the words' query) and a `knn` retriever
per model (rrf_page_body), and of the counts, the words' query and a top-level `knn` per model
(union_counts_body). Its meaning is the raw similarity, uncentred, and only the absolute floor
(each QueryVector.min_similarity, the kNN's `similarity`) holds, not SEMANTIC_MIN_Z's relative
one: a language whose similarities all run high (multilingual models favour the query's own
language) crowds the others out of the top k. It is still offered for clusters where one
round trip with the fusion inside the cluster is worth more than the centring: where the
statistics search is too slow (its script_score reads every passage of every document), or
where search.allow_expensive_queries is false (the default fusion then goes uncentred by
itself, meaning.py, but still in two round trips). It needs an Enterprise or trial licence;
without one the engine fuses as by default (engine.py).

Date order is one search: the words' query and a top-level `knn` per model (their union: "The
knn and query matches are combined through a disjunction ... aggregations are calculated on the
combined set", knn.md, "Combine approximate kNN with other features"), sorted by date_order,
with today's collapse and highlight (top-level knn accepts both; collapse only sees the kNN's
final top k, as elastic/elasticsearch#153289 describes). Its kNN ranks by raw similarity above
each model's absolute floor: an order by date needs the set, not the ranking.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from search.engines.base import SearchRequest
from search.engines.elasticsearch.bodies import (
    HIGHLIGHT,
    HIT_SOURCE,
    MAX_RESULT_WINDOW,
    collapse_translations,
    filter_clauses,
    search_body,
    sort_clauses,
    text_query,
)
from search.engines.elasticsearch.meaning import (
    MAX_NUM_CANDIDATES,
    NUM_CANDIDATES_PER_K,
    RANKING_FIELDS,
    Meaning,
    MeaningSearch,
    Nearest,
    fusion_depth,
    knn_search,
)
from search.engines.elasticsearch.vectors import VectorModel
from search.engines.fusion import LEXICAL_WEIGHT, RRF_K, SEMANTIC_MIN_Z, SEMANTIC_WEIGHT, fuse

# (lexical weight, semantic weight, k) of the rank fusion, as EmbeddedEngine.fusion.
Fusion = tuple[float, float, int]
DEFAULT_FUSION: Fusion = (LEXICAL_WEIGHT, SEMANTIC_WEIGHT, RRF_K)


def union_body(
    request: SearchRequest, meanings: list[Meaning], bridge: Sequence[str] = ()
) -> dict[str, Any]:
    """Today's body (bodies.search_body) with each model's top k added to what matches.

    For sort=date this is the whole search. Top-level `knn` (one entry per model) with
    `query`: a disjunction, and aggregations run on the combined set (knn.md); post_filter,
    collapse and highlight stay as today, and date_order sorts the union.
    """
    return {**search_body(request, bridge), "knn": [knn_search(request, m) for m in meanings]}


def _without_hits(body: dict[str, Any]) -> dict[str, Any]:
    """A search body asking for its total, facets and suggestions only."""
    for key in ("from", "sort", "highlight", "collapse", "_source"):
        body.pop(key, None)
    body["size"] = 0
    return body


def counts_body(
    request: SearchRequest, semantic_ids: Sequence[str], bridge: Sequence[str] = ()
) -> dict[str, Any]:
    """The union's total and facets, without hits: today's body, its
    query matching the words or one of the semantic matches' ids (query-dsl-ids-query.md;
    a bool `should` is a disjunction, query-dsl-bool-query.md)."""
    body = _without_hits(search_body(request, bridge))
    if semantic_ids:
        body["query"] = {
            "bool": {
                "should": [body["query"], {"ids": {"values": list(semantic_ids)}}],
                "minimum_should_match": 1,
            }
        }
    return body


def union_counts_body(
    request: SearchRequest, meanings: list[Meaning], bridge: Sequence[str] = ()
) -> dict[str, Any]:
    """The counts of the rrf fusion: the union's total and facets, without hits; the union is
    the words' matches and each model's top k above its absolute floor (union_body: a
    documented disjunction whose aggregations see the combined set).

    Why a search of its own: the facets show, for each facet, the counts under every filter but
    its own (bodies.py). Within an rrf retriever that cannot be had: its aggregations "operate
    on the complete result set from all sub-retrievers" (reciprocal-rank-fusion.md,
    "Aggregations in RRF"), so the filters must sit in the sub-retrievers for the fused window
    to hold only filtered documents, and the aggregations then see only fully filtered
    documents.
    """
    return _without_hits(union_body(request, meanings, bridge))


def rrf_page_body(
    request: SearchRequest,
    meanings: list[Meaning],
    fusion: Fusion = DEFAULT_FUSION,
    bridge: Sequence[str] = (),
) -> dict[str, Any] | None:
    """The requested page in relevance order with ELASTICSEARCH_FUSION=rrf: the cluster's RRF
    of the words' ranking and each model's raw kNN ranking (no centring, no relative floor:
    the module's docstring).

    reciprocal-rank-fusion.md and rrf-retriever.md: `rank_constant` is the k of the RRF formula
    (the fusion's k, fusion.RRF_K); `rank_window_size` is how many documents each retriever
    contributes and must be at least `size`; `from + size` beyond it returns nothing; sort,
    rescore and scroll are not supported, nor, at the top level with a retriever, query, knn,
    sort, search_after, terminate_after, min_score or rescore (SearchSourceBuilder.validate).
    The facet filters sit in each child retriever (the `standard` retriever's `filter`, the kNN
    pre-filter), so the fused window holds only filtered documents (union_counts_body says why
    not a post_filter). Highlighting and collapse are supported; highlights come from the
    sub-retrievers' text queries (a semantic-only hit has none: its snippet is its summary).
    Each document has one rank per retriever, so with collapsing the words' retriever collapses
    on the translation group too: its ranking then counts each group once, as the embedded
    engine's fusion does. The fusion's weights go with each retriever only when one is not 1
    (weighted).

    None when the page lies beyond index.max_result_window (the counts still come back).
    """
    page, size = request.page, request.page_size
    if page * size > MAX_RESULT_WINDOW:
        return None
    filters = list(filter_clauses(request).values())
    standard: dict[str, Any] = {"query": text_query(request, bridge)}
    if filters:
        standard["filter"] = filters
    if request.collapse_translations:
        standard["collapse"] = {"field": "translation_key"}
    lexical_weight, semantic_weight, k = fusion
    body: dict[str, Any] = {
        "retriever": {
            "rrf": {
                "retrievers": [
                    weighted({"standard": standard}, lexical_weight),
                    *(
                        weighted(
                            {"knn": knn_search(request, meaning)},
                            semantic_weight * meaning[0].weight,
                        )
                        for meaning in meanings
                    ),
                ],
                "rank_constant": k,
                "rank_window_size": fusion_depth(request),
            }
        },
        "from": (page - 1) * size,
        "size": size,
        "track_total_hits": False,  # the counts search has the total
        "_source": HIT_SOURCE,
        "highlight": HIGHLIGHT,
    }
    if request.collapse_translations:
        body["collapse"] = collapse_translations()
    return body


def weighted(retriever: dict[str, Any], weight: float) -> dict[str, Any]:
    """An rrf child retriever with its weight: the direct format for 1 (any 9.x), else the
    wrapped one, `{"retriever": ..., "weight": w}` (rrf-retriever.md; 9.2+)."""
    if weight == 1:
        return retriever
    return {"retriever": retriever, "weight": float(weight)}


def ranking_bodies(
    request: SearchRequest, searches: Sequence[MeaningSearch], bridge: Sequence[str] = ()
) -> list[dict[str, Any]]:
    """The searches the fusion reads: the words' ranking (within the filters, by score, ties
    newest first, as a words-only search orders), then each model's (MeaningSearch.bodies),
    each fusion_depth deep.

    Ids and groups only: no _source, the keyword fields through the fields option. With
    collapsing the words' ranking holds a translation group once, at its best document, as
    the embedded engine's does; each model's ranking always does (MeaningSearch.ranking).
    """
    words_body: dict[str, Any] = {
        "query": {"bool": {"must": [text_query(request, bridge)]}},
        "sort": sort_clauses(request),
        "size": fusion_depth(request),
        "track_total_hits": False,
        "_source": False,
        "fields": list(RANKING_FIELDS),
    }
    filters = list(filter_clauses(request).values())
    if filters:
        words_body["query"]["bool"]["filter"] = filters
    if request.collapse_translations:
        words_body["collapse"] = {"field": "translation_key"}
    return [words_body, *(body for search in searches for body in search.bodies(request))]


def semantic_rankings(
    responses: Sequence[dict[str, Any]],
    request: SearchRequest,
    searches: Sequence[MeaningSearch],
    min_z: float | None = SEMANTIC_MIN_Z,
) -> list[list[Nearest]]:
    """Each model's ranking, from the responses to ranking_bodies (the words' first), above the
    query-relative floor of `min_z` (MeaningSearch.ranking)."""
    rankings = []
    position = 1
    for search in searches:
        part = responses[position : position + search.searches]
        rankings.append(search.ranking(part, fusion_depth(request), min_z))
        position += search.searches
    return rankings


def fused_ids(
    words: dict[str, Any],
    rankings: Sequence[Sequence[Nearest]],
    request: SearchRequest,
    meanings: Sequence[Meaning],
    fusion: Fusion = DEFAULT_FUSION,
) -> list[str]:
    """The documents of the words' ranking (its response) and each model's, in fused order;
    each model's ranking weighs semantic weight x its QueryVector.weight.

    Each ranking counts a translation group once, at its best rank (fusion.fuse), when
    translations collapse; the group is then shown by the words' document where the words
    found one, else the first ranking's by meaning (the visitor's translation replaces it
    afterwards, SearchEngine.search), as EmbeddedEngine._fused_ranking does. Uncollapsed,
    each document counts for itself.
    """
    lexical_weight, semantic_weight, k = fusion
    collapse = request.collapse_translations
    document_of: dict[str, str] = {}
    lexical = []
    for hit in words.get("hits", {}).get("hits", []):
        group = ((hit.get("fields") or {}).get("translation_key") or [""])[0]
        key = group if collapse and group else hit["_id"]
        document_of.setdefault(key, hit["_id"])
        lexical.append(key)
    keyed: list[tuple[float, list[str]]] = [(lexical_weight, lexical)]
    for (query_vector, _model), ranking in zip(meanings, rankings, strict=True):
        keys = []
        for nearest in ranking:
            key = nearest.group if collapse else nearest.document_id
            document_of.setdefault(key, nearest.document_id)
            keys.append(key)
        keyed.append((semantic_weight * query_vector.weight, keys))
    return [document_of[key] for key in fuse(keyed, k=k)]


def fused_page_body(
    request: SearchRequest, ids: list[str], bridge: Sequence[str] = ()
) -> dict[str, Any]:
    """The fused page's documents, highlighted by the words' query (optional here: a document
    found by meaning alone matched no words, and its snippet is its summary)."""
    return {
        "query": {
            "bool": {"filter": [{"ids": {"values": ids}}], "should": [text_query(request, bridge)]}
        },
        "size": len(ids),
        "track_total_hits": False,
        "_source": HIT_SOURCE,
        "highlight": HIGHLIGHT,
    }


def more_like_this_knn_body(
    own_hit: dict[str, Any], vector: list[float], model: VectorModel, limit: int
) -> dict[str, Any]:
    """Documents whose passages (of this model) are nearest the page's first passage (its
    title and summary), never the page itself nor its translations (a pre-filter), one per
    translation group."""
    source = own_hit.get("_source", {})
    k = min(limit * 4 + 10, MAX_NUM_CANDIDATES)
    return {
        "size": limit,
        "_source": HIT_SOURCE,
        "knn": {
            "field": model.vector_field,
            "query_vector": vector,
            "k": k,
            "num_candidates": min(MAX_NUM_CANDIDATES, k * NUM_CANDIDATES_PER_K),
            "filter": [
                {
                    "bool": {
                        "must_not": [
                            {"term": {"translation_key": source.get("translation_key", "")}}
                        ]
                    }
                }
            ],
        },
        "collapse": {"field": "translation_key"},
    }
