"""Spelling suggestions ("did you mean"): unknown words become the closest frequent word."""

from __future__ import annotations

from collections.abc import Iterable

import tantivy

from search.engines.base import SearchRequest
from search.engines.embedded.query import MAX_QUERY_CHARS, build_query, expand_query
from search.engines.embedded.schema import WORD

SPELLING_MIN_DOCS = 1
MAX_WORDS = 8  # longer queries get no suggestion: each word costs a scan of its letter's words


def edit_distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance with adjacent transpositions, giving up above `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, char_b in enumerate(b, 1):
            cost = char_a != char_b
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and char_a == b[j - 2] and a[i - 2] == char_b:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def spelling_suggestion(
    searcher: tantivy.Searcher, request: SearchRequest, synonyms: Iterable[tuple[str, ...]]
) -> str:
    """The query with unknown words replaced by the closest frequent indexed word, if the
    corrected query finds something; "" otherwise."""
    text = (request.query or "")[:MAX_QUERY_CHARS]
    words = WORD.findall(text.lower())
    if not words or len(words) > MAX_WORDS:
        return ""
    corrected, changed = [], False
    for word in words:
        replacement = closest_word(searcher, word)
        corrected.append(replacement or word)
        changed = changed or bool(replacement)
    if not changed:
        return ""
    suggestion = " ".join(corrected)
    units = expand_query(suggestion, synonyms)
    if not units:
        return ""
    found = searcher.search(build_query(units, request), limit=1, count=True).count
    return suggestion if found >= SPELLING_MIN_DOCS else ""


def closest_word(searcher: tantivy.Searcher, word: str) -> str:
    """A known word one or two edits away from an unknown `word`, the most frequent first."""
    if word.isdigit() or len(word) < 3 or searcher.doc_freq("words", word):
        return ""
    limit = 1 if len(word) <= 5 else 2
    candidates = []
    # Typos rarely hit the first letter; reading one letter's words keeps this cheap.
    for candidate, frequency in searcher.terms_with_prefix("words", word[0]):
        if abs(len(candidate) - len(word)) > limit:
            continue
        distance = edit_distance(word, candidate, limit)
        if distance <= limit:
            candidates.append((distance, -frequency, candidate))
    return min(candidates)[2] if candidates else ""
