"""The embedded engine: a Tantivy index on local disk (see engine.py)."""

from .engine import EmbeddedEngine
from .highlight import highlight
from .query import expand_query
from .schema import FORMAT_FILE, INDEX_FORMAT
from .spelling import edit_distance

__all__ = [
    "FORMAT_FILE",
    "INDEX_FORMAT",
    "EmbeddedEngine",
    "edit_distance",
    "expand_query",
    "highlight",
]
