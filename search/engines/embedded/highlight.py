"""Snippets: an escaped extract of a text around its first match, matched words marked."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from functools import lru_cache

from search.analysis import STEMMERS, analyse
from search.engines.base import HIGHLIGHT_END, HIGHLIGHT_START, SearchDocument
from search.engines.common import SNIPPET_CHARS, SNIPPET_SOURCE_CHARS, shorten
from search.engines.embedded.schema import WORD

WORD_CHAR = re.compile(r"\w", re.UNICODE)


@lru_cache(maxsize=50_000)
def _word_terms(word: str) -> frozenset[str]:
    # Every stemming a document may have had (analysis.STEMMERS): a snippet marks the word
    # whatever its language.
    return frozenset(
        term for language in ("en", *STEMMERS) for term in analyse(word, language=language)
    )


def _is_match(word: str, terms: set[str]) -> bool:
    # Cheap pre-check before analysing: a stem's first letters occur in the word itself
    # ("studi" -> "stud" in "study"); Korean stems that change form may go unmarked.
    lowered = word.lower()
    return any(term[:4] in lowered for term in terms) and not terms.isdisjoint(_word_terms(word))


@lru_cache(maxsize=256)
def _prefix_finder(prefixes: frozenset[str]) -> re.Pattern[str]:
    alternatives = sorted(prefixes, key=len, reverse=True)
    return re.compile("|".join(re.escape(prefix) for prefix in alternatives), re.IGNORECASE)


def _matching_words(text: str, terms: set[str], start: int, end: int) -> Iterator[re.Match]:
    """The words of text[start:end] that match `terms`, in order.

    A regular expression jumps to the words that hold a term's first letters (_is_match's
    pre-check), so the words between cost nothing in Python; only those are analysed.
    """
    prefixes = frozenset(term[:4] for term in terms if term)
    if not prefixes:
        return
    finder = _prefix_finder(prefixes)
    position = start
    while (candidate := finder.search(text, position, end)) is not None:
        begin = candidate.start()
        while begin > position and WORD_CHAR.match(text, begin - 1):
            begin -= 1
        word = WORD.match(text, begin, end)
        if word is None:  # a prefix that starts with a non-word character
            position = candidate.start() + 1
            continue
        if _is_match(word.group(), terms):
            yield word
        position = word.end()


def highlight(
    text: str,
    terms: set[str],
    max_chars: int = SNIPPET_CHARS,
    max_source_chars: int = SNIPPET_SOURCE_CHARS,
) -> str:
    """An escaped extract of `text` around its first match, matched words in marks.

    Matches are looked for in the first `max_source_chars` characters only, so the cost is
    bounded whatever the text's length; without a match there, the extract is the text's start.
    """
    if not text:
        return ""
    source_end = min(len(text), max_source_chars)
    first = next(_matching_words(text, terms, 0, source_end), None) if terms else None
    start = 0
    if first is not None:
        start = max(0, first.start() - max_chars // 4)
        while start > 0 and not text[start - 1].isspace():
            start -= 1
    end = min(len(text), start + max_chars)
    while end < len(text) and not text[end].isspace() and end - start < max_chars + 30:
        end += 1
    spans = []
    if first is not None:
        spans.append(first.span())
        for match in _matching_words(text, terms, first.end(), source_end):
            if match.end() > end:
                break
            spans.append(match.span())
    parts = ["…"] if start > 0 else []
    cursor = start
    for span_start, span_end in spans:
        if span_start < start or span_end > end:
            continue
        parts.append(html.escape(text[cursor:span_start]))
        parts.append(HIGHLIGHT_START + html.escape(text[span_start:span_end]) + HIGHLIGHT_END)
        cursor = span_end
    parts.append(html.escape(text[cursor:end]))
    if end < len(text):
        parts.append("…")
    return "".join(parts).strip()


def snippet(document: SearchDocument, terms: set[str]) -> str:
    """The first highlighted extract of the summary, body or attachment text; else the start
    of the first of them that has text, shortened as Elasticsearch's hits are."""
    texts = [document.summary, document.body, document.attachments_text]
    if terms:
        for text in texts:
            extract = highlight(text, terms)
            if HIGHLIGHT_START in extract:
                return extract
    return html.escape(shorten(next((text for text in texts if text), "")))
