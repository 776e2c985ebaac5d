"""The start-up work of a process that serves searches, so that no visitor pays for it.

The web server (cac/gunicorn.py) loads the models once in its master, before it forks the
workers (`--preload`): Kiwi's Korean model (about 500 MB) and the embedding model then sit in
memory once, shared copy-on-write by every worker. Each worker then opens the index and runs
one search of its own before it takes a request, and so does a worker started later to replace
a recycled one (--max-requests): no visitor's search is a cold one.
"""

from __future__ import annotations

import logging
import time

from search.analysis import warm_up as load_korean_model
from search.engines.selection import get_engine
from search.engines.values import SearchRequest
from search.semantic.embedders import get_embedders
from search.semantic.vectors import query_vectors

logger = logging.getLogger(__name__)

# Words in two scripts: the Korean analysis, the Latin one and the embedding all run.
WARM_UP_QUERY = "방역 수칙 screening"


def load_shared_models() -> None:
    """Before the fork: the models, with nothing that holds threads, files or connections."""
    load_korean_model()
    for embedder in get_embedders():
        # Only fork-safe models run here; the others are loaded by each worker (see Embedder).
        if embedder.fork_safe:
            embedder.embed_query(WARM_UP_QUERY)


def warm_up_process() -> None:
    """In each serving process, before its first request. Never raises: a process whose index
    or database is not there yet still starts, and its first search reports that."""
    started = time.perf_counter()
    try:
        # Without --preload the models load here; with it, this only finds them loaded.
        load_shared_models()
        # Every model, the per-process ones too (query_vectors logs one that fails).
        request = SearchRequest(query=WARM_UP_QUERY, query_vectors=query_vectors(WARM_UP_QUERY))
        get_engine().warm_up(request)
    except Exception:  # noqa: BLE001 - start anyway; the first search will say what is wrong
        logger.warning("search warm-up failed; the first search will be slower", exc_info=True)
        return
    logger.info("search warmed up in %.2f s", time.perf_counter() - started)
