"""WAGTAILLOCALIZE_JOBS backend: wagtail-localize's background jobs become Celery tasks."""

from __future__ import annotations

from django.db import transaction
from wagtail_localize.tasks import BaseJobBackend

from core.queue import run_or_queue
from translation.localize_jobs import encode, function_path


class CeleryJobBackend(BaseJobBackend):
    """Each job is a Celery task, sent after commit."""

    def enqueue(self, func, args, kwargs):
        # Imported here: wagtail_localize.models loads this backend while it is itself being
        # imported, and the tasks import those models.
        from translation.tasks import run_localize_job

        kwargs = dict(kwargs)
        # An in-memory index that synchronize_tree only uses to save queries; the worker
        # builds its own.
        if kwargs.get("page_index") is not None:
            kwargs["page_index"] = None
        payload = (function_path(func), encode(list(args)), encode(kwargs))
        # The job reads what the request wrote: it must not start before the commit.
        transaction.on_commit(lambda: run_or_queue(run_localize_job, *payload))
