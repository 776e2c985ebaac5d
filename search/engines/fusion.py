"""Fusing the lexical and the semantic ranking into one, on translation groups.

Reciprocal rank fusion: a group scores sum(weight / (RRF_K + rank)) over the rankings it is
in, rank counted from 1. Ranks, not scores, are fused: BM25 and cosine similarity have no
common scale, and ranks make the fusion indifferent to either's spread. A practice and its
translations are one group, counted once in each ranking at its best rank.

Both engines fuse with fuse() below: the embedded engine, and Elasticsearch by default
(ELASTICSEARCH_FUSION=centred), on its rankings by centred meaning. With ELASTICSEARCH_FUSION=rrf
Elasticsearch fuses by the same formula with its `rrf` retriever (rank_constant = RRF_K,
rank_window_size the fusion's depth, each retriever weighted in the 9.2+ format), on raw kNN
ranks, and falls back to fuse() without the licence that retriever needs.
docs/search-quality.md gives the weights measured on the judged set, and how much they gained.
"""

from __future__ import annotations

from collections.abc import Sequence

# Tuned on held-out folds of the judged set (bench/relevance.py --folds; docs/search-quality.md):
# a small k lets the first places of a ranking count for more, and the words count twice as
# much as one model's ranking (each model's own weight is Embedder.fusion_weight).
RRF_K = 10
LEXICAL_WEIGHT = 2.0
SEMANTIC_WEIGHT = 1.0
# A document matches by meaning when its score (centred on its language's mean) is at least
# this many standard deviations above the mean over all documents, for this query.
SEMANTIC_MIN_Z = 0.5
# How deep each ranking is read for the fusion (a page further down reads deeper).
FUSION_DEPTH = 100


def fuse(rankings: Sequence[tuple[float, Sequence[str]]], k: int = RRF_K) -> list[str]:
    """Groups ordered by their fused score; ties keep the order of the first ranking, then
    the next. `rankings`: (weight, groups best first); a group's first place in a ranking
    is its rank there."""
    scores: dict[str, float] = {}
    first_seen: dict[str, tuple[int, int]] = {}
    for position, (weight, groups) in enumerate(rankings):
        seen: set[str] = set()
        rank = 0
        for group in groups:
            if group in seen:
                continue
            seen.add(group)
            rank += 1
            scores[group] = scores.get(group, 0.0) + weight / (k + rank)
            first_seen.setdefault(group, (position, rank))
    return sorted(scores, key=lambda group: (-scores[group], first_seen[group]))
