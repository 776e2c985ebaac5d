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


@shared_task(name="knowledge.tasks.run_localize_job", acks_late=True, ignore_result=True)
def run_localize_job(path: str, args: list, kwargs: dict) -> None:
    """wagtail-localize's background work (knowledge/translation/localize_jobs.py)."""
    from .translation.localize_jobs import run_job

    run_job(path, args, kwargs)


@shared_task(
    name="knowledge.tasks.machine_translate_page",
    bind=True,
    acks_late=True,
    ignore_result=True,
    max_retries=6,
)
def machine_translate_page(self, job_id: int) -> None:
    """One page into one language. A provider's 429 or 5xx is retried with backoff."""
    from .translation.jobs import Status, finish, record_provider_error, run_machine_translation
    from .translation.providers import ProviderError

    try:
        run_machine_translation(job_id)
    except ProviderError as error:
        will_retry = error.retryable and self.request.retries < self.max_retries
        record_provider_error(job_id, error, will_retry=will_retry)
        if will_retry:
            # Retry-After when the provider says; else 30 s, 60 s, 120 s ... up to 30 min.
            countdown = error.retry_after or min(30 * 2**self.request.retries, 1800)
            raise self.retry(countdown=countdown) from None
    except Exception as error:
        finish(job_id, Status.FAILED, f"{type(error).__name__}: {error}")
        raise


@shared_task(name="knowledge.tasks.sync_page_translations", acks_late=True, ignore_result=True)
def sync_page_translations(source_id: int) -> int:
    """A translated page or snippet changed: its translations follow (translation/sync.py)."""
    from .translation.sync import sync_translations

    return sync_translations(source_id)
