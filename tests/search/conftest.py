"""Fixtures shared by the search tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.search.elasticsearch_fake import FakeElasticsearch, running_fake


@pytest.fixture
def fake_es() -> Iterator[tuple[FakeElasticsearch, str]]:
    """A stand-in for Elasticsearch at the HTTP boundary (tests/search/elasticsearch_fake.py)
    and its URL."""
    with running_fake() as (fake, url):
        yield fake, url
