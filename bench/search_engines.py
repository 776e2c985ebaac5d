"""The embedded engine against Wagtail's database search backend, on the same corpus.

    .venv/bin/python bench/search_engines.py --sizes 1000,10000,100000 \\
        [--engines embedded,database] [--queries-per 20]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cac_bench .venv/bin/python \\
        bench/search_engines.py ...     # the database side on PostgreSQL (production parity)

Generates a deterministic English/Korean practice corpus (bench/corpus.py) of the largest
size once; each size is a prefix of it. For every size and engine:

- embedded: SearchDocuments of the corpus are rebuilt into a fresh Tantivy index (timed:
  indexing docs/s); then a new process opens the index and runs the query mix through
  EmbeddedEngine.search(), which returns the total, six facets, translations collapsed and
  highlighted snippets for the first page of 20.
- database: the same practices become live PracticePage rows in a throwaway database (bulk
  inserts with treebeard path arithmetic: setup, not timed as indexing), then Wagtail's
  `default` search backend (the database backend, cac/settings/base.py) indexes them as its
  update_index command does, in chunks of 1,000 read from the database (timed: indexing
  docs/s). A new process then runs the query mix through
  `PracticePage.objects.live().search(q, operator="and")`: the first 20 results, `.count()`
  and `.facet("kind")` (kind is the one filter field practices have).

Each query of the fixed mix (QUERIES) runs once to warm up, then --queries-per times; p50, p95
and p99 are over all timed runs. Every phase runs in a process of its own, so its peak RSS
(ru_maxrss) is its own. With a PostgreSQL DATABASE_URL the database side runs in new
databases named after the given one (`<name>_sbench_template`, `<name>_sbench`), dropped
afterwards; the database the URL names is not touched. Otherwise it runs on SQLite files in a
temporary folder. Prints a Markdown table; never asserts timings.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

from bench.corpus import iter_practices, read_corpus  # noqa: E402

PAGE_SIZE = 20
CHUNK_SIZE = 1000  # update_index's default chunk


@dataclass(frozen=True)
class Query:
    text: str
    language: str = "en"
    kind: str = ""  # a kind filter, on both sides

    @property
    def label(self) -> str:
        return (self.text or "(browse)") + (f" [kind={self.kind}]" if self.kind else "")


# The fixed mix: single words, phrases, synonyms, Korean compounds and particles, a rare and a
# common term, filtered queries and one blank browse with a filter (newest first).
QUERIES = [
    Query("screening"),
    Query("contact tracing"),
    Query("quarantine"),  # synonyms: self-isolation, 자가격리
    Query("face covering"),  # synonym of mask
    Query("mask"),
    Query("metro"),  # synonyms: subway, underground, 지하철
    Query("remote learning"),  # synonyms: online classes, distance education, 원격수업
    Query("emergency relief payments"),
    Query("small businesses"),
    Query("drive-through screening clinics"),
    Query("coronavirus"),
    Query("Green New Deal"),
    Query("volunteers"),
    Query("public health centres"),
    Query("Seoul"),  # common
    Query("city"),  # very common
    Query("wastewater surveillance"),  # rare
    Query("hackathon"),  # rare
    Query("bike sharing"),
    Query("online concerts"),
    Query("testing", kind="case_study"),
    Query("", kind="dataset"),  # browse
    Query("방역", "ko"),
    Query("자가격리", "ko"),
    Query("자가격리자", "ko"),
    Query("방역수칙", "ko"),
    Query("선별진료소", "ko"),
    Query("역학조사", "ko"),
    Query("지하철 방역", "ko"),
    Query("소상공인 지원", "ko"),
    Query("재난지원금", "ko"),
    Query("마스크", "ko", kind="guideline"),
]


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _progress(iterable=None, **kwargs):
    from tqdm import tqdm

    return tqdm(iterable, file=sys.stderr, leave=False, dynamic_ncols=True, **kwargs)


def _run_queries(search, queries_per: int) -> dict:
    """Runs each query once to warm up, then `queries_per` times. `search(q)` returns a total."""
    latencies: list[float] = []
    totals: dict[str, int] = {}
    medians: dict[str, float] = {}
    for query in _progress(QUERIES, desc="queries", unit="q"):
        totals[query.label] = search(query)
        runs = []
        for _ in range(queries_per):
            started = time.perf_counter()
            search(query)
            runs.append((time.perf_counter() - started) * 1000)
        medians[query.label] = statistics.median(runs) if runs else 0.0
        latencies.extend(runs)
    return {
        "queries": len(latencies),
        "p50": percentile(latencies, 0.50),
        "p95": percentile(latencies, 0.95),
        "p99": percentile(latencies, 0.99),
        "mean_total": statistics.mean(totals.values()),
        "totals": totals,
        "medians": medians,
    }


# ---------------------------------------------------------------------------
# Embedded engine phases (no database)
# ---------------------------------------------------------------------------


def embedded_index(corpus: Path, size: int, index_dir: Path) -> dict:
    from search.analysis import analyse
    from search.engines.embedded import EmbeddedEngine
    from search.synonyms import base_synonym_groups

    engine = EmbeddedEngine(index_dir, synonyms=base_synonym_groups())
    started = time.perf_counter()
    analyse("서울시 자가격리자는 방역수칙을 warm up")  # loads kiwi's model: once per process
    analyser_seconds = time.perf_counter() - started
    documents = (
        practice.search_document()
        for practice in _progress(read_corpus(corpus, size), total=size, desc="embedded index")
    )
    started = time.perf_counter()
    count = engine.rebuild(documents)
    seconds = time.perf_counter() - started
    return {
        "documents": count,
        "index_seconds": seconds,
        "analyser_seconds": analyser_seconds,
        "rss_index_mb": peak_rss_mb(),
    }


def embedded_queries(index_dir: Path, queries_per: int) -> dict:
    from search.engines.base import SearchRequest
    from search.engines.embedded import EmbeddedEngine
    from search.synonyms import base_synonym_groups

    engine = EmbeddedEngine(index_dir, synonyms=base_synonym_groups())
    started = time.perf_counter()
    engine.search(SearchRequest(query="warm up"))  # opens the index and its caches
    open_ms = (time.perf_counter() - started) * 1000

    def search(query: Query) -> int:
        request = SearchRequest(
            query=query.text,
            language=query.language,
            filters={"kind": (query.kind,)} if query.kind else {},
            sort="relevance" if query.text else "date",
            page_size=PAGE_SIZE,
        )
        return engine.search(request).total

    return {**_run_queries(search, queries_per), "open_ms": open_ms, "rss_query_mb": peak_rss_mb()}


# ---------------------------------------------------------------------------
# Database backend phases (inside Django)
# ---------------------------------------------------------------------------


def database_prepare() -> dict:
    """Migrate, then the site structure and topic areas: the template each size starts from."""
    import django

    django.setup()
    from django.core.management import call_command

    from home.site_structure import ensure_site_structure
    from sitedata.summit_programme import LoadReport, load_topic_areas, read_programme

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    ensure_site_structure()
    load_topic_areas(read_programme()["topics"], LoadReport())
    return {"prepare_seconds": time.perf_counter() - started}


def database_load(corpus: Path, size: int) -> dict:
    """Live PracticePage rows for the corpus, inserted in bulk (bench only: no revisions, no
    signals, no search indexing), each under its locale's practice index."""
    import django

    django.setup()
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection, transaction
    from django.utils import timezone
    from wagtail.models import Locale, Page

    from home.site_structure import practice_index_for
    from knowledge.models import PracticePage, TopicArea
    from sitedata.open_data import body_from_paragraphs
    from sitedata.summit_programme import get_or_create_city

    started = time.perf_counter()
    content_type = ContentType.objects.get_for_model(PracticePage)
    default_locale = Locale.get_default()
    locales = {locale.language_code: locale for locale in Locale.objects.all()}
    topic_ids = dict(TopicArea.objects.filter(locale=default_locale).values_list("slug", "pk"))
    parents = {code: practice_index_for(locale) for code, locale in locales.items()}
    next_step = {code: parent.numchild + 1 for code, parent in parents.items()}
    cities: dict[str, int] = {}
    child_fields = [
        field for field in PracticePage._meta.local_concrete_fields if field.name != "page_ptr"
    ]
    table = connection.ops.quote_name(PracticePage._meta.db_table)
    columns = ", ".join(
        connection.ops.quote_name(field.column) for field in [PracticePage._meta.pk, *child_fields]
    )
    placeholders = ", ".join(["%s"] * (len(child_fields) + 1))
    # Table and column names come from the model's metadata; values are parameters.
    insert_child = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608
    topic_link = PracticePage.topics.through

    def flush(batch):
        now = timezone.now()
        rows = []
        for practice in batch:
            parent = parents[practice.locale]
            step = next_step[practice.locale]
            next_step[practice.locale] += 1
            rows.append(
                Page(
                    title=practice.title,
                    draft_title=practice.title,
                    slug=practice.slug,
                    content_type=content_type,
                    locale=locales[practice.locale],
                    translation_key=practice.translation_key,
                    path=Page._get_path(parent.path, parent.depth + 1, step),
                    depth=parent.depth + 1,
                    numchild=0,
                    url_path=f"{parent.url_path}{practice.slug}/",
                    live=True,
                    has_unpublished_changes=False,
                    first_published_at=now,
                    last_published_at=now,
                )
            )
        Page.objects.bulk_create(rows)
        values, links = [], []
        for page, practice in zip(rows, batch, strict=True):
            if practice.city not in cities:
                cities[practice.city] = get_or_create_city(practice.city, practice.country).pk
            specific = PracticePage(
                summary=practice.summary,
                body=body_from_paragraphs(practice.paragraphs),
                kind=practice.kind,
                city_id=cities[practice.city],
                started=practice.started,
            )
            values.append(
                [page.pk]
                + [
                    field.get_db_prep_save(field.pre_save(specific, True), connection)
                    for field in child_fields
                ]
            )
            links.extend(
                topic_link(practicepage_id=page.pk, topicarea_id=topic_ids[slug])
                for slug in practice.topics
            )
        with connection.cursor() as cursor:
            cursor.executemany(insert_child, values)
        topic_link.objects.bulk_create(links)

    with transaction.atomic():
        batch = []
        for practice in _progress(read_corpus(corpus, size), total=size, desc="database rows"):
            batch.append(practice)
            if len(batch) == CHUNK_SIZE:
                flush(batch)
                batch = []
        if batch:
            flush(batch)
        for code, parent in parents.items():
            Page.objects.filter(pk=parent.pk).update(numchild=next_step[code] - 1)
    return {"load_seconds": time.perf_counter() - started, "rows": PracticePage.objects.count()}


def database_index(size: int) -> dict:
    """What `update_index` does for practices: the rebuilder, then chunks of 1,000 by pk."""
    import django

    django.setup()
    from django.db import connection
    from wagtail.search.backends import get_search_backend

    from knowledge.models import PracticePage

    backend = get_search_backend("default")
    started = time.perf_counter()
    rebuilder = backend.rebuilder_class(backend.get_index_for_model(PracticePage))
    index = rebuilder.start()
    index.add_model(PracticePage)
    pks = list(PracticePage.get_indexed_objects().order_by("pk").values_list("pk", flat=True))
    indexed = 0
    with _progress(total=len(pks), desc="database index") as bar:
        for start in range(0, len(pks), CHUNK_SIZE):
            chunk = list(
                PracticePage.get_indexed_objects()
                .filter(pk__in=pks[start : start + CHUNK_SIZE])
                .order_by("pk")
            )
            index.add_items(PracticePage, chunk)
            indexed += len(chunk)
            bar.update(len(chunk))
    rebuilder.finish()
    seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        # Planner statistics, as autovacuum would have them on a live site; not timed.
        cursor.execute("ANALYZE")
    return {
        "documents": indexed,
        "index_seconds": seconds,
        "rss_index_mb": peak_rss_mb(),
        "backend": type(backend).__name__,
    }


def database_queries(queries_per: int) -> dict:
    import django

    django.setup()
    from django.db.models import Count

    from knowledge.models import PracticePage

    def search(query: Query) -> int:
        pages = PracticePage.objects.live()
        if query.kind:
            pages = pages.filter(kind=query.kind)
        if not query.text:
            pages = pages.order_by("-started")
            list(pages[:PAGE_SIZE])
            list(pages.order_by().values("kind").annotate(count=Count("pk")))
            return pages.count()
        results = pages.search(query.text, operator="and")
        list(results[:PAGE_SIZE])
        results.facet("kind")
        return results.count()

    return {**_run_queries(search, queries_per), "rss_query_mb": peak_rss_mb()}


# ---------------------------------------------------------------------------
# The parent: one child process per phase
# ---------------------------------------------------------------------------


def _worker(phase: str, arguments: dict, environment: dict | None = None) -> dict:
    env = {key: value for key, value in os.environ.items()}
    for name in ("CELERY_BROKER_URL", "ELASTICSEARCH_URL"):
        env.pop(name, None)  # the bench measures the two engines, nothing else
    env.update(environment or {})
    env.update(
        DJANGO_SETTINGS_MODULE="cac.settings.test",  # DEBUG off: no query log kept
        PYTHONPATH=str(PROJECT_ROOT),
    )
    completed = subprocess.run(
        [sys.executable, __file__, "--worker", json.dumps({"phase": phase, **arguments})],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,  # stderr stays on the terminal: progress bars and errors
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise SystemExit(f"{phase} failed (exit {completed.returncode})")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def _run_phase(arguments: dict) -> dict:
    phase = arguments["phase"]
    if phase == "embedded_index":
        return embedded_index(Path(arguments["corpus"]), arguments["size"], Path(arguments["dir"]))
    if phase == "embedded_queries":
        return embedded_queries(Path(arguments["dir"]), arguments["queries_per"])
    if phase == "database_prepare":
        return database_prepare()
    if phase == "database_load":
        return database_load(Path(arguments["corpus"]), arguments["size"])
    if phase == "database_index":
        return database_index(arguments["size"])
    if phase == "database_queries":
        return database_queries(arguments["queries_per"])
    raise SystemExit(f"unknown phase {phase}")


class _Databases:
    """Throwaway databases: a migrated template, and a fresh copy of it per size."""

    def __init__(self, folder: Path):
        given = os.environ.get("DATABASE_URL", "")
        self.postgres = given.startswith(("postgres://", "postgresql://"))
        if self.postgres:
            parts = urlsplit(given)
            base = parts.path.lstrip("/") or "cac"
            self.template_url = urlunsplit(parts._replace(path=f"/{base}_sbench_template"))
            self.url = urlunsplit(parts._replace(path=f"/{base}_sbench"))
            self.admin_url = urlunsplit(parts._replace(path="/postgres"))
        else:
            self.template_file = folder / "template.sqlite3"
            self.file = folder / "bench.sqlite3"
            self.template_url = f"sqlite:///{self.template_file}"
            self.url = f"sqlite:///{self.file}"
        self.label = "PostgreSQL" if self.postgres else "SQLite"

    def _admin(self, *statements: str) -> None:
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True) as admin:
            for statement in statements:
                admin.execute(statement)

    @staticmethod
    def _name(url: str) -> str:
        return urlsplit(url).path.lstrip("/")

    def create_template(self) -> None:
        if self.postgres:
            name = self._name(self.template_url)
            self._admin(f'DROP DATABASE IF EXISTS "{name}"', f'CREATE DATABASE "{name}"')

    def fresh_copy(self) -> None:
        if self.postgres:
            name, template = self._name(self.url), self._name(self.template_url)
            self._admin(
                f'DROP DATABASE IF EXISTS "{name}"',
                f'CREATE DATABASE "{name}" TEMPLATE "{template}"',
            )
        else:
            shutil.copyfile(self.template_file, self.file)

    def drop(self, template: bool = False) -> None:
        if self.postgres:
            self._admin(f'DROP DATABASE IF EXISTS "{self._name(self.url)}"')
            if template:
                self._admin(f'DROP DATABASE IF EXISTS "{self._name(self.template_url)}"')
        else:
            self.file.unlink(missing_ok=True)


def _bench_embedded(
    corpus: Path, size: int, folder: Path, queries_per: int, keep: Path | None
) -> dict:
    """With `keep`, the index and its indexing figures stay under it; a later run with the
    same folder reuses them and only runs the queries (the index format must not change)."""
    index_dir = (keep or folder) / f"embedded-{size}"
    saved = index_dir.parent / f"embedded-{size}.json"
    if keep and saved.exists() and (index_dir / "CURRENT").exists():
        figures = json.loads(saved.read_text())
        print(f"reusing the embedded index in {index_dir}", file=sys.stderr)
    else:
        shutil.rmtree(index_dir, ignore_errors=True)
        figures = _worker(
            "embedded_index", {"corpus": str(corpus), "size": size, "dir": str(index_dir)}
        )
        if keep:
            saved.write_text(json.dumps(figures))
    figures.update(_worker("embedded_queries", {"dir": str(index_dir), "queries_per": queries_per}))
    figures["engine"] = "embedded (Tantivy)"
    if not keep:
        shutil.rmtree(index_dir, ignore_errors=True)
    return figures


def _bench_database(
    corpus: Path, size: int, folder: Path, queries_per: int, databases: _Databases
) -> dict:
    env = {
        "DATABASE_URL": databases.url,
        "TEST_SEARCH_INDEX_DIR": str(folder / "site-index"),  # the site's own, unused here
    }
    databases.fresh_copy()
    try:
        figures = _worker("database_load", {"corpus": str(corpus), "size": size}, env)
        figures.update(_worker("database_index", {"size": size}, env))
        figures.update(_worker("database_queries", {"queries_per": queries_per}, env))
    finally:
        databases.drop()
    figures["engine"] = f"Wagtail database ({databases.label})"
    return figures


def _table(rows: list[dict]) -> str:
    lines = [
        "| Documents | Engine | Indexing | Docs/s | p50 ms | p95 ms | p99 ms | Mean total "
        "| Peak RSS index | Peak RSS queries |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        lines.append(
            f"| {row['size']:,} | {row['engine']} | {row['index_seconds']:.1f} s "
            f"| {row['documents'] / row['index_seconds']:,.0f} "
            f"| {row['p50']:.1f} | {row['p95']:.1f} | {row['p99']:.1f} "
            f"| {row['mean_total']:,.0f} | {row['rss_index_mb']:.0f} MB "
            f"| {row['rss_query_mb']:.0f} MB |"
        )
    return "\n".join(lines)


def _comparisons(rows: list[dict]) -> list[str]:
    lines = []
    for size in sorted({row["size"] for row in rows}):
        pair = {row["engine"].split()[0]: row for row in rows if row["size"] == size}
        if {"embedded", "Wagtail"} <= pair.keys():
            embedded, database = pair["embedded"], pair["Wagtail"]
            lines.append(
                f"{size:,} documents: database p50/p95 are "
                f"{database['p50'] / embedded['p50']:.1f}x / "
                f"{database['p95'] / embedded['p95']:.1f}x the embedded engine's"
            )
    return lines


def _machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores ({model}), Python {sys.version.split()[0]}"


def _load() -> str:
    return " / ".join(f"{value:.1f}" for value in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated corpus sizes")
    parser.add_argument("--engines", default="embedded,database")
    parser.add_argument("--queries-per", type=int, default=20, help="timed runs of each query")
    parser.add_argument(
        "--keep-index",
        type=Path,
        metavar="DIR",
        help="keep embedded indexes here; reuse them (queries only) when already built",
    )
    parser.add_argument("--show-totals", action="store_true", help="each query's total, per side")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(_run_phase(json.loads(args.worker))))
        return

    sizes = sorted({int(size.replace("_", "")) for size in args.sizes.split(",") if size})
    engines = [engine.strip() for engine in args.engines.split(",") if engine.strip()]
    unknown = set(engines) - {"embedded", "database"}
    if unknown or not sizes:
        parser.error(f"unknown engine(s) {', '.join(sorted(unknown))}" if unknown else "no sizes")

    load_before = _load()
    with tempfile.TemporaryDirectory(prefix="cac-search-bench-") as folder_name:
        folder = Path(folder_name)
        corpus = folder / "corpus.jsonl"
        started = time.perf_counter()
        with corpus.open("w", encoding="utf-8") as handle:
            for practice in _progress(iter_practices(max(sizes)), total=max(sizes), desc="corpus"):
                handle.write(practice.to_json() + "\n")
        print(
            f"corpus: {max(sizes):,} documents, {corpus.stat().st_size / 1e6:.0f} MB, "
            f"generated in {time.perf_counter() - started:.0f} s; {len(QUERIES)} queries, "
            f"1 warm-up + {args.queries_per} timed runs each",
            file=sys.stderr,
        )

        databases = _Databases(folder) if "database" in engines else None
        if databases:
            databases.create_template()
            env = {"DATABASE_URL": databases.template_url}
            env["TEST_SEARCH_INDEX_DIR"] = str(folder / "site-index")
            prepared = _worker("database_prepare", {}, env)
            print(
                f"{databases.label} template migrated in {prepared['prepare_seconds']:.0f} s",
                file=sys.stderr,
            )
        rows = []
        try:
            for size in sizes:
                for engine in engines:
                    if engine == "embedded":
                        figures = _bench_embedded(
                            corpus, size, folder, args.queries_per, args.keep_index
                        )
                    else:
                        figures = _bench_database(corpus, size, folder, args.queries_per, databases)
                    figures["size"] = size
                    rows.append(figures)
                    extra = (
                        f", rows loaded in {figures['load_seconds']:.0f} s"
                        if "load_seconds" in figures
                        else f", index opened in {figures['open_ms']:.0f} ms"
                    )
                    print(
                        f"{size:,} {figures['engine']}: indexed in "
                        f"{figures['index_seconds']:.1f} s{extra}, p95 {figures['p95']:.1f} ms",
                        file=sys.stderr,
                    )
        finally:
            if databases:
                databases.drop(template=True)

    print(
        f"Machine: {_machine()}; load average (1/5/15 min) {load_before} before, "
        f"{_load()} after; {len(QUERIES)} queries x {args.queries_per} timed runs.\n"
    )
    print(_table(rows))
    for line in _comparisons(rows):
        print(line)
    if args.show_totals:
        for row in rows:
            print(f"\n{row['size']:,} {row['engine']}: total and median ms per query")
            for label, total in row["totals"].items():
                median = row.get("medians", {}).get(label, 0.0)
                print(f"  {label:40} {total:>8,} {median:>9.1f} ms")


if __name__ == "__main__":
    main()
