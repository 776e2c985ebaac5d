"""The embedded engine's vector search: the two-step path for large segments (a first pass
over reduced rows, then the exact scores of the candidates) finds what the exact search finds,
and filters hold in both (search/engines/embedded/vectors.py)."""

from __future__ import annotations

import numpy as np
import pytest

from search.engines.base import DocumentVectors, SearchDocument
from search.engines.embedded import vectors as vector_module
from search.engines.embedded.vectors import VectorStore


def _document(number: int) -> SearchDocument:
    return SearchDocument(
        id=f"page-{number}",
        translation_key=f"group-{number // 2}",  # two documents per translation group
        locale="en" if number % 2 else "ko",
        url=f"/en/{number}/",
        title=f"Document {number}",
        content_type="practice",
        kind="guideline" if number % 3 == 0 else "news",
    )


@pytest.fixture
def snapshot(tmp_path):
    rng = np.random.default_rng(7)
    centres = rng.standard_normal((20, 32)).astype(np.float32)
    items = []
    for number in range(600):
        rows = centres[number % 20] + 0.3 * rng.standard_normal((3, 32)).astype(np.float32)
        rows /= np.linalg.norm(rows, axis=1, keepdims=True)
        items.append(DocumentVectors(_document(number), "model@1", rows))
    store = VectorStore(tmp_path / "vectors")
    store.write(items)
    return store.snapshot(), centres


def _groups(matches) -> list[str]:
    return [match.group for match in matches]


@pytest.mark.parametrize(
    "filters", [{}, {"kind": ("guideline",)}, {"locale": ("en",), "kind": ("news", "guideline")}]
)
def test_two_step_search_finds_the_exact_searchs_groups(snapshot, monkeypatch, filters):
    snapshot, centres = snapshot
    query = centres[3] / np.linalg.norm(centres[3])
    exact = snapshot.search(query, "model@1", filters, limit=10)
    monkeypatch.setattr(vector_module, "APPROXIMATE_ROWS", 100)
    monkeypatch.setattr(vector_module, "CANDIDATES", 200)
    monkeypatch.setattr(vector_module, "REDUCED_DIMENSION", 16)
    snapshot.segments[0]._reduced = None
    two_step = snapshot.search(query, "model@1", filters, limit=10)
    assert _groups(two_step) == _groups(exact)
    assert [match.score for match in two_step] == pytest.approx([m.score for m in exact])
    assert len({match.group for match in exact}) == 10


def test_filters_keep_only_matching_documents(snapshot):
    snapshot, centres = snapshot
    query = centres[5] / np.linalg.norm(centres[5])
    found = snapshot.search(query, "model@1", {"kind": ("guideline",)}, limit=50)
    assert found
    assert all(int(match.document_id.split("-")[1]) % 3 == 0 for match in found)
    assert snapshot.search(query, "model@1", {"kind": ("no-such-kind",)}, limit=5) == []


def test_excluded_groups_and_min_score_are_honoured(snapshot):
    snapshot, centres = snapshot
    query = centres[1] / np.linalg.norm(centres[1])
    best = snapshot.search(query, "model@1", {}, limit=5)
    without = snapshot.search(
        query, "model@1", {}, limit=5, exclude_groups=frozenset({best[0].group})
    )
    assert best[0].group not in _groups(without)
    assert len(without) == 5
    threshold = best[2].score
    assert all(m.score >= threshold for m in snapshot.search(query, "model@1", {}, 5, threshold))
