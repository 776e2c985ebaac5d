"""The domain synonym list: the shipped base file plus the groups editors add in the admin.

Both engines read it through synonym_groups(); the embedded engine expands queries with it,
Elasticsearch loads it into a synonym_graph filter. glossary_terms() says which of its terms a
query holds (Elasticsearch's glossary-only tier, bodies.text_query).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path

from django.db import DatabaseError

from search.analysis import analyse

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


# The editors' groups change only in the admin, which forgets them (search/receivers.py):
# reading them cost a query on every search. Five minutes bound how long another process's
# in-memory cache keeps old groups when no shared cache (CACHE_URL) is configured.
ADMIN_SYNONYMS_CACHE_KEY = "search:admin-synonym-groups"
ADMIN_SYNONYMS_SECONDS = 300


def admin_synonym_groups() -> list[tuple[str, ...]]:
    from django.core.cache import cache

    groups = cache.get(ADMIN_SYNONYMS_CACHE_KEY)
    if groups is None:
        groups = _read_admin_synonym_groups()
        if groups is not None:
            cache.set(ADMIN_SYNONYMS_CACHE_KEY, groups, ADMIN_SYNONYMS_SECONDS)
    return list(groups or [])


def forget_admin_synonym_groups() -> None:
    from django.core.cache import cache

    cache.delete(ADMIN_SYNONYMS_CACHE_KEY)


def _read_admin_synonym_groups() -> list[tuple[str, ...]] | None:
    """The groups in the database; None when the table cannot be read yet."""
    # Imported here, not above: both engines import this module, and they are imported by
    # scripts (bench/) that may do so before Django's app registry is ready.
    from search.models import SynonymGroup

    try:
        rows = list(SynonymGroup.objects.values_list("terms", flat=True))
    except DatabaseError:  # table not migrated yet: search still works with the base list
        return None
    groups = []
    for terms in rows:
        group = tuple(dict.fromkeys(term.strip() for term in terms.split(",") if term.strip()))
        if len(group) > 1:
            groups.append(group)
    return groups


def synonym_groups() -> list[tuple[str, ...]]:
    """The shipped groups, then the editors' groups; duplicates removed, order kept."""
    return list(dict.fromkeys(base_synonym_groups() + admin_synonym_groups()))


# A query is read this far for its glossary terms (the embedded engine's MAX_QUERY_CHARS).
GLOSSARY_QUERY_CHARS = 500


@lru_cache(maxsize=8)
def _analysed_glossary(groups: tuple[tuple[str, ...], ...]) -> dict[tuple[str, ...], str]:
    """Each glossary term's analysed terms, and the term as the glossary writes it (the first
    of those that analyse alike); cached, as the list rarely changes."""
    analysed: dict[tuple[str, ...], str] = {}
    for group in groups:
        for term in group:
            terms = tuple(analyse(term, for_query=True))
            if terms:
                analysed.setdefault(terms, term)
    return analysed


def glossary_terms(text: str, groups: Iterable[Sequence[str]]) -> tuple[tuple[str, ...], int]:
    """The glossary terms a query holds, each once and as the glossary writes it, and how many
    of the query's terms are in none of them.

    Terms are compared after the shared analysis (search.analysis: lower-cased and stemmed,
    Korean content morphemes, so 소상공인을 holds 소상공인; Chinese and Japanese character
    pairs), the longest glossary term first at each position, as the embedded engine groups a
    query's terms into units (embedded/query.expand_query). Unlike it, stop words are not left
    out first: they count among the other terms.
    """
    terms = analyse(text[:GLOSSARY_QUERY_CHARS], for_query=True)
    glossary = _analysed_glossary(tuple(tuple(group) for group in groups))
    longest = max(map(len, glossary), default=0)
    found: dict[str, None] = {}
    others = 0
    position = 0
    while position < len(terms):
        for size in range(min(longest, len(terms) - position), 0, -1):
            written = glossary.get(tuple(terms[position : position + size]))
            if written is not None:
                found.setdefault(written)
                position += size
                break
        else:
            others += 1
            position += 1
    return tuple(found), others
