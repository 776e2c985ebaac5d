"""gunicorn's hooks for the web command (docker/compose.yaml: `--config=python:cac.gunicorn`).

With --preload the master imports the application (cac/wsgi.py), which loads the search models
once; the workers it forks share that memory copy-on-write. Each worker then warms its own
search before it takes a request (search/serving/warm.py).
"""

import gc
import os


def when_ready(server):
    if server.cfg.preload_app:
        # No connection the master may have opened is inherited by the workers.
        from django.db import connections  # only once the preloaded app has set Django up

        connections.close_all()
    # Objects created so far are never collected: the collector would otherwise write to
    # every one of them in each worker and unshare the master's pages, one by one.
    gc.freeze()


def post_worker_init(worker):
    # Imported here: gunicorn reads this file before Django is set up.
    from search.serving.warm import warm_up_process

    warm_up_process()


def worker_exit(server, worker):
    # Imported here: gunicorn reads this file before Django is set up.
    from search.service import flush_query_log

    flush_query_log()
    if server.cfg.preload_app:
        # The worker's last step (gunicorn has closed its files). Python's own shutdown would
        # run the destructors of what the master loaded, and Kiwi's joins threads that exist
        # only in the master: the worker would abort (SIGABRT) instead of exiting.
        os._exit(0)
