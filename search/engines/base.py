"""The one small interface every search engine implements, and the values it exchanges.

SearchEngine.search is a template method: the steps both engines share (the request's bounds,
the visitor's translation of each collapsed group, the facets' order) run here, around the two
steps each engine does its own way (_search_page and _translations).
"""

from __future__ import annotations

import dataclasses
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable

from search.engines.common import (
    SNIPPET_SOURCE_CHARS,
    normalised_request,
    ordered_facet,
    prefer_language,
)
from search.engines.values import (
    FACET_FIELDS,
    HIGHLIGHT_END,
    HIGHLIGHT_START,
    DocumentVectors,
    EngineHealth,
    EngineUnavailable,
    FacetCount,
    QueryVector,
    SearchDocument,
    SearchHit,
    SearchRequest,
    SearchResponse,
    vector_fingerprint,
)

# The values are defined in .values (and SNIPPET_SOURCE_CHARS in .common) so that .common can
# use them without importing this module; the rest of the site imports them from here.
__all__ = [
    "FACET_FIELDS",
    "DocumentVectors",
    "QueryVector",
    "HIGHLIGHT_END",
    "HIGHLIGHT_START",
    "SNIPPET_SOURCE_CHARS",
    "EngineHealth",
    "EngineUnavailable",
    "FacetCount",
    "SearchDocument",
    "SearchEngine",
    "SearchHit",
    "SearchRequest",
    "SearchResponse",
    "VectorLookup",
    "vector_fingerprint",
]


VectorLookup = Callable[[list[SearchDocument]], list[DocumentVectors]]


class SearchEngine(ABC):
    name: str = "engine"

    @abstractmethod
    def index(self, documents: Iterable[SearchDocument]) -> None:
        """Add or replace these documents (by id). Visible to search when this returns."""

    @abstractmethod
    def delete(self, ids: Iterable[str]) -> None:
        """Remove these documents; unknown ids are ignored."""

    @abstractmethod
    def count(self) -> int: ...

    @abstractmethod
    def health(self) -> EngineHealth: ...

    def search(self, request: SearchRequest) -> SearchResponse:
        """Matching documents, facets and, when nothing matched, a spelling suggestion.

        The request is brought within bounds first (common.normalised_request: at most
        MAX_PAGE_SIZE hits a page). The engine finds the page (_search_page); then, when
        translations collapse, each group on the page shows its translation in the visitor's
        language where it has one (common.prefer_language, looking translations up with
        _translations); and every facet lists its values in the same order in every engine
        (common.ordered_facet).
        """
        request = normalised_request(request)
        response = self._search_page(request)
        hits = response.hits
        if request.collapse_translations and hits:
            hits = prefer_language(hits, request, self._translations)
        facets = {name: ordered_facet(response.facets.get(name, ())) for name in FACET_FIELDS}
        return dataclasses.replace(response, hits=hits, facets=facets)

    def warm_up(self, request: SearchRequest) -> None:
        """Open now what a process's first search would open, by running `request` (a server
        process calls this before its first request). A remote engine has nothing to open."""
        return None

    def sync_synonyms(self) -> None:
        """Bring the engine's copy of the synonym list up to date after editors changed it
        (search.tasks.sync_synonyms_task). Engines that read the list live have nothing to do."""
        return None

    @abstractmethod
    def _search_page(self, request: SearchRequest) -> SearchResponse:
        """The engine's own part of search(), for a normalised request.

        The total and the requested page of hits (one per translation group when collapsing,
        that group's best match), facet counts in any order, and, when nothing matched, a
        spelling suggestion.
        """

    @abstractmethod
    def _translations(self, request: SearchRequest, groups: list[str]) -> list[SearchHit]:
        """The documents of these translation groups in request.language, within the request's
        filters, as hits (one per group at most; scores are replaced by the group's)."""

    @abstractmethod
    def suggest(self, prefix: str, language: str = "en", limit: int = 8) -> list[str]:
        """Titles (or terms) that complete `prefix`, for autocomplete."""

    @abstractmethod
    def more_like_this(self, document_id: str, limit: int = 5) -> list[SearchHit]:
        """Documents similar to this one, never itself nor its translations."""

    @abstractmethod
    def indexed_versions(self) -> dict[str, str]:
        """Every indexed document's id with its stored SearchDocument.fingerprint."""

    @abstractmethod
    def rebuild(
        self, documents: Iterable[SearchDocument], vectors_for: VectorLookup | None = None
    ) -> int:
        """Build a new index aside from all documents, then swap it in. Returns the count.

        `vectors_for(batch)` gives the vectors it has of a batch of the documents, which go
        into the new index with them (search.semantic.vectors reads them from its cache)."""

    # -- vectors (search by meaning) ---------------------------------------------------------

    @abstractmethod
    def index_vectors(self, items: Iterable[DocumentVectors]) -> None:
        """Add or replace the passage vectors of documents already indexed. A document that
        is not in the index (deleted since) is skipped."""

    @abstractmethod
    def indexed_vector_versions(self) -> dict[str, set[str]]:
        """Every indexed document that has vectors, with their DocumentVectors.fingerprint
        (one per model that embedded it)."""
