"""Queries built from analysed terms, never from raw query syntax, so no input can raise."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

import tantivy

from search.analysis import analyse
from search.engines.base import FACET_FIELDS
from search.engines.embedded.schema import FIELD_BOOSTS, SCHEMA, bigram_field, bigrams

MAX_QUERY_CHARS = 500  # longer input is cut: nobody types more, and it bounds query cost
MAX_QUERY_UNITS = 32

# A query is a list of units that must all match; a unit is alternatives (synonyms), each
# alternative a sequence of terms (a phrase when longer than one).
QueryUnits = list[list[tuple[str, ...]]]


@lru_cache(maxsize=8)
def _analysed_synonyms(synonyms: tuple[tuple[str, ...], ...]) -> list[list[tuple[str, ...]]]:
    """Each group's terms as analysed term sequences; cached as the list rarely changes."""
    groups = []
    for group in synonyms:
        alternatives = dict.fromkeys(tuple(analyse(term, for_query=True)) for term in group)
        groups.append([alt for alt in alternatives if alt])
    return groups


def expand_query(text: str, synonyms: Iterable[tuple[str, ...]]) -> QueryUnits:
    """Analysed query terms, each grouped with its synonyms (multi-word ones as phrases)."""
    terms = analyse(text[:MAX_QUERY_CHARS], for_query=True)
    groups = _analysed_synonyms(tuple(tuple(group) for group in synonyms))
    units: QueryUnits = []
    position = 0
    while position < len(terms) and len(units) < MAX_QUERY_UNITS:
        best: tuple[int, list[tuple[str, ...]]] | None = None
        for alternatives in groups:
            for alt in alternatives:
                if tuple(terms[position : position + len(alt)]) == alt and (
                    best is None or len(alt) > best[0]
                ):
                    best = (len(alt), alternatives)
        if best:
            units.append(best[1])
            position += best[0]
        else:
            units.append([(terms[position],)])
            position += 1
    return units


def highlight_terms(units: QueryUnits) -> set[str]:
    """Every term of every alternative: what snippets mark."""
    return {term for unit in units for alternative in unit for term in alternative}


def _text_query(units: QueryUnits) -> tantivy.Query:
    must = []
    for alternatives in units:
        # A phrase containing a term that is itself an alternative finds nothing more.
        single = {alternative[0] for alternative in alternatives if len(alternative) == 1}
        should = []
        for alternative in alternatives:
            if len(alternative) > 1 and single.intersection(alternative):
                continue
            for field_name, boost in FIELD_BOOSTS.items():
                query = _phrase_query(field_name, alternative)
                should.append((tantivy.Occur.Should, tantivy.Query.boost_query(query, boost)))
        must.append((tantivy.Occur.Must, tantivy.Query.boolean_query(should)))
    return tantivy.Query.boolean_query(must)


def _phrase_query(field_name: str, terms: tuple[str, ...]) -> tantivy.Query:
    """One term, or a phrase as all of its adjacent pairs (exact for two terms, and for
    longer phrases a match unless the pairs occur apart)."""
    if len(terms) == 1:
        return tantivy.Query.term_query(SCHEMA, field_name, terms[0])
    pairs = [
        (tantivy.Occur.Must, tantivy.Query.term_query(SCHEMA, bigram_field(field_name), pair))
        for pair in dict.fromkeys(bigrams(terms))
    ]
    return pairs[0][1] if len(pairs) == 1 else tantivy.Query.boolean_query(pairs)


def filter_clause(field_name: str, values: Iterable[str]) -> tuple:
    """Exact terms that filter without changing the score."""
    term_set = tantivy.Query.term_set_query(SCHEMA, field_name, [str(v) for v in values])
    return (tantivy.Occur.Must, tantivy.Query.const_score_query(term_set, 0.0))


def facet_filter_clauses(filters: dict[str, tuple[str, ...]]) -> list[tuple]:
    """One clause per facet filter (filters as common.normalised_request leaves them)."""
    return [
        filter_clause(name, values)
        for name, values in filters.items()
        if name in FACET_FIELDS and values
    ]


def build_query(
    units: QueryUnits, filters: dict[str, tuple[str, ...]], also_ids: Iterable[str] = ()
) -> tantivy.Query:
    """The text query (everything when there is neither text nor ids) within the facet
    filters; with `also_ids`, documents matching the text or having one of these ids (what
    the semantic side found)."""
    also_ids = list(also_ids)
    if units and also_ids:
        text = tantivy.Query.boolean_query(
            [
                (tantivy.Occur.Should, _text_query(units)),
                (tantivy.Occur.Should, _ids_query(also_ids)),
            ]
        )
    elif units:
        text = _text_query(units)
    elif also_ids:
        text = _ids_query(also_ids)
    else:
        text = tantivy.Query.all_query()
    clauses = [(tantivy.Occur.Must, text)]
    clauses.extend(facet_filter_clauses(filters))
    return tantivy.Query.boolean_query(clauses)


def _ids_query(ids: list[str]) -> tantivy.Query:
    # No score of its own: in a fused ranking the semantic side ranks these documents.
    return tantivy.Query.const_score_query(tantivy.Query.term_set_query(SCHEMA, "id", ids), 0.0)
