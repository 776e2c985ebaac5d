"""The Elasticsearch engine (see engine.py): mapping, request bodies, response parsing, and the
cluster's lifecycle (template, aliases, synonyms, writes, rebuild)."""

from search.engines.elasticsearch.bodies import VERSIONS_PAGE_SIZE
from search.engines.elasticsearch.engine import ElasticsearchEngine
from search.engines.elasticsearch.mapping import document_source, synonym_rules
from search.engines.elasticsearch.responses import parse_search_response

__all__ = [
    "VERSIONS_PAGE_SIZE",
    "ElasticsearchEngine",
    "document_source",
    "parse_search_response",
    "synonym_rules",
]
