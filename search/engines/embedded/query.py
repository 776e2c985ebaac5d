"""Queries built from analysed terms, never from raw query syntax, so no input can raise."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from functools import lru_cache

import tantivy

from search.analysis import CJK, analyse, stemmer_for
from search.engines.base import FACET_FIELDS, SearchRequest
from search.engines.common import started_day_bounds
from search.engines.embedded.schema import FIELD_BOOSTS, SCHEMA, bigram_field, bigrams

MAX_QUERY_CHARS = 500  # longer input is cut: nobody types more, and it bounds query cost
MAX_QUERY_UNITS = 32

# A query is a list of units that must all match; a unit is alternatives (synonyms), each
# alternative a sequence of terms (a phrase when longer than one).


class QueryUnits(list):
    """The units, and which of them came from a synonym group (the glossary bridges those to
    other languages)."""

    def __init__(self, units=(), from_glossary=()):
        super().__init__(units)
        self.from_glossary = tuple(from_glossary) or (False,) * len(self)


@lru_cache(maxsize=32)
def _analysed_synonyms(
    synonyms: tuple[tuple[str, ...], ...], language: str
) -> list[list[tuple[str, ...]]]:
    """Each group's terms as analysed term sequences, their stop words left out as the
    query's are (so "rastreo de contactos" matches the query of the same words); cached per
    language as the list rarely changes."""
    groups = []
    for group in synonyms:
        alternatives = dict.fromkeys(
            tuple(analyse(without_stop_words(term, language), for_query=True)) for term in group
        )
        groups.append([alt for alt in alternatives if alt])
    return groups


# Stop words are left out of a query (they would count towards the terms a relaxed match
# needs): English always, and the visitor's language's where Tantivy has a list; Arabic's
# most common particles and prepositions here.
STOP_WORD_LANGUAGES = {"en": "english", "fr": "french", "es": "spanish"}
ARABIC_STOP_WORDS = frozenset(
    [
        "في",
        "من",
        "على",
        "إلى",
        "الى",
        "عن",
        "مع",
        "هذا",
        "هذه",
        "ذلك",
        "التي",
        "الذي",
        "الذين",
        "و",
        "او",
        "أو",
        "ما",
        "ماذا",
        "كيف",
        "هل",
        "لا",
        "ثم",
        "قد",
        "كان",
        "كانت",
        "هو",
        "هي",
        "هم",
        "أن",
        "ان",
        "إن",
    ]
)
_WORD = re.compile(r"\w+", re.UNICODE)
_CJK_CHAR = re.compile(CJK)


@lru_cache(maxsize=8)
def _stop_word_filter(language: str) -> tantivy.TextAnalyzer:
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.stopword(language))
        .build()
    )


@lru_cache(maxsize=4096)
def is_stop_word(word: str, language: str) -> bool:
    word = word.lower()
    if word in ARABIC_STOP_WORDS:
        return True
    languages = {"english", STOP_WORD_LANGUAGES.get(language, "english")}
    return any(not _stop_word_filter(name).analyze(word) for name in languages)


def without_stop_words(text: str, language: str = "en") -> str:
    """`text` with its stop words left out, unless nothing else would remain."""
    words = _WORD.findall(text)
    if not words or all(is_stop_word(word, language) for word in words):
        return text
    return _WORD.sub(
        lambda match: " " if is_stop_word(match.group(), language) else match.group(), text
    )


def _continues(before: str, after: str) -> bool:
    """Whether `after` begins with the Chinese or Japanese character `before` ends with: two
    overlapping character pairs (マスク配布 is マス スク ク配 配布; with マスク matched by the
    glossary, the pair ク配 across its edge belongs to neither side)."""
    return (
        bool(before)
        and bool(after)
        and after[0] == before[-1]
        and bool(_CJK_CHAR.fullmatch(after[0]))
    )


def expand_query(
    text: str, synonyms: Iterable[tuple[str, ...]], language: str = "en"
) -> QueryUnits:
    """Analysed query terms, each grouped with its synonyms (multi-word ones as phrases);
    stop words left out (without_stop_words)."""
    cleaned = without_stop_words(text[:MAX_QUERY_CHARS], language)
    terms = analyse(cleaned, for_query=True)
    # The visitor's language's stems too, for documents stemmed in it (analysis.STEMMERS);
    # the same tokenizer makes the same number of terms.
    own = terms
    if stemmer_for(language) != stemmer_for("en"):
        own = analyse(cleaned, for_query=True, language=language)
        own = own if len(own) == len(terms) else terms
    groups = _analysed_synonyms(tuple(tuple(group) for group in synonyms), language)
    units: list[list[tuple[str, ...]]] = []
    plain: list[bool] = []  # per unit: a lone query term, not a synonym group
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
            previous = units[-1][0][0] if plain and plain[-1] else ""
            if len(previous) == 2 and _continues(previous, terms[position]):
                units.pop()
                plain.pop()
            units.append(best[1])
            plain.append(False)
            position += best[0]
            following = terms[position] if position < len(terms) else ""
            if len(following) == 2 and _continues(terms[position - 1], following):
                position += 1
        else:
            units.append(list(dict.fromkeys([(terms[position],), (own[position],)])))
            plain.append(True)
            position += 1
    return QueryUnits(units, [not each for each in plain])


def highlight_terms(units: QueryUnits) -> set[str]:
    """Every term of every alternative: what snippets mark."""
    return {term for unit in units for alternative in unit for term in alternative}


# Elasticsearch's minimum_should_match "2<75%": up to two terms, all are needed; from three,
# three quarters of them (rounded down).
def minimum_should_match(count: int) -> int:
    return count if count <= 2 else math.floor(count * 0.75)


def relaxed_text_query(units: QueryUnits, bridge: bool = False) -> tantivy.Query | None:
    """Documents with at least minimum_should_match(len(units)) of the units; None when that
    is all of them (the strict query then says the same).

    One boolean query with Tantivy's minimum_number_should_match, scored by the units that
    match, as Elasticsearch's bool query. (It was one conjunction per combination of units:
    45 of them for a ten-word question, which took 70 ms a search at 100,000 documents.)

    With `bridge`, also documents with all of the query's glossary units (synonym groups):
    what the query's words say in another language, where the rest of its words have no
    translation (소상공인 생존자금 finds "small business" practices written in English)."""
    count = len(units)
    needed = minimum_should_match(count)
    unit_queries = [_unit_query(alternatives) for alternatives in units]
    alternatives = []
    if needed < count:
        alternatives.append(
            tantivy.Query.boolean_query(
                [(tantivy.Occur.Should, query) for query in unit_queries],
                minimum_number_should_match=needed,
            )
        )
    glossary = [index for index, glossary_unit in enumerate(units.from_glossary) if glossary_unit]
    if bridge and 0 < len(glossary) < count:
        alternatives.append(
            tantivy.Query.boolean_query(
                [(tantivy.Occur.Must, unit_queries[index]) for index in glossary]
            )
        )
    if not alternatives:
        return None
    if len(alternatives) == 1:
        return alternatives[0]
    return tantivy.Query.boolean_query(
        [(tantivy.Occur.Should, alternative) for alternative in alternatives]
    )


def _text_query(units: QueryUnits) -> tantivy.Query:
    return tantivy.Query.boolean_query(
        [(tantivy.Occur.Must, _unit_query(alternatives)) for alternatives in units]
    )


def _unit_query(alternatives: list[tuple[str, ...]]) -> tantivy.Query:
    """One unit of the query: any of its alternatives, in any field, weighted by field."""
    # A phrase containing a term that is itself an alternative finds nothing more.
    single = {alternative[0] for alternative in alternatives if len(alternative) == 1}
    should = []
    for alternative in alternatives:
        if len(alternative) > 1 and single.intersection(alternative):
            continue
        for field_name, boost in FIELD_BOOSTS.items():
            query = _phrase_query(field_name, alternative)
            should.append((tantivy.Occur.Should, tantivy.Query.boost_query(query, boost)))
    return tantivy.Query.boolean_query(should)


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


def request_filter_clauses(request: SearchRequest) -> list[tuple]:
    """One clause per facet filter (filters as common.normalised_request leaves them), and
    one for the date range: a range over `started_day`, which a document without a start
    date does not have, so it never matches a range."""
    clauses = [
        filter_clause(name, values)
        for name, values in request.filters.items()
        if name in FACET_FIELDS and values
    ]
    bounds = started_day_bounds(request)
    if bounds is not None:
        days = tantivy.Query.range_query(
            SCHEMA, "started_day", tantivy.FieldType.Unsigned, bounds[0], bounds[1]
        )
        clauses.append((tantivy.Occur.Must, tantivy.Query.const_score_query(days, 0.0)))
    return clauses


def build_query(
    units: QueryUnits,
    request: SearchRequest,
    also_ids: Iterable[str] = (),
    relaxed: bool = False,
    bridge: bool = False,
) -> tantivy.Query:
    """The text query (everything when there is neither text nor ids) within the request's
    facet filters and date range; with `also_ids`, documents matching the text or having
    one of these ids (what the semantic side found). Relaxed, the text needs only
    minimum_should_match of its terms."""
    also_ids = list(also_ids)
    words = None
    if units:
        words = (relaxed and relaxed_text_query(units, bridge)) or _text_query(units)
    if words is not None and also_ids:
        text = tantivy.Query.boolean_query(
            [
                (tantivy.Occur.Should, words),
                (tantivy.Occur.Should, _ids_query(also_ids)),
            ]
        )
    elif words is not None:
        text = words
    elif also_ids:
        text = _ids_query(also_ids)
    else:
        text = tantivy.Query.all_query()
    clauses = [(tantivy.Occur.Must, text)]
    clauses.extend(request_filter_clauses(request))
    return tantivy.Query.boolean_query(clauses)


def _ids_query(ids: list[str]) -> tantivy.Query:
    # No score of its own: in a fused ranking the semantic side ranks these documents.
    return tantivy.Query.const_score_query(tantivy.Query.term_set_query(SCHEMA, "id", ids), 0.0)
