"""Search by meaning as the embedded engine ranks it: scores centred on each language's mean, a
floor relative to the query, and the nearest documents of each language.

The embedded engine (search/engines/embedded/vectors.py, VectorSnapshot.search) scores a
document by its best passage's similarity to the query less the mean of that similarity over
the documents of its language, shrunk towards the mean over all documents (CENTRING_PRIOR):
multilingual models score documents in the query's own language higher whatever they say
(docs/search-quality.md). Per model, Elasticsearch is asked, in the _msearch of the rankings
(hybrid.py):

- the statistics: every document's best passage similarity, summed per language. A `nested`
  query with `score_mode: max` over a `script_score` that computes the dot product of the query
  vector with each passage vector scores every document by its best passage
  (query-dsl-nested-query.md; query-dsl-script-score-query.md, "Functions for vector fields":
  `dotProduct`, offset by 1 as its scores "cannot be negative"); a `terms` aggregation on the
  locale with an `extended_stats` of `_score` in each bucket ("scripts used ... in
  aggregations have access to the _score variable", docs-content modules-scripting-fields.md;
  search-aggregations-metrics-extendedstats-aggregation.md: count, sum, sum_of_squares) gives
  each language's count, sum and sum of squares, size 0. Over every document the index holds
  (only live, public ones: search/documents.py), never the facet filters: the embedded mean is
  over all live documents of the language. Like the embedded engine's exact search it reads
  every passage of every document: script_score "linearly scans" what it matches
  (query-dsl-script-score-query.md), and a cluster with search.allow_expensive_queries false
  refuses it ("[script score] queries cannot be executed when 'search.allow_expensive_queries'
  is set to false"). The engine then ranks uncentred for the rest of the process (engine.py):
  the same kNN searches without the statistics (MeaningSearch.centred false), each hit scored
  by its raw similarity, the absolute floor only, as ELASTICSEARCH_FUSION=rrf ranks by
  meaning, though without its licence.
- the nearest: one kNN search per language (each site language, and one for any other), with
  the request's facet filters and the language as a pre-filter (knn.md, "Filtered kNN
  search"), so a language whose raw similarities are low is not crowded out of the top k.
  Within a language raw order is centred order, so each language's top k holds every document
  of it that the centred top k can hold.

Python then centres each hit's similarity on its language's shrunk mean, keeps those at least
SEMANTIC_MIN_Z standard deviations above the mean centred score of all documents (the embedded
engine's query-relative floor, computed exactly from each language's sums: floor), keeps a
translation group once at its best, and cuts the ranking to the fusion's depth
(MeaningSearch.ranking). The absolute floor, QueryVector.min_similarity, is the kNN's
`similarity`.
The kNN scores of int8_hnsw vectors are computed on the quantised vectors, the statistics on
the originals; the difference is far below the spread of a query's similarities.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from search.engines.base import QueryVector, SearchRequest
from search.engines.elasticsearch.bodies import MAX_RESULT_WINDOW, filter_clauses
from search.engines.elasticsearch.vectors import VectorModel, rounded
from search.engines.embedded.vectors import CENTRING_PRIOR
from search.engines.fusion import FUSION_DEPTH

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
# What a ranking read for the Python fusion needs of each hit, besides its _id.
RANKING_FIELDS = ["translation_key", "locale"]
# script_score's scores cannot be negative; the dot product of unit vectors is at least -1.
SCORE_OFFSET = 1.0
# Languages the statistics tell apart: far more than any site has.
MAX_LANGUAGES = 100
# The statistics search's aggregation names.
LANGUAGES_AGGREGATION = "languages"
SIMILARITY_AGGREGATION = "similarity"


def fusion_depth(request: SearchRequest) -> int:
    """How deep each ranking is read: the k nearest documents, and the words' ranking.

    At least FUSION_DEPTH, and deeper for a page further down, as the embedded engine reads;
    when translations collapse into groups, twice the page end and ten more, as the embedded
    engine reads its collapsed ranking.
    """
    end = request.page * request.page_size
    depth = max(FUSION_DEPTH, end * 2 + 10 if request.collapse_translations else end)
    return min(depth, MAX_RESULT_WINDOW)


def knn_search(request: SearchRequest, meaning: Meaning) -> dict[str, Any]:
    """The kNN search on passage vectors (a top-level `knn` section).

    Over a nested vector field it returns documents, each scored by its nearest passage
    (knn.md, "Nested kNN search"). `filter` holds the facet filters and is a pre-filter, "applied
    during the approximate kNN search to ensure that k matching documents are returned"
    (knn.md, "Filtered kNN search"). `similarity` is the minimum "raw similarity ... Not the
    document score" (query-dsl-knn-query.md): for `dot_product` of unit vectors that is the
    cosine itself, the scale of Embedder.min_similarity (the _score is (1 + cosine) / 2, so
    the cosine is the documented "(2 * _score) - 1", knn.md; raw_similarity below).
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


def raw_similarity(score: float) -> float:
    """The cosine of a kNN hit on `dot_product` of unit vectors from its _score (knn.md,
    dense-vector.md: _score = (1 + dot_product) / 2)."""
    return 2.0 * score - 1.0


def statistics_body(meaning: Meaning) -> dict[str, Any]:
    """Each language's count, sum and sum of squares of its documents' best passage
    similarities to the query (the module's docstring)."""
    query_vector, model = meaning
    dot_product = f"dotProduct(params.query_vector, '{model.vector_field}')"
    return {
        "size": 0,
        "track_total_hits": False,
        "query": {
            "nested": {
                "path": model.passages_field,
                "score_mode": "max",
                "query": {
                    "script_score": {
                        "query": {"match_all": {}},
                        "script": {
                            # Never below 0 (a rounding of -1 could be), as Lucene requires.
                            "source": f"Math.max(0.0, {dot_product} + params.offset)",
                            "params": {
                                "query_vector": rounded(query_vector.vector),
                                "offset": SCORE_OFFSET,
                            },
                        },
                    }
                },
            }
        },
        "aggs": {
            LANGUAGES_AGGREGATION: {
                "terms": {"field": "locale", "size": MAX_LANGUAGES},
                "aggs": {
                    SIMILARITY_AGGREGATION: {"extended_stats": {"script": {"source": "_score"}}}
                },
            }
        },
    }


@dataclass(frozen=True)
class LanguageStatistics:
    """Per language: how many documents have vectors of the model, and the sum and the sum of
    squares of their best passage similarities to the query."""

    counts: dict[str, int] = field(default_factory=dict)
    sums: dict[str, float] = field(default_factory=dict)
    squares: dict[str, float] = field(default_factory=dict)

    @classmethod
    def from_response(cls, response: dict[str, Any]) -> LanguageStatistics:
        """From statistics_body's response, the offset taken off: with s = similarity + c,
        sum(similarity) = sum(s) - n c and sum(similarity²) = sum(s²) - 2 c sum(s) + n c²."""
        counts, sums, squares = {}, {}, {}
        buckets = response.get("aggregations", {}).get(LANGUAGES_AGGREGATION, {}).get("buckets", [])
        offset = SCORE_OFFSET
        for bucket in buckets:
            stats = bucket.get(SIMILARITY_AGGREGATION) or {}
            count = int(stats.get("count") or 0)
            if not count:
                continue
            total = float(stats.get("sum") or 0.0)
            square = float(stats.get("sum_of_squares") or 0.0)
            language = str(bucket["key"])
            counts[language] = count
            sums[language] = total - count * offset
            squares[language] = square - 2 * offset * total + count * offset * offset
        return cls(counts, sums, squares)

    @property
    def documents(self) -> int:
        return sum(self.counts.values())

    def overall_mean(self) -> float:
        documents = self.documents
        return sum(self.sums.values()) / documents if documents else 0.0

    def mean(self, language: str) -> float:
        """The language's mean, shrunk towards the overall mean as the embedded engine's is:
        (sum + CENTRING_PRIOR x overall mean) / (count + CENTRING_PRIOR); the overall mean for
        a language the statistics did not see."""
        overall = self.overall_mean()
        count = self.counts.get(language, 0)
        return (self.sums.get(language, 0.0) + CENTRING_PRIOR * overall) / (count + CENTRING_PRIOR)

    def floor(self, min_z: float | None) -> float:
        """The centred score a document needs to match by meaning: the mean centred score of
        all documents plus `min_z` (population) standard deviations of it, as the embedded
        engine's; none (-inf) without `min_z` or with fewer than two documents.

        Exact from each language's sums: a document of language L centred is s - m_L, so over L
        the centred scores sum to sum_L - n_L m_L, and their squares to
        sumsq_L - 2 m_L sum_L + n_L m_L².
        """
        documents = self.documents
        if min_z is None or documents < 2:
            return -math.inf
        total = squares = 0.0
        for language, count in self.counts.items():
            mean, summed = self.mean(language), self.sums[language]
            total += summed - count * mean
            squares += self.squares[language] - 2 * mean * summed + count * mean * mean
        centred_mean = total / documents
        variance = max(squares / documents - centred_mean * centred_mean, 0.0)
        return centred_mean + min_z * math.sqrt(variance)


@dataclass(frozen=True)
class Nearest:
    """A document near the query, the best of its translation group, by centred score."""

    document_id: str
    group: str
    score: float


def _first(values: Any) -> str:
    return str(values[0]) if isinstance(values, list) and values else ""


@dataclass(frozen=True)
class MeaningSearch:
    """One model's searches for a request: the statistics, then a kNN search per language
    (`languages`; None stands for every language outside `configured`). Not `centred`: the
    kNN searches only, their raw similarities ranked as they are, with no relative floor."""

    meaning: Meaning
    languages: tuple[str | None, ...]
    configured: tuple[str, ...]
    centred: bool = True

    @classmethod
    def of(
        cls,
        request: SearchRequest,
        meaning: Meaning,
        configured: Sequence[str],
        centred: bool = True,
    ):
        """The languages searched: those the request's locale filter allows, else each
        configured language and one search for any other (a document in a language the site
        no longer lists is still found)."""
        allowed = request.filters.get("locale")
        languages: tuple[str | None, ...] = (
            tuple(dict.fromkeys(allowed)) if allowed else (*dict.fromkeys(configured), None)
        )
        return cls(meaning, languages, tuple(configured), centred)

    def bodies(self, request: SearchRequest) -> list[dict[str, Any]]:
        """The statistics search (when centred), then the kNN search of each language, each
        read for ids, groups and locales only."""
        nearest = []
        for language in self.languages:
            knn = knn_search(request, self.meaning)
            if language is None:
                only = {"bool": {"must_not": [{"terms": {"locale": list(self.configured)}}]}}
            else:
                only = {"term": {"locale": language}}
            knn["filter"] = [*knn.get("filter", []), only]
            nearest.append(
                {
                    "knn": knn,
                    "size": knn["k"],
                    "track_total_hits": False,
                    "_source": False,
                    "fields": list(RANKING_FIELDS),
                }
            )
        return [statistics_body(self.meaning), *nearest] if self.centred else nearest

    def ranking(
        self, responses: Sequence[dict[str, Any]], depth: int, min_z: float | None = None
    ) -> list[Nearest]:
        """The model's ranking from the responses to bodies(): every language's hits, each
        scored by its similarity less its language's mean, those at least the floor for
        `min_z`, one per translation group (its best), the best `depth` groups. Not centred:
        no statistics, so every mean is 0 and there is no floor (LanguageStatistics())."""
        if self.centred:
            statistics = LanguageStatistics.from_response(responses[0])
            responses = responses[1:]
        else:
            statistics = LanguageStatistics()
        floor = statistics.floor(min_z)
        best: dict[str, Nearest] = {}
        for language, response in zip(self.languages, responses, strict=True):
            for hit in response.get("hits", {}).get("hits", []):
                fields = hit.get("fields") or {}
                locale = _first(fields.get("locale")) or language or ""
                score = raw_similarity(float(hit["_score"])) - statistics.mean(locale)
                if score < floor:
                    continue
                group = _first(fields.get("translation_key")) or hit["_id"]
                found = Nearest(hit["_id"], group, score)
                kept = best.get(group)
                if kept is None or (-found.score, found.document_id) < (
                    -kept.score,
                    kept.document_id,
                ):
                    best[group] = found
        ranked = sorted(best.values(), key=lambda nearest: (-nearest.score, nearest.document_id))
        return ranked[:depth]

    @property
    def searches(self) -> int:
        return int(self.centred) + len(self.languages)


def semantic_ids(rankings: Sequence[Sequence[Nearest]]) -> list[str]:
    """The documents that match by meaning: each model's ranking's, once."""
    return list(dict.fromkeys(n.document_id for ranking in rankings for n in ranking))
