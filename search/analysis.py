"""Text analysis shared by indexing and querying, so both sides produce the same terms.

Korean runs go through kiwipiepy (content morphemes only; it already splits compound nouns
such as 방역수칙 -> 방역 + 수칙); everything else is lower-cased and Snowball-stemmed with
Tantivy's own analyser, so "screening", "screened" and "screen" become one term.
"""

from __future__ import annotations

import os
import re
import threading
from functools import lru_cache

import tantivy

# Hangul syllables and jamo, allowing spaces inside a run so kiwi sees whole phrases.
HANGUL = r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3]"
HANGUL_CHAR = re.compile(HANGUL)
# Chinese characters and Japanese kana: written without spaces, so the simple tokenizer
# would make a whole sentence one term. They are indexed as overlapping pairs of
# characters (as Elasticsearch's cjk analyzer does): a query's pairs then find any span.
CJK = r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"
SCRIPT_RUN = re.compile(rf"{HANGUL}+(?:[ \t]+{HANGUL}+)*|{CJK}+")

# Content morphemes: nouns (not bound nouns such as 것), verb/adjective stems, roots, and
# foreign words, Chinese characters and numbers inside Korean text.
KOREAN_CONTENT_TAGS = ("NNG", "NNP", "NR", "NP", "VV", "VA", "XR", "SL", "SH", "SN")

# Longer "nouns" are junk (a run of syllables without spaces); splitting them costs O(n²).
MAX_COMPOUND_CHARS = 12

_kiwi_lock = threading.Lock()


# Kiwi's model analyses about 25,000 characters a second per core; a batch of runs is spread
# over this many threads, which doubles indexing speed on two cores.
KIWI_WORKERS = max(1, min(4, os.cpu_count() or 1))


@lru_cache(maxsize=1)
def _kiwi():
    from kiwipiepy import Kiwi  # loading the model takes about a second: only when needed

    global _kiwi_pid
    _kiwi_pid = os.getpid()
    return Kiwi(num_workers=KIWI_WORKERS)


# The process that built Kiwi, whose worker threads it owns. gunicorn's --preload builds it
# once in the master so that every worker shares the model's ~500 MB copy-on-write; a forked
# worker inherits the model but not the threads, and a batch handed to them never returns.
_kiwi_pid: int | None = None


# Text in Latin script is stemmed in its document's language where Snowball has a stemmer we
# ship a language for (Elasticsearch's french and spanish analyzers use the same light
# stemmers' family); English otherwise, which most of the content is.
STEMMERS = {"fr": "french", "es": "spanish"}


def stemmer_for(language: str | None) -> str:
    return STEMMERS.get((language or "").split("-")[0].lower(), "english")


@lru_cache(maxsize=4)
def _latin_analyser(stemmer: str = "english") -> tantivy.TextAnalyzer:
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(40))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.stemmer(stemmer))
        .build()
    )


# Arabic, as Elasticsearch's `arabic` analyzer treats it (Lucene's ArabicNormalizer and
# ArabicStemmer, a light stemmer): hamza forms of alef, dotless yeh and teh marbuta folded,
# diacritics and tatweel removed; then one article or conjunction prefix and the common
# suffixes stripped, so كمامات and كمامة (masks, mask) are one term.
ARABIC_WORD = re.compile(r"[\u0600-\u06ff]")
_ARABIC_FOLDING = str.maketrans(
    {
        "\u0622": "\u0627",
        "\u0623": "\u0627",
        "\u0625": "\u0627",
        "\u0649": "\u064a",
        "\u0629": "\u0647",
    }
)
_ARABIC_MARKS = re.compile(r"[\u0640\u064b-\u0652]")
ARABIC_PREFIXES = ("ال", "وال", "بال", "كال", "فال", "لل", "و")
# Lucene's list also has ية and ة, which never match after normalisation (ة becomes ه).
ARABIC_SUFFIXES = ("ها", "ان", "ات", "ون", "ين", "يه", "ه", "ي")


def normalise_arabic(text: str) -> str:
    return _ARABIC_MARKS.sub("", text.translate(_ARABIC_FOLDING))


@lru_cache(maxsize=20_000)
def stem_arabic(word: str) -> str:
    """Lucene's ArabicStemmer on a normalised word: the first prefix that leaves at least two
    letters (a lone و only on words of four or more), then every suffix in turn that does."""
    for prefix in ARABIC_PREFIXES:
        if len(prefix) == 1 and len(word) < 4:
            continue
        if len(word) >= len(prefix) + 2 and word.startswith(prefix):
            word = word[len(prefix) :]
            break
    for suffix in ARABIC_SUFFIXES:
        if len(word) >= len(suffix) + 2 and word.endswith(suffix):
            word = word[: -len(suffix)]
    return word


def _other_terms(text: str, stemmer: str) -> list[str]:
    """Terms of text outside Korean, Chinese and Japanese runs: stemmed by `stemmer`, and
    Arabic words normalised and stemmed."""
    if not ARABIC_WORD.search(text):
        return _latin_analyser(stemmer).analyze(text)
    terms = _latin_analyser(stemmer).analyze(normalise_arabic(text))
    return [stem_arabic(term) if ARABIC_WORD.search(term) else term for term in terms]


def _tokenize(text: str):
    with _kiwi_lock:  # a Kiwi instance is not documented as thread-safe
        return _kiwi().tokenize(text)


def _tokenize_batch(texts: list[str]) -> list:
    """Token lists for several texts at once, analysed in parallel by Kiwi's workers."""
    if len(texts) == 1 or _kiwi_pid not in (None, os.getpid()):
        # One text, or a forked process (see _kiwi_pid): analysed here, one after another.
        return [_tokenize(text) for text in texts]
    with _kiwi_lock:
        return list(_kiwi().tokenize(texts))


@lru_cache(maxsize=20_000)
def _is_known_noun(word: str) -> bool:
    tokens = _tokenize(word)
    return len(tokens) == 1 and tokens[0].tag.startswith("NN") and not tokens[0].oov


@lru_cache(maxsize=20_000)
def split_compound_noun(noun: str) -> tuple[str, ...]:
    """Known nouns that make up an unknown compound (재난지원금 -> 재난, 지원금), or ().

    Kiwi splits most compounds itself, but keeps some whole when it has not seen them
    (재난지원금 before a particle), and then 지원금 would not find them.
    """
    if not 3 <= len(noun) <= MAX_COMPOUND_CHARS:
        return ()
    for cut in range(len(noun) - 1, 0, -1):  # longest known head first
        head, rest = noun[:cut], noun[cut:]
        if not _is_known_noun(head):
            continue
        if _is_known_noun(rest):
            return (head, rest)
        tail = split_compound_noun(rest)
        if tail:
            return (head, *tail)
    return ()


def _korean_terms(tokens, for_query: bool) -> list[str]:
    terms = []
    for token in tokens:
        tag = token.tag.split("-")[0]  # "VV-R" (irregular) counts as "VV"
        if tag not in KOREAN_CONTENT_TAGS:
            continue
        form = token.form.lower()
        if " " in form:  # kiwi may return a multi-word entry ("코로나바이러스 감염증")
            terms.extend(form.split())
            continue
        parts = split_compound_noun(form) if token.oov and tag.startswith("NN") else ()
        if not parts:
            terms.append(form)
        elif for_query:
            terms.extend(parts)  # the parts alone find both the compound and its spaced form
        else:
            terms.extend((form, *parts))
    return terms


def cjk_bigrams(run: str) -> list[str]:
    """Overlapping character pairs of a Chinese or Japanese run; one character stays whole."""
    if len(run) == 1:
        return [run]
    return [run[i : i + 2] for i in range(len(run) - 1)]


def analyse(text: str, for_query: bool = False, language: str = "en") -> list[str]:
    """The index terms of `text`, in order (positions matter for phrase queries); Latin
    script stemmed for `language` (stemmer_for)."""
    if not text:
        return []
    stemmer = stemmer_for(language)
    text = text.replace("\x00", " ")
    runs = list(SCRIPT_RUN.finditer(text))
    if not runs:
        return _other_terms(text, stemmer)
    korean_runs = [run.group() for run in runs if HANGUL_CHAR.match(run.group())]
    korean_tokens = iter(_tokenize_batch(korean_runs) if korean_runs else [])
    terms: list[str] = []
    position = 0
    for run in runs:
        terms.extend(_other_terms(text[position : run.start()], stemmer))
        if HANGUL_CHAR.match(run.group()):
            terms.extend(_korean_terms(next(korean_tokens), for_query))
        else:
            terms.extend(cjk_bigrams(run.group()))
        position = run.end()
    terms.extend(_other_terms(text[position:], stemmer))
    return terms


def warm_up() -> None:
    """Load Kiwi's model now (2-3 s) rather than in the first visitor's search.

    Called once per web and worker process at start-up (cac/wsgi.py, cac/celery.py).
    """
    analyse("방역 수칙을 지킵니다 screening")
