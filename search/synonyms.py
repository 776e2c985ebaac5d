"""The domain synonym list: the shipped base file plus the groups editors add in the admin.

Both engines read it through synonym_groups(); the embedded engine expands queries with it,
Elasticsearch loads it into a synonym_graph filter.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from django.db import DatabaseError

BASE_SYNONYMS_FILE = Path(__file__).resolve().parent / "resources" / "synonyms.txt"


def parse_solr_synonyms(text: str) -> list[tuple[str, ...]]:
    """Groups from Solr synonym lines ("a, b, c" or "a, b => c"); comments and blanks skipped."""
    groups = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        terms = [term.strip() for part in line.split("=>") for term in part.split(",")]
        group = tuple(dict.fromkeys(term for term in terms if term))
        if len(group) > 1:
            groups.append(group)
    return groups


@lru_cache(maxsize=1)  # the shipped file changes only with a deploy
def _base_synonym_groups() -> tuple[tuple[str, ...], ...]:
    return tuple(parse_solr_synonyms(BASE_SYNONYMS_FILE.read_text(encoding="utf-8")))


def base_synonym_groups() -> list[tuple[str, ...]]:
    return list(_base_synonym_groups())


def admin_synonym_groups() -> list[tuple[str, ...]]:
    # Imported here, not above: both engines import this module, and they are imported by
    # scripts (bench/) that may do so before Django's app registry is ready.
    from search.models import SynonymGroup

    try:
        rows = list(SynonymGroup.objects.values_list("terms", flat=True))
    except DatabaseError:  # table not migrated yet: search still works with the base list
        return []
    groups = []
    for terms in rows:
        group = tuple(dict.fromkeys(term.strip() for term in terms.split(",") if term.strip()))
        if len(group) > 1:
            groups.append(group)
    return groups


def synonym_groups() -> list[tuple[str, ...]]:
    """The shipped groups, then the editors' groups; duplicates removed, order kept."""
    return list(dict.fromkeys(base_synonym_groups() + admin_synonym_groups()))
