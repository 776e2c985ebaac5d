"""Celery entry points for documents and moderation; the work is in the service modules."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

# Backstops only: the child process that parses a file has its own, tighter limits.
_EXTRACTION_SOFT_LIMIT = settings.DOCUMENT_TEXT_TIME_LIMIT_SECONDS + 60
_EXTRACTION_HARD_LIMIT = _EXTRACTION_SOFT_LIMIT + 30


@shared_task(
    name="knowledge.tasks.extract_document_text",
    acks_late=True,
    ignore_result=True,
    soft_time_limit=_EXTRACTION_SOFT_LIMIT,
    time_limit=_EXTRACTION_HARD_LIMIT,
)
def extract_document_text(document_id: int) -> str:
    from .document_text import extract_and_store

    record = extract_and_store(document_id)
    return record.status if record else "gone"


@shared_task(name="knowledge.tasks.retry_stalled_text_extraction", ignore_result=True)
def retry_stalled_text_extraction() -> int:
    from .document_text import retry_stalled_extractions

    return retry_stalled_extractions()


@shared_task(
    name="knowledge.tasks.send_moderation_email",
    bind=True,
    acks_late=True,
    ignore_result=True,
    max_retries=3,
)
def send_moderation_email(self, event: str, state_id: int, triggering_user_id: int | None):
    from .moderation_notifications import send_notification

    sent = send_notification(event, state_id, triggering_user_id)
    if not sent and not self.request.is_eager:
        # Wagtail logs which address failed; the mail server may be back in a minute.
        raise self.retry(countdown=60 * 2**self.request.retries)
    return sent
