"""The embedded engine's vector search (search/engines/embedded/vectors.py): filters, excluded
groups and floors hold, and scores are centred on each language's mean."""

from __future__ import annotations

import numpy as np
import pytest

from search.engines.base import DocumentVectors, SearchDocument
from search.engines.embedded import vectors as vectors_module
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


def _unit(vector: np.ndarray) -> np.ndarray:
    return (vector / np.linalg.norm(vector)).astype(np.float32)


def test_scores_are_centred_on_each_languages_mean(tmp_path):
    """Every Korean document leans towards the query (a model's bias for a language), one
    English document is about it: centred, the English one ranks first."""
    rng = np.random.default_rng(3)
    query = np.zeros(64, dtype=np.float32)
    query[0] = 1.0

    def leaning(amount: float) -> np.ndarray:
        noise = rng.standard_normal(64).astype(np.float32)
        noise[0] = 0.0
        return _unit(amount * query + np.sqrt(1 - amount**2) * _unit(noise))

    def leaning_document(name: str, locale: str, amount: float) -> DocumentVectors:
        document = SearchDocument(
            id=name, translation_key=name, locale=locale, url="/", title=name, content_type="x"
        )
        return DocumentVectors(document, "model@1", leaning(amount)[None, :])

    items = [leaning_document(f"ko-{n}", "ko", 0.5) for n in range(12)]
    items += [leaning_document(f"en-{n}", "en", 0.45 if n == 0 else 0.0) for n in range(12)]
    store = VectorStore(tmp_path / "vectors")
    store.write(items)
    snapshot = store.snapshot()

    found = snapshot.search(query, "model@1", {}, limit=24)
    assert found[0].document_id == "en-0"
    # Raw, every Korean document would come first: 0.5 against 0.45.
    assert max(float(item.vectors[0] @ query) for item in items[12:]) < 0.5
    # A floor half a deviation above the mean keeps en-0 and drops the English documents
    # about nothing.
    kept = {m.document_id for m in snapshot.search(query, "model@1", {}, 24, min_z=0.5)}
    assert "en-0" in kept
    assert not any(name.startswith("en-") and name != "en-0" for name in kept)


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
    # min_score is on the raw similarity: above every one, nothing matches.
    assert snapshot.search(query, "model@1", {}, limit=5, min_score=1.01) == []
    assert len(snapshot.search(query, "model@1", {}, limit=5, min_score=-1.0)) == 5


def test_a_large_segment_searched_in_two_steps_ranks_as_the_exact_search(tmp_path, monkeypatch):
    """A segment past TWO_STEP_ROWS is written with its principal directions and reduced
    rows; its search (reduced first, then the best documents exactly) finds the groups the
    exact search finds, with the exact scores, and honours filters and the floor."""
    rng = np.random.default_rng(11)
    dimension = 48
    centres = rng.standard_normal((30, dimension)).astype(np.float32)
    items = []
    for number in range(1500):
        rows = centres[number % 30] + 0.6 * rng.standard_normal((3, dimension))
        rows = (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)
        items.append(DocumentVectors(_document(number), "model@1", rows))
    exact_store = VectorStore(tmp_path / "exact")
    exact_store.write(items)
    monkeypatch.setattr(vectors_module, "TWO_STEP_ROWS", 1000)
    monkeypatch.setattr(vectors_module, "REDUCED_DIMENSION", 16)
    monkeypatch.setattr(vectors_module, "RESCORED_DOCUMENTS", 200)
    two_step_store = VectorStore(tmp_path / "two-step")
    two_step_store.write(items)
    exact, two_step = exact_store.snapshot(), two_step_store.snapshot()
    assert exact.segments[0].reduced is None
    assert two_step.segments[0].reduced.shape == (4500, 16)

    for centre in centres[:10]:
        query = _unit(centre + 0.5 * rng.standard_normal(dimension).astype(np.float32))
        for filters in ({}, {"kind": ("guideline",)}, {"locale": ("ko",)}):
            wanted = exact.search(query, "model@1", filters, limit=20, min_z=0.5)
            found = two_step.search(query, "model@1", filters, limit=20, min_z=0.5)
            assert wanted
            # The top ten are the same groups; every score found is an exact best passage's,
            # centred on a mean within 0.005 of the exact one.
            assert _groups(found)[:10] == _groups(wanted)[:10]
            assert np.allclose(
                [m.score for m in found[:10]], [m.score for m in wanted[:10]], atol=0.005
            )
            if filters.get("locale") == ("ko",):
                assert all(int(m.document_id.split("-")[1]) % 2 == 0 for m in found)
