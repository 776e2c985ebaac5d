"""Write bench/relevance/generated.jsonl: one exact-title query per title of the demo content.

For every published practice in sitedata/data/demo_practices.jsonl (each locale it exists
in), every session of sitedata/data/summit_2020.toml and every topic area (its English name
and each translated ``name_<code>``), one query whose text is the title, judged 3 for the
title's own translation group. Nothing else is judged: the hand-written judgments.jsonl is
the set with full judgments; this one only checks that a title finds its page.

Draft practices (``"status": "draft"``) are left out: they are not public, so no search
should find them.

Stdlib only. Run from anywhere: ``python bench/relevance/generate.py``.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE.parent.parent / "sitedata" / "data"
PRACTICES_FILE = DATA / "demo_practices.jsonl"
PROGRAMME_FILE = DATA / "summit_2020.toml"
OUTPUT_FILE = HERE / "generated.jsonl"


def practice_queries(path: Path) -> list[tuple[str, str, str]]:
    """(query, language, judgment key) for each published practice title."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        record = json.loads(line)
        if record.get("status", "published") != "published":
            continue
        group = record.get("translation_of") or record["slug"]
        rows.append((record["title"], record["locale"], f"practice:{group}"))
    return rows


def programme_queries(path: Path) -> list[tuple[str, str, str]]:
    """(query, language, judgment key) for each session title and topic area name."""
    programme = tomllib.loads(path.read_text(encoding="utf-8"))
    rows = []
    for session in programme.get("sessions", []):
        rows.append((session["title"], "en", f"session:{session['slug']}"))
    for topic in programme.get("topics", []):
        rows.append((topic["name"], "en", f"topic:{topic['slug']}"))
        for field, name in topic.items():
            if field.startswith("name_") and name:
                rows.append((name, field.removeprefix("name_"), f"topic:{topic['slug']}"))
    return rows


def main() -> None:
    rows = practice_queries(PRACTICES_FILE) + programme_queries(PROGRAMME_FILE)
    with OUTPUT_FILE.open("w", encoding="utf-8") as out:
        for number, (query, language, key) in enumerate(rows, 1):
            line = {
                "id": f"g{number:03d}",
                "query": query,
                "language": language,
                "category": "exact_title",
                "judgments": {key: 3},
            }
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
    print(f"{len(rows)} queries written to {OUTPUT_FILE.relative_to(HERE.parent.parent)}")


if __name__ == "__main__":
    main()
