"""Celery entry points for translation; the work is in the service modules beside this one."""

from __future__ import annotations

from collections.abc import Iterable

from celery import shared_task
from django.db import transaction
from wagtail.models import Locale, Page

from core.queue import run_or_queue
from translation.jobs import (
    Status,
    create_machine_translation_jobs,
    finish,
    record_provider_error,
    run_machine_translation,
)
from translation.localize_jobs import run_job
from translation.models import MachineTranslationJob
from translation.providers import ProviderError
from translation.sync import sync_translations


@shared_task(name="translation.tasks.run_localize_job", acks_late=True, ignore_result=True)
def run_localize_job(path: str, args: list, kwargs: dict) -> None:
    """wagtail-localize's background work (translation/localize_jobs.py)."""
    run_job(path, args, kwargs)


@shared_task(
    name="translation.tasks.machine_translate_page",
    bind=True,
    acks_late=True,
    ignore_result=True,
    max_retries=6,
)
def machine_translate_page(self, job_id: int) -> None:
    """One page into one language. A provider's 429 or 5xx is retried with backoff."""
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


@shared_task(name="translation.tasks.sync_page_translations", acks_late=True, ignore_result=True)
def sync_page_translations(source_id: int) -> int:
    """A translated page or snippet changed: its translations follow (translation/sync.py)."""
    return sync_translations(source_id)


def request_machine_translation(
    page: Page, locales: Iterable[Locale], user, *, include_subtree: bool = False
) -> list[MachineTranslationJob]:
    """One job per page and language, sent after commit. Raises MachineTranslationUnavailable."""
    jobs = create_machine_translation_jobs(page, locales, user, include_subtree=include_subtree)
    job_ids = [job.pk for job in jobs]
    transaction.on_commit(lambda: _send(job_ids), robust=True)
    return jobs


def _send(job_ids: list[int]) -> None:
    for job_id in job_ids:
        try:
            run_or_queue(machine_translate_page, job_id)
        except Exception as error:  # broker down: the job says so rather than waiting forever
            MachineTranslationJob.objects.filter(pk=job_id).update(
                status=Status.FAILED, error=f"could not be queued: {error}"[:500]
            )
