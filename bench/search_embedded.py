"""How fast the embedded search engine is: index N generated documents, then time queries.

    .venv/bin/python bench/search_embedded.py [--documents 5000] [--queries 200]

Generates a mixed corpus (about four in five documents English, one in five a Korean
translation of an earlier one), indexes it into a new temporary directory, and runs a fixed
mix of English and Korean queries (with filters, date sort and paging on some). Prints
indexing time and documents/s, and p50/p95/p99 query latency. No database is needed: the
base synonym list is used.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

from search.engines.base import SearchDocument, SearchRequest  # noqa: E402
from search.engines.embedded import EmbeddedEngine  # noqa: E402
from search.synonyms import base_synonym_groups  # noqa: E402

EN_SENTENCES = [
    "Drive-through screening stations tested thousands of residents a day.",
    "Contact tracing teams used card records and phone data to find exposures.",
    "Citizens in self-isolation received food parcels and a daily health check.",
    "Face masks were distributed through pharmacies with a weekly ration.",
    "The metro was disinfected every night and ventilation was increased.",
    "Schools moved to online classes and lent tablets to pupils without one.",
    "Emergency relief payments supported small businesses during closures.",
    "Walk-through booths protected staff while samples were collected.",
    "Hospitals separated respiratory patients from other patients at the entrance.",
    "A public dashboard published confirmed cases and testing figures daily.",
]
KO_SENTENCES = [
    "드라이브스루 선별진료소에서 하루 수천 명을 검사했다.",
    "역학조사팀은 카드 기록과 휴대전화 정보로 접촉자를 찾았다.",
    "자가격리자는 식료품 꾸러미와 매일 건강 확인을 받았다.",
    "마스크는 약국을 통해 주 단위로 배분되었다.",
    "지하철은 매일 밤 방역수칙에 따라 소독되었다.",
    "학교는 원격수업으로 전환하고 태블릿을 빌려주었다.",
    "재난지원금을 받은 소상공인이 영업을 이어갔다.",
    "공중보건 대시보드에 확진자와 검사 수치를 매일 공개했다.",
]
TOPICS = ["testing", "tracing", "quarantine", "masks", "transport", "schools", "economy"]
CITIES = [("Seoul", "KR"), ("Busan", "KR"), ("Tokyo", "JP"), ("Paris", "FR"), ("Milan", "IT")]
EN_QUERIES = [
    "screening",
    "contact tracing",
    "quarantine",
    "mask",
    "subway disinfection",
    "remote learning",
    "relief payments",
    "hospital patients",
    "COVID-19 dashboard",
    "tablets pupils",
]
KO_QUERIES = [
    "방역",
    "격리",
    "지원금",
    "선별진료소",
    "마스크 약국",
    "원격수업",
    "역학조사",
    "지하철",
]


def generate_documents(count: int, rng: random.Random) -> list[SearchDocument]:
    documents = []
    for number in range(count):
        korean = number % 5 == 4  # a translation of the previous document
        group = number - 1 if korean else number
        sentences = KO_SENTENCES if korean else EN_SENTENCES
        city, country = rng.choice(CITIES)
        body = " ".join(rng.choice(sentences) for _ in range(rng.randint(6, 14)))
        documents.append(
            SearchDocument(
                id=f"page-{number}",
                translation_key=f"group-{group}",
                locale="ko" if korean else "en",
                url=f"/{'ko' if korean else 'en'}/practices/{number}/",
                title=f"{rng.choice(sentences)[:60]} #{number}",
                content_type="practice",
                kind=rng.choice(["policy", "technology", "guideline"]),
                summary=rng.choice(sentences),
                body=body,
                topics=tuple(rng.sample(TOPICS, rng.randint(1, 3))),
                city=city,
                country=country,
                started=date(2020, 1, 20) + timedelta(days=rng.randint(0, 500)),
            )
        )
    return documents


def query_mix(count: int, rng: random.Random) -> list[SearchRequest]:
    requests = []
    for number in range(count):
        korean = number % 3 == 2
        query = rng.choice(KO_QUERIES if korean else EN_QUERIES)
        filters = {"country": ("KR",)} if number % 4 == 0 else {}
        requests.append(
            SearchRequest(
                query=query,
                language="ko" if korean else "en",
                filters=filters,
                sort="date" if number % 5 == 0 else "relevance",
                page=1 + number % 3,
            )
        )
    return requests


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=5000)
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    rng = random.Random(2020)
    documents = generate_documents(args.documents, rng)
    requests = query_mix(args.queries, rng)

    with tempfile.TemporaryDirectory(prefix="search-bench-") as directory:
        engine = EmbeddedEngine(directory, synonyms=base_synonym_groups())
        started = time.perf_counter()
        engine.rebuild(documents)
        index_seconds = time.perf_counter() - started
        started = time.perf_counter()
        engine.search(SearchRequest(query="warm up"))  # opens the index, loads the doc cache
        open_seconds = time.perf_counter() - started

        latencies, totals = [], []
        for request in requests:
            started = time.perf_counter()
            response = engine.search(request)
            latencies.append((time.perf_counter() - started) * 1000)
            totals.append(response.total)
        suggest_latencies = []
        for prefix in ["scree", "cont", "mas", "방역", "드라이"] * 20:
            started = time.perf_counter()
            engine.suggest(prefix)
            suggest_latencies.append((time.perf_counter() - started) * 1000)

    print(f"documents:            {len(documents)}")
    print(
        f"index (rebuild):      {index_seconds:.1f} s ({len(documents) / index_seconds:.0f} docs/s)"
    )
    print(f"first search (open):  {open_seconds * 1000:.0f} ms")
    print(f"queries:              {len(latencies)} (mean hits {statistics.mean(totals):.0f})")
    print(
        f"query p50 / p95 / p99: {percentile(latencies, 0.5):.1f} / "
        f"{percentile(latencies, 0.95):.1f} / {percentile(latencies, 0.99):.1f} ms"
    )
    print(
        f"suggest p50 / p95:    {percentile(suggest_latencies, 0.5):.1f} / "
        f"{percentile(suggest_latencies, 0.95):.1f} ms"
    )


if __name__ == "__main__":
    main()
