"""The Tantivy schema, and how a SearchDocument becomes a Tantivy document.

Text is analysed by search.analysis (kiwi for Korean, stemming for the rest) and stored as
whitespace-separated terms in "*_terms" fields; originals travel in a stored JSON payload.
"""

from __future__ import annotations

import json
import re
import zlib
from collections.abc import Iterable
from datetime import date, datetime

import tantivy

from search.analysis import analyse
from search.engines.base import FACET_FIELDS, SearchDocument
from search.engines.common import FIELD_BOOSTS as SOURCE_BOOSTS
from search.engines.common import SNIPPET_SOURCE_CHARS, date_order, facet_values, started_day

# Analysed fields, the SearchDocument text each is analysed from, and how much a match in
# each counts (common.FIELD_BOOSTS, the same in both engines).
SOURCE_FIELDS = {
    "title_terms": "title",
    "summary_terms": "summary",
    "body_terms": "body",
    "attachments_terms": "attachments_text",
}
FIELD_BOOSTS = {field_name: SOURCE_BOOSTS[source] for field_name, source in SOURCE_FIELDS.items()}
WORD = re.compile(r"\w+", re.UNICODE)
# The stored document keeps only what snippets read of its long texts: a hit's document is
# read and parsed whole, and the index finds words anywhere in the full text anyway.
STORED_TEXT_FIELDS = ("summary", "body", "attachments_text")
# Bumped whenever the schema or the analysis changes (4: CJK bigrams; 5: Arabic normalised and
# stemmed, French and Spanish documents stemmed in their language; 6: the status facet;
# 7: started_day, for the date range): an index of another format must be rebuilt.
INDEX_FORMAT = "7"
FORMAT_FILE = "cac-index-format"
MAX_PREFIX_CHARS = 20  # autocomplete completes words up to this long


def bigram_field(field_name: str) -> str:
    return field_name.replace("_terms", "_bigrams")


def bigrams(terms: list[str] | tuple[str, ...]) -> list[str]:
    # Terms never hold "_": the analysers split on non-word characters and Hangul runs.
    return [f"{first}_{second}" for first, second in zip(terms, terms[1:], strict=False)]


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", stored=True, tokenizer_name="raw")
    builder.add_text_field("fingerprint", stored=True, tokenizer_name="raw", index_option="basic")
    for field_name in FIELD_BOOSTS:
        builder.add_text_field(field_name, tokenizer_name="whitespace", index_option="freq")
        # Adjacent term pairs ("self_isol"): a phrase becomes term lookups, which cost a
        # tenth of a positional phrase query on a large index.
        builder.add_text_field(
            bigram_field(field_name), tokenizer_name="whitespace", index_option="freq"
        )
    # Every prefix of the title's words and terms, for autocomplete.
    builder.add_text_field("title_prefixes", tokenizer_name="whitespace", index_option="basic")
    # Lower-cased surface words (not stems), the vocabulary for spelling suggestions.
    builder.add_text_field("words", tokenizer_name="whitespace", index_option="basic")
    for facet in FACET_FIELDS:
        builder.add_text_field(facet, tokenizer_name="raw", index_option="basic", fast=True)
    # The translation group as text (filters, exact counts) and as a number (collapsing).
    builder.add_text_field("group", tokenizer_name="raw", index_option="basic", fast=True)
    builder.add_unsigned_field("group_code", fast=True)
    builder.add_unsigned_field("date_order", fast=True)
    # The start date as a day number (common.started_day), for the date range; absent
    # without a start date.
    builder.add_unsigned_field("started_day", fast=True, indexed=True)
    builder.add_bytes_field("payload", stored=True)
    return builder.build()


SCHEMA = _schema()


def code(text: str) -> int:
    """A stable 64-bit number for a string, so fast fields can carry it."""
    digest = zlib.crc32(text.encode()) << 32
    return digest | zlib.adler32(text.encode())


def group_of(document: SearchDocument) -> str:
    return document.translation_key or document.id


def payload(document: SearchDocument) -> bytes:
    data = {
        **document.__dict__,
        **{name: getattr(document, name)[:SNIPPET_SOURCE_CHARS] for name in STORED_TEXT_FIELDS},
        "topics": list(document.topics),
        "started": document.started.isoformat() if document.started else None,
        "published": document.published.isoformat() if document.published else None,
    }
    return json.dumps(data, ensure_ascii=False).encode()


def document_from_payload(raw: bytes) -> SearchDocument:
    """The stored document; its summary, body and attachment text cut to SNIPPET_SOURCE_CHARS
    (an index written before that cut holds them whole, until it is rebuilt)."""
    data = json.loads(raw)
    data["topics"] = tuple(data["topics"])
    data["started"] = date.fromisoformat(data["started"]) if data["started"] else None
    data["published"] = datetime.fromisoformat(data["published"]) if data["published"] else None
    return SearchDocument(**data)


def stored_document(searcher: tantivy.Searcher, address: tantivy.DocAddress) -> SearchDocument:
    """The SearchDocument stored at this address."""
    return document_from_payload(searcher.doc(address).get_first("payload"))


def _prefixes(words: Iterable[str]) -> str:
    prefixes = set()
    for word in words:
        for end in range(1, min(len(word), MAX_PREFIX_CHARS) + 1):
            prefixes.add(word[:end])
    return " ".join(sorted(prefixes))


def surface_words(text: str) -> list[str]:
    return [word for word in WORD.findall(text.lower()) if not word.isdigit()]


def tantivy_document(document: SearchDocument) -> tantivy.Document:
    doc = tantivy.Document()
    doc.add_text("id", document.id)
    doc.add_text("fingerprint", document.fingerprint)
    title_terms = analyse(document.title, language=document.locale)
    for field_name, source in SOURCE_FIELDS.items():
        terms = (
            title_terms
            if source == "title"
            else analyse(getattr(document, source), language=document.locale)
        )
        doc.add_text(field_name, " ".join(terms))
        doc.add_text(bigram_field(field_name), " ".join(bigrams(terms)))
    doc.add_text("title_prefixes", _prefixes([*title_terms, *surface_words(document.title)]))
    vocabulary = " ".join([document.title, document.summary, document.body])
    doc.add_text("words", " ".join(dict.fromkeys(surface_words(vocabulary))))
    for facet, values in facet_values(document).items():
        for value in values:
            doc.add_text(facet, value)
    doc.add_text("group", group_of(document))
    doc.add_unsigned("group_code", code(group_of(document)))
    doc.add_unsigned("date_order", date_order(document))
    day = started_day(document)
    if day is not None:
        doc.add_unsigned("started_day", day)
    doc.add_bytes("payload", payload(document))
    return doc
