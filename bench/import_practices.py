"""How fast `import_practices` is: N generated practices into a fresh database, then again.

    .venv/bin/python bench/import_practices.py [--lines 10000]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cac .venv/bin/python bench/import_practices.py

Always measures SQLite (a new temporary file). With a PostgreSQL DATABASE_URL it also measures
PostgreSQL, in a new database named after the given one with a `_bench` suffix, dropped
afterwards; the database the URL names is not touched. Each database is measured in its own
process (Django's settings are fixed per process). Prints lines/s, total and re-import
seconds, and how long the JSON export of the result takes.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

PROJECT_ROOT = Path(__file__).resolve().parent.parent
KINDS = ["countermeasure", "case_study", "guideline", "briefing_note", "dataset", "news"]
CITIES = [
    ("Seoul", "KR"),
    ("Busan", "KR"),
    ("Daegu", "KR"),
    ("Goyang", "KR"),
    ("Tokyo", "JP"),
    ("Taipei", "TW"),
    ("Jakarta", "ID"),
    ("Bangkok", "TH"),
    ("Moscow", "RU"),
    ("Milan", "IT"),
    ("Paris", "FR"),
    ("Barcelona", "ES"),
    ("Berlin", "DE"),
    ("Lisbon", "PT"),
    ("Bogota", "CO"),
    ("Lima", "PE"),
    ("Quito", "EC"),
    ("Nairobi", "KE"),
    ("Accra", "GH"),
    ("Melbourne", "AU"),
]
# fmt: off
WORDS = [
    "city", "residents", "testing", "clinic", "mask", "distance", "support", "data",
    "volunteers", "schools", "transport", "culture", "recovery", "guideline", "district",
    "health", "workers", "quarantine", "relief", "business", "online", "public", "safety",
    "community", "care", "digital", "green", "jobs",
]
# fmt: on
KOREAN_WORDS = ["방역수칙", "자가격리자", "재난지원금", "선별진료소", "역학조사", "시민", "서울"]


def topic_slugs() -> list[str]:
    """The ten area slugs, from the programme file the summit loader reads."""
    import tomllib

    with (PROJECT_ROOT / "sitedata" / "data" / "summit_2020.toml").open("rb") as handle:
        return [topic["slug"] for topic in tomllib.load(handle)["topics"]]


def _sentence(rng: random.Random, words: list[str]) -> str:
    return " ".join(rng.choice(words) for _ in range(rng.randint(8, 18))).capitalize() + "."


def _body(rng: random.Random, words: list[str]) -> str:
    paragraphs = (
        " ".join(_sentence(rng, words) for _ in range(rng.randint(2, 4)))
        for _ in range(rng.randint(2, 4))
    )
    return "\n\n".join(paragraphs)


def generate_lines(count: int, seed: int = 2020) -> list[str]:
    """`count` import lines: mostly English, one in ten a Korean translation, a few drafts."""
    rng = random.Random(seed)
    lines: list[str] = []
    english: list[str] = []
    for number in range(count):
        if english and number % 10 == 9:
            source = english.pop(rng.randrange(len(english)))
            record = {
                "slug": source,
                "locale": "ko",
                "translation_of": source,
                "title": _sentence(rng, KOREAN_WORDS)[:120],
                "body": _body(rng, KOREAN_WORDS),
            }
        else:
            slug = f"practice-{number:06d}"
            english.append(slug)
            record = {"slug": slug, "locale": "en", "title": _sentence(rng, WORDS)[:120]}
            record["body"] = _body(rng, WORDS)
        city, country = rng.choice(CITIES)
        record.update(
            summary=_sentence(rng, WORDS),
            kind=rng.choice(KINDS),
            topics=rng.sample(topic_slugs(), rng.randint(1, 3)),
            city=city,
            country=country,
            started=f"2020-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            source_url=f"https://example.org/practices/{number}",
            contact={"organisation": f"{city} City Hall"},
        )
        if number % 50 == 49:
            record["status"] = "draft"
        lines.append(json.dumps(record, ensure_ascii=False))
    return lines


# ---------------------------------------------------------------------------
# One measurement, in a process of its own
# ---------------------------------------------------------------------------


def measure(path: Path) -> dict:
    """Migrate, then import the file twice. Runs inside Django, in the worker process."""
    import django

    django.setup()
    from django.core.management import call_command
    from wagtail.models import Revision

    from home.site_structure import ensure_site_structure
    from knowledge.models import PracticePage
    from sitedata.open_data import export_chunks, iter_public_practice_records
    from sitedata.practice_import import import_practice_file
    from sitedata.summit_programme import LoadReport, load_topic_areas, read_programme

    call_command("migrate", verbosity=0)
    ensure_site_structure()
    load_topic_areas(read_programme()["topics"], LoadReport())

    started = time.perf_counter()
    first = import_practice_file(path)
    import_seconds = time.perf_counter() - started
    revisions = Revision.objects.count()

    started = time.perf_counter()
    second = import_practice_file(path)
    reimport_seconds = time.perf_counter() - started
    lines = len(first.created) + len(first.updated) + len(first.unchanged)

    started = time.perf_counter()
    exported = sum(
        chunk.count("\n") for chunk in export_chunks("json", iter_public_practice_records())
    )
    export_seconds = time.perf_counter() - started
    return {
        "lines": lines,
        "created": len(first.created),
        "import_seconds": round(import_seconds, 2),
        "lines_per_second": round(lines / import_seconds, 1),
        "reimport_seconds": round(reimport_seconds, 2),
        "reimport_unchanged": len(second.unchanged),
        "reimport_new_revisions": Revision.objects.count() - revisions,
        "practices": PracticePage.objects.count(),
        "exported": exported,
        "export_seconds": round(export_seconds, 2),
    }


def _run_worker(database_url: str, path: Path) -> dict:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        # Test settings: DEBUG off, so Django does not keep every query in memory.
        "DJANGO_SETTINGS_MODULE": "cac.settings.test",
        "PYTHONPATH": str(PROJECT_ROOT),
    }
    completed = subprocess.run(
        [sys.executable, __file__, "--worker", str(path)],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        sys.stderr.write(completed.stderr)
        raise SystemExit(f"benchmark on {database_url.split('@')[-1]} failed")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def _postgres_admin(url: str):
    import psycopg

    parts = urlsplit(url)
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    return psycopg.connect(admin_url, autocommit=True)


def _fresh_postgres_database(url: str) -> str:
    parts = urlsplit(url)
    name = parts.path.lstrip("/") + "_bench"
    with _postgres_admin(url) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path=f"/{name}"))


def _drop_postgres_database(url: str) -> None:
    name = urlsplit(url).path.lstrip("/")
    with _postgres_admin(url) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=10_000)
    parser.add_argument("--worker", metavar="FILE", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(measure(Path(args.worker))))
        return

    with tempfile.TemporaryDirectory(prefix="cac-bench-") as folder:
        path = Path(folder) / "practices.jsonl"
        path.write_text("\n".join(generate_lines(args.lines)) + "\n", encoding="utf-8")
        targets = [("SQLite", f"sqlite:///{Path(folder) / 'bench.sqlite3'}")]
        given = os.environ.get("DATABASE_URL", "")
        if given.startswith(("postgres://", "postgresql://")):
            targets.append(("PostgreSQL", _fresh_postgres_database(given)))
        print(f"{args.lines} lines, {path.stat().st_size / 1e6:.1f} MB")
        for label, url in targets:
            try:
                figures = _run_worker(url, path)
            finally:
                if label == "PostgreSQL":
                    _drop_postgres_database(url)
            print(
                f"{label:10}  import {figures['import_seconds']:7.1f} s "
                f"({figures['lines_per_second']:.0f} lines/s)   "
                f"re-import {figures['reimport_seconds']:6.1f} s "
                f"({figures['reimport_unchanged']} unchanged, "
                f"{figures['reimport_new_revisions']} new revisions)   "
                f"export {figures['export_seconds']:5.1f} s ({figures['exported']} records)"
            )


if __name__ == "__main__":
    main()
