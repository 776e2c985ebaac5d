"""Which engine serves this process: Elasticsearch when configured, else the embedded index."""

from __future__ import annotations

from functools import cache

from django.conf import settings

from search.engines.base import SearchEngine


@cache
def get_engine() -> SearchEngine:
    """The process-wide engine; cached because both engines hold clients or open index handles.

    Tests that change settings call get_engine.cache_clear().
    """
    if settings.ELASTICSEARCH_URL:
        # Imported here: only the engine this deployment uses is loaded.
        from search.engines.elasticsearch import ElasticsearchEngine

        return ElasticsearchEngine(
            settings.ELASTICSEARCH_URL,
            prefix=getattr(settings, "ELASTICSEARCH_INDEX_PREFIX", "cac-knowledge"),
            ca_certs=getattr(settings, "ELASTICSEARCH_CA_CERTS", None),
            ssl_assert_fingerprint=getattr(settings, "ELASTICSEARCH_SSL_FINGERPRINT", None),
            api_key=getattr(settings, "ELASTICSEARCH_API_KEY", None),
        )
    # Imported lazily: the embedded engine loads Tantivy and kiwipiepy, which ES deployments skip.
    from search.engines.embedded import EmbeddedEngine

    return EmbeddedEngine(settings.SEARCH_INDEX_DIR)
