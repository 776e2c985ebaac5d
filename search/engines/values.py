"""The values engines exchange with the rest of the site, and the constants that shape them.

Re-exported by search.engines.base, where the rest of the code imports them from.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import date, datetime

import numpy as np

# Facets every engine counts, in the order the search page shows them.
FACET_FIELDS = ("topic", "kind", "status", "country", "city", "locale", "year")

# Around each highlighted match in a snippet; everything else in a snippet is HTML-escaped.
HIGHLIGHT_START = "<mark>"
HIGHLIGHT_END = "</mark>"


@dataclass(frozen=True)
class SearchDocument:
    """One live, public page in one locale, as the index holds it.

    Built only in search/documents.py, by `_build` (pages) and `_build_topic_area`: the outbox
    drain reaches them through build_documents_by_id(), rebuild and reconcile through
    iter_search_documents().
    """

    id: str  # "page-<pk>": each translation is its own page, so its own document
    translation_key: str  # Wagtail's translation group: translations share it
    locale: str  # "en", "ko", ...
    url: str
    title: str
    content_type: str  # "practice", "session", "session_summary", "topic_area"
    kind: str = ""  # a practice's kind; otherwise the content type
    status: str = ""  # a practice's status (planned, active, ended), when known
    summary: str = ""
    body: str = ""  # StreamField and rich text flattened to plain text
    attachments_text: str = ""  # text extracted from attached documents, when available
    topics: tuple[str, ...] = ()  # topic-area slugs
    city: str = ""  # the city's English name
    country: str = ""  # ISO 3166-1 alpha-2
    started: date | None = None
    published: datetime | None = None

    @property
    def fingerprint(self) -> str:
        """A digest of everything the index holds of this document.

        Engines store it beside the document; reconcile compares it with a freshly built
        document to find index entries that drifted from their page.
        """
        payload = json.dumps(asdict(self), sort_keys=True, default=str, ensure_ascii=False)
        return hashlib.blake2b(payload.encode(), digest_size=12).hexdigest()


@dataclass(frozen=True)
class QueryVector:
    """The query's embedding, and the key of the model that made it (search.semantic)."""

    model_key: str
    vector: np.ndarray = field(compare=False, repr=False)
    # Passages less similar than this do not match by meaning (the model's own calibration).
    min_similarity: float = -1.0
    # How much this model's ranking counts in the fusion (Embedder.fusion_weight).
    weight: float = 1.0


@dataclass(frozen=True)
class DocumentVectors:
    """A document's passage vectors, (passages, dimension) float32, from one model."""

    document: SearchDocument
    model_key: str
    vectors: np.ndarray = field(compare=False, repr=False)

    @property
    def fingerprint(self) -> str:
        """Which model embedded which version of the document: what reconcile compares."""
        return vector_fingerprint(self.model_key, self.document)


def vector_fingerprint(model_key: str, document: SearchDocument) -> str:
    return f"{model_key}/{document.fingerprint}"


@dataclass(frozen=True)
class SearchRequest:
    query: str = ""
    language: str = "en"  # the visitor's language: analysis hints and which translation to show
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)  # keys from FACET_FIELDS
    sort: str = "relevance"  # or "date" (newest first)
    # Documents that started (SearchDocument.started) within these days, both inclusive;
    # either may be None. With either set, documents with no start date are left out.
    date_from: date | None = None
    date_to: date | None = None
    page: int = 1
    page_size: int = 20
    collapse_translations: bool = True  # one hit per translation group
    # The query's embeddings, one per model: engines that hold vectors of a model also rank by
    # meaning with it and fuse the rankings with the words'. (): words only.
    query_vectors: tuple[QueryVector, ...] = ()


@dataclass(frozen=True)
class SearchHit:
    id: str
    translation_key: str
    locale: str
    url: str
    title: str
    snippet: str  # escaped HTML; only HIGHLIGHT_START/END are markup
    content_type: str
    kind: str
    topics: tuple[str, ...]
    city: str
    country: str
    started: date | None
    score: float = 0.0


@dataclass(frozen=True)
class FacetCount:
    value: str
    count: int


@dataclass(frozen=True)
class SearchResponse:
    total: int  # matching hits (translation groups, when collapsed)
    hits: list[SearchHit]
    facets: dict[str, list[FacetCount]]  # every key of FACET_FIELDS
    took_ms: float
    # A corrected query when the one asked matched nothing and a likely spelling exists.
    suggestion: str = ""


@dataclass(frozen=True)
class EngineHealth:
    ok: bool
    engine: str
    documents: int | None = None
    detail: str = ""


class EngineUnavailable(Exception):
    """The engine cannot be reached or refused the request; callers degrade, never crash."""
