"""Search by words and meaning: the request bodies, and the response they make together.

The semantics are the embedded engine's (search/engines/embedded/engine.py, `_search_page`):
for each query vector whose model the index holds, the semantic matches are the documents whose
best passage is nearest it, at least its `min_similarity`, within the request's facet filters;
the matched set (total, facets, date order) is the union of the words' matches and those; in
relevance order each model's ranking and the words' are fused by reciprocal rank
(search.engines.fusion).

Relevance order takes two searches, sent together in one _msearch:
- the page: an `rrf` retriever over a `standard` retriever (the words' query) and a `knn`
  retriever per model on its passages' vectors, all within the facet filters;
- the counts: the words' query and a top-level `knn` per model (their union: "The multiple
  knn entries and the query matches are combined through a disjunction", knn.md, "Search
  multiple kNN fields"), with today's post_filter, facet aggregations and spelling suggester,
  and no hits.
Why two: the facets show, for each facet, the counts under every filter but its own (bodies.py).
Within an rrf retriever that cannot be had: its aggregations "operate on the complete result set
from all sub-retrievers" (reciprocal-rank-fusion.md, "Aggregations in RRF"), so the filters must
sit in the sub-retrievers for the fused window to hold only filtered documents, and the
aggregations then see only fully filtered documents. A top-level post_filter instead would fuse
(and cut to rank_window_size) documents outside the filters, and the kNN's top k would be
filtered after the fact. The counts search keeps today's facets exactly for the words, and adds
the kNN's top k within all filters (a documented disjunction: "The knn and query matches are
combined through a disjunction ... aggregations are calculated on the combined set", knn.md,
"Combine approximate kNN with other features").

Date order is one search: that same union, sorted by date_order, with today's collapse and
highlight (top-level knn accepts both; collapse only sees the kNN's final top k, as
elastic/elasticsearch#153289 describes).

Without an Enterprise (or trial) licence the `rrf` retriever is refused (RRFRetrieverBuilder
checks the licence when it parses the request: a 403 security_exception, "current license is
non-compliant for [Reciprocal Rank Fusion (RRF)]"); the engine then fuses in Python, as the
embedded engine does (search.engines.fusion.fuse): one _msearch of each ranking, read only for
ids and groups (ranking_bodies), and the counts search; then one search of the fused page's
documents, with highlights (fused_page_body). kNN searches and top-level `knn` with `query` are
free on a Basic licence.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from search.engines.base import QueryVector, SearchRequest
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
from search.engines.elasticsearch.vectors import VectorModel, rounded
from search.engines.fusion import FUSION_DEPTH, LEXICAL_WEIGHT, RRF_K, SEMANTIC_WEIGHT, fuse

# A query vector and the model (with its fields) of the index it is compared with.
Meaning = tuple[QueryVector, VectorModel]

# kNN search: "num_candidates ... cannot exceed 10,000" and k may not exceed num_candidates
# (knn-retriever.md, query-dsl-knn-query.md).
MAX_NUM_CANDIDATES = 10_000
# Candidates per shard for each of the k nearest: more finds the true nearest more often, at a
# cost (knn.md, "Tune approximate kNN for speed or accuracy"; the default is 1.5).
NUM_CANDIDATES_PER_K = 2
# A similarity at or below this is no threshold at all (dot products of unit vectors >= -1).
NO_THRESHOLD = -1.0
# (lexical weight, semantic weight, k) of the rank fusion, as EmbeddedEngine.fusion.
Fusion = tuple[float, float, int]
DEFAULT_FUSION: Fusion = (LEXICAL_WEIGHT, SEMANTIC_WEIGHT, RRF_K)
# What a ranking read for the Python fusion needs of each hit, besides its _id.
RANKING_FIELDS = ["translation_key", "locale"]


def fusion_depth(request: SearchRequest) -> int:
    """How deep each ranking is read: the k nearest documents, and the rrf rank_window_size.

    At least FUSION_DEPTH, and deeper for a page further down, as the embedded engine reads.
    The fused ranking is cut to rank_window_size documents before collapsing, and "from + size
    > rank_window_size" returns nothing (reciprocal-rank-fusion.md, "Pagination in RRF"); when
    translations collapse into groups the window holds twice the page end and ten more, as
    the embedded engine reads its collapsed ranking.
    """
    end = request.page * request.page_size
    depth = max(FUSION_DEPTH, end * 2 + 10 if request.collapse_translations else end)
    return min(depth, MAX_RESULT_WINDOW)


def knn_search(request: SearchRequest, meaning: Meaning) -> dict[str, Any]:
    """The kNN search on passage vectors: a top-level `knn` section or a `knn` retriever (the
    retriever takes the same parameters, knn-retriever.md).

    Over a nested vector field it returns documents, each scored by its nearest passage
    (knn.md, "Nested kNN search"). `filter` holds the facet filters and is a pre-filter, "applied
    during the approximate kNN search to ensure that k matching documents are returned"
    (knn.md, "Filtered kNN search"). `similarity` is the minimum "raw similarity ... Not the
    document score" (knn-retriever.md): for `dot_product` of unit vectors that is the cosine
    itself, the scale of Embedder.min_similarity (the _score would be (1 + cosine) / 2, and
    only filtering on _score would need the documented "(2 * _score) - 1").
    """
    query_vector, model = meaning
    k = fusion_depth(request)
    knn: dict[str, Any] = {
        "field": model.vector_field,
        "query_vector": rounded(query_vector.vector),
        "k": k,
        "num_candidates": min(MAX_NUM_CANDIDATES, k * NUM_CANDIDATES_PER_K),
    }
    filters = list(filter_clauses(request).values())
    if filters:
        knn["filter"] = filters
    if query_vector.min_similarity > NO_THRESHOLD:
        knn["similarity"] = float(query_vector.min_similarity)
    return knn


def union_body(
    request: SearchRequest, meanings: list[Meaning], bridge: Sequence[str] = ()
) -> dict[str, Any]:
    """Today's body (bodies.search_body) with each model's top k added to what matches.

    For sort=date this is the whole search. Top-level `knn` (one entry per model) with
    `query`: a disjunction, and aggregations run on the combined set (knn.md); post_filter,
    collapse and highlight stay as today, and date_order sorts the union.
    """
    return {**search_body(request, bridge), "knn": [knn_search(request, m) for m in meanings]}


def counts_body(
    request: SearchRequest, meanings: list[Meaning], bridge: Sequence[str] = ()
) -> dict[str, Any]:
    """The union's total, facets and spelling suggestion, without hits."""
    body = union_body(request, meanings, bridge)
    for key in ("from", "sort", "highlight", "collapse", "_source"):
        body.pop(key, None)
    body["size"] = 0
    return body


def page_body(
    request: SearchRequest,
    meanings: list[Meaning],
    fusion: Fusion = DEFAULT_FUSION,
    bridge: Sequence[str] = (),
) -> dict[str, Any] | None:
    """The requested page in relevance order: RRF of the words' ranking and each model's.

    reciprocal-rank-fusion.md and rrf-retriever.md: `rank_constant` is the k of the RRF formula
    (fusion.RRF_K); `rank_window_size` is how many documents each retriever contributes and
    must be at least `size`; `from + size` beyond it returns nothing; sort, rescore and scroll
    are not supported, nor, at the top level with a retriever, query, knn, sort,
    search_after, terminate_after, min_score or rescore (SearchSourceBuilder.validate).
    Highlighting and collapse are supported; highlights come from the sub-retrievers' text
    queries (a semantic-only hit has none: its snippet is its summary). Each document has one
    rank per retriever, so with collapsing the words' retriever collapses on the translation
    group too: its ranking then counts each group once, as the embedded engine's fusion does.
    The fusion's weights go with each retriever only when one is not 1 (rrf-retriever.md:
    the wrapped format `{"retriever": ..., "weight": w}` is 9.2+; the direct format, weight
    1, works on every 9.x).

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
    wrapped one (9.2+)."""
    if weight == 1:
        return retriever
    return {"retriever": retriever, "weight": float(weight)}


def ranking_bodies(
    request: SearchRequest, meanings: list[Meaning], bridge: Sequence[str] = ()
) -> list[dict[str, Any]]:
    """The rankings the Python fusion reads: the words' (within the filters, by score, ties
    newest first, as a words-only search orders) and each model's kNN (the same pre-filter
    and threshold as the rrf retriever's), each fusion_depth deep.

    Ids and groups only: no _source, the keyword fields through the fields option. With
    collapsing each ranking holds a translation group once, at its best document, as the
    embedded engine's rankings do.
    """
    depth = fusion_depth(request)
    shared: dict[str, Any] = {
        "size": depth,
        "track_total_hits": False,
        "_source": False,
        "fields": list(RANKING_FIELDS),
    }
    if request.collapse_translations:
        shared["collapse"] = {"field": "translation_key"}
    words = {"bool": {"must": [text_query(request, bridge)]}}
    filters = list(filter_clauses(request).values())
    if filters:
        words["bool"]["filter"] = filters
    return [
        {"query": words, "sort": sort_clauses(request), **shared},
        *({"knn": knn_search(request, meaning), **shared} for meaning in meanings),
    ]


def fused_ids(
    rankings: Sequence[dict[str, Any]],
    request: SearchRequest,
    meanings: Sequence[Meaning],
    fusion: Fusion = DEFAULT_FUSION,
) -> list[str]:
    """The documents of ranking_bodies' responses (the words' first, then one per meaning) in
    fused order; each model's ranking weighs semantic weight x its QueryVector.weight.

    Each ranking counts a translation group once, at its best rank (fusion.fuse), when
    translations collapse; the group is then shown by the words' document where the words
    found one, else the first ranking's by meaning (the visitor's translation replaces it
    afterwards, SearchEngine.search), as EmbeddedEngine._fused_ranking does.
    """
    lexical_weight, semantic_weight, k = fusion
    document_of: dict[str, str] = {}
    keyed: list[tuple[float, list[str]]] = []
    for position, response in enumerate(rankings):
        keys = []
        for hit in response.get("hits", {}).get("hits", []):
            group = ((hit.get("fields") or {}).get("translation_key") or [""])[0]
            key = group if request.collapse_translations and group else hit["_id"]
            document_of.setdefault(key, hit["_id"])
            keys.append(key)
        weight = (
            lexical_weight if position == 0 else semantic_weight * meanings[position - 1][0].weight
        )
        keyed.append((weight, keys))
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
