"""What one huge practice costs: searches that find it, and importing it.

    .venv/bin/python bench/huge_documents.py [--body-mb 50] [--queries 20] [--max-lines 50]
                                             [--skip-search] [--skip-import]

Search (embedded engine, no database): indexes 2,000 generated documents (the corpus of
bench/search_embedded.py), one normal page that alone holds "hackathon", and one page whose
body is --body-mb MB of English sentences that begins with "ozonation" and ends with
"wastewater". Then times `search()` for "wastewater" (the huge page, matched only at the end
of its body), "ozonation" (the huge page, matched at the start) and "hackathon" (the normal
page), each run once to warm up and then --queries times, and prints p50 / p95 per query.

Import (each in a process of its own: Django's test settings, SQLite and a search index in a
temporary folder, tasks in-process): the peak RSS (VmHWM) of `import_practices` on
(a) a file whose second line carries a --body-mb MB body, and (b) a valid file of --max-lines
lines, each with a body and a summary at the default limits (200,000 and 5,000 characters).
Each also prints the process's peak just before the import (Django set up, database migrated).

It never asserts anything. It runs on any commit: run a copy from an older commit's tree for
"before" figures (docs/performance.md).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(PROJECT_ROOT))
sys.path.insert(0, str(BENCH_DIR))

from import_practices import CITIES, WORDS, topic_slugs  # noqa: E402  bench/import_practices.py
from search_embedded import EN_SENTENCES, generate_documents, percentile  # noqa: E402

DEFAULT_BODY_CHARS = 200_000  # IMPORT_MAX_BODY_CHARS's default
DEFAULT_SUMMARY_CHARS = 5_000  # IMPORT_MAX_SUMMARY_CHARS's default


def peak_rss_mb() -> float:
    """This process's peak resident memory. VmHWM, as ru_maxrss keeps the parent's peak
    across fork and exec (a worker started by a big parent would report the parent's)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def english_text(chars: int, rng: random.Random, paragraph_chars: int = 1_500) -> str:
    """About `chars` characters of sentences, a blank line every `paragraph_chars` or so."""
    parts, size, paragraph = [], 0, 0
    while size < chars:
        sentence = rng.choice(EN_SENTENCES)
        parts.append(sentence)
        size += len(sentence) + 1
        paragraph += len(sentence) + 1
        if paragraph >= paragraph_chars:
            parts.append("\n\n")
            paragraph = 0
        else:
            parts.append(" ")
    return "".join(parts)[:chars].strip()


# ---------------------------------------------------------------------------
# Search
# ---------------------------------------------------------------------------


def bench_search(body_mb: float, queries: int) -> None:
    from search.engines.base import SearchDocument, SearchRequest
    from search.engines.embedded import EmbeddedEngine
    from search.synonyms import base_synonym_groups

    rng = random.Random(2020)
    documents = generate_documents(2_000, rng)
    huge_body = (
        "Ozonation trials began. "
        + english_text(int(body_mb * 1_000_000), rng)
        + " Wastewater sampling ended it."
    )
    extra = [
        SearchDocument(
            id="page-huge",
            translation_key="group-huge",
            locale="en",
            url="/en/practices/huge/",
            title="A very long practice",
            content_type="practice",
            kind="policy",
            summary="Ventilation in schools, described at length.",
            body=huge_body,
        ),
        SearchDocument(
            id="page-normal",
            translation_key="group-normal",
            locale="en",
            url="/en/practices/normal/",
            title="A civic hackathon",
            content_type="practice",
            kind="policy",
            summary="Developers built tools in a weekend.",
            body=" ".join(rng.choice(EN_SENTENCES) for _ in range(10)) + " The hackathon ended.",
        ),
    ]
    with tempfile.TemporaryDirectory(prefix="huge-docs-bench-") as directory:
        engine = EmbeddedEngine(directory, synonyms=base_synonym_groups())
        started = time.perf_counter()
        engine.rebuild([*documents, *extra])
        index_seconds = time.perf_counter() - started
        print(
            f"indexed {len(documents) + len(extra)} documents, one with a "
            f"{len(huge_body) / 1e6:.1f} MB body, in {index_seconds:.1f} s"
        )
        print(f"{'query':<14} {'matches':>8} {'p50 ms':>9} {'p95 ms':>9}  snippet of the huge page")
        for query in ("wastewater", "ozonation", "hackathon"):
            request = SearchRequest(query=query, page_size=20)
            engine.search(request)  # warm up: opens the index, loads the analyser
            latencies = []
            for _ in range(queries):
                started = time.perf_counter()
                response = engine.search(request)
                latencies.append((time.perf_counter() - started) * 1000)
            huge_hit = next((hit for hit in response.hits if hit.id == "page-huge"), None)
            snippet = repr(huge_hit.snippet[:50]) if huge_hit else "(not on the first page)"
            print(
                f"{query:<14} {response.total:>8} {percentile(latencies, 0.5):>9.1f} "
                f"{percentile(latencies, 0.95):>9.1f}  {snippet}"
            )
    print(f"peak RSS of the search process: {peak_rss_mb():.0f} MB")


# ---------------------------------------------------------------------------
# Import: one process per file
# ---------------------------------------------------------------------------


def practice_line(number: int, rng: random.Random, body: str, summary: str) -> str:
    city, country = rng.choice(CITIES)
    record = {
        "slug": f"practice-{number:05d}",
        "locale": "en",
        "title": " ".join(rng.choice(WORDS) for _ in range(8)).capitalize(),
        "summary": summary,
        "body": body,
        "kind": "case_study",
        "topics": rng.sample(topic_slugs(), 2),
        "city": city,
        "country": country,
    }
    return json.dumps(record, ensure_ascii=False) + "\n"


def write_import_files(folder: Path, body_mb: float, max_lines: int) -> dict[str, Path]:
    rng = random.Random(2020)
    huge = folder / "huge-line.jsonl"
    with huge.open("w", encoding="utf-8") as handle:
        handle.write(practice_line(0, rng, english_text(2_000, rng), "A normal practice."))
        handle.write(
            practice_line(1, rng, english_text(int(body_mb * 1_000_000), rng), "A huge one.")
        )
    maximal = folder / "maximal.jsonl"
    with maximal.open("w", encoding="utf-8") as handle:
        for number in range(max_lines):
            body = english_text(DEFAULT_BODY_CHARS + 100, rng)[:DEFAULT_BODY_CHARS].strip()
            summary = english_text(DEFAULT_SUMMARY_CHARS + 100, rng, 10**9)[
                :DEFAULT_SUMMARY_CHARS
            ].strip()
            handle.write(practice_line(number, rng, body, summary))
    return {f"a {body_mb:g} MB body": huge, "maximal valid file": maximal}


def measure_import(path: Path) -> dict:
    """Runs in the worker process: migrate, then import the file once."""
    import io

    import django

    django.setup()
    from django.core.management import CommandError, call_command

    from home.site_structure import ensure_site_structure
    from knowledge.models import PracticePage
    from sitedata.summit_programme import LoadReport, load_topic_areas, read_programme

    call_command("migrate", verbosity=0)
    ensure_site_structure()
    load_topic_areas(read_programme()["topics"], LoadReport())
    before = peak_rss_mb()
    errors = io.StringIO()
    started = time.perf_counter()
    try:
        call_command("import_practices", str(path), stdout=io.StringIO(), stderr=errors)
        outcome = "imported"
    except CommandError:
        outcome = "refused: " + "; ".join(errors.getvalue().splitlines())
    return {
        "seconds": round(time.perf_counter() - started, 1),
        "before_mb": round(before),
        "peak_mb": round(peak_rss_mb()),
        "practices": PracticePage.objects.count(),
        "outcome": outcome,
    }


def run_import_worker(path: Path, folder: Path) -> dict:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{folder / (path.stem + '.sqlite3')}",
        "DJANGO_SETTINGS_MODULE": "cac.settings.test",
        "TEST_SEARCH_INDEX_DIR": str(folder / (path.stem + "-index")),
        "PYTHONPATH": str(PROJECT_ROOT),
    }
    env.pop("CELERY_BROKER_URL", None)
    env.pop("ELASTICSEARCH_URL", None)
    completed = subprocess.run(
        [sys.executable, __file__, "--import-worker", str(path)],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        sys.stderr.write(completed.stderr)
        raise SystemExit(f"import of {path.name} failed")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def bench_import(body_mb: float, max_lines: int) -> None:
    with tempfile.TemporaryDirectory(prefix="huge-docs-import-") as name:
        folder = Path(name)
        for label, path in write_import_files(folder, body_mb, max_lines).items():
            figures = run_import_worker(path, folder)
            lines = sum(1 for _ in path.open("rb"))
            print(
                f"{label:<20} {path.stat().st_size / 1e6:6.1f} MB, {lines} lines: "
                f"peak RSS {figures['peak_mb']} MB (before the import {figures['before_mb']} MB), "
                f"{figures['seconds']} s, {figures['practices']} practices; "
                f"{figures['outcome'][:120]}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--body-mb", type=float, default=50)
    parser.add_argument("--queries", type=int, default=20)
    parser.add_argument("--max-lines", type=int, default=50)
    parser.add_argument("--skip-search", action="store_true")
    parser.add_argument("--skip-import", action="store_true")
    parser.add_argument("--import-worker", metavar="FILE", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.import_worker:
        print(json.dumps(measure_import(Path(args.import_worker))))
        return
    print(f"load average: {os.getloadavg()[0]:.1f}")
    if not args.skip_search:
        bench_search(args.body_mb, args.queries)
    if not args.skip_import:
        bench_import(args.body_mb, args.max_lines)


if __name__ == "__main__":
    main()
