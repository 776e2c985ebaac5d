"""Celery entry points for documents' text; the work is in documents/services.py."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings

from core.queue import run_or_queue
from documents.services import extract_and_store, reset_stalled_extractions

logger = logging.getLogger(__name__)

# Backstops only: the child process that parses a file has its own, tighter limits.
_EXTRACTION_SOFT_LIMIT = settings.DOCUMENT_TEXT_TIME_LIMIT_SECONDS + 60
_EXTRACTION_HARD_LIMIT = _EXTRACTION_SOFT_LIMIT + 30


@shared_task(
    name="documents.tasks.extract_document_text",
    acks_late=True,
    ignore_result=True,
    soft_time_limit=_EXTRACTION_SOFT_LIMIT,
    time_limit=_EXTRACTION_HARD_LIMIT,
)
def extract_document_text(document_id: int) -> str:
    record = extract_and_store(document_id)
    return record.status if record else "gone"


@shared_task(name="documents.tasks.retry_stalled_text_extraction", ignore_result=True)
def retry_stalled_text_extraction() -> int:
    """Beat's sweep: queue again the jobs that stalled. Returns how many."""
    document_ids = reset_stalled_extractions()
    for document_id in document_ids:
        queue_text_extraction(document_id)
    return len(document_ids)


def queue_text_extraction(document_id: int) -> None:
    """Send the job. A broker outage never fails an upload: the retry sweep sends it later."""
    try:
        run_or_queue(extract_document_text, document_id)
    except Exception:  # kombu raises several unrelated types when the broker is unreachable
        logger.warning("could not queue text extraction for document %s", document_id)
