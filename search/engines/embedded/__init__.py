"""The embedded engine: a Tantivy index on local disk (see engine.py)."""

from search.engines.embedded.engine import EmbeddedEngine
from search.engines.embedded.highlight import highlight
from search.engines.embedded.query import expand_query
from search.engines.embedded.schema import FORMAT_FILE, INDEX_FORMAT
from search.engines.embedded.spelling import edit_distance

__all__ = [
    "FORMAT_FILE",
    "INDEX_FORMAT",
    "EmbeddedEngine",
    "edit_distance",
    "expand_query",
    "highlight",
]
