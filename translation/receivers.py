"""A published page, or a saved topic area or city, that has translations: they follow it."""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import post_save
from wagtail.signals import page_published

from core.queue import run_or_queue
from translation.sync import SYNCED_SNIPPETS, source_of
from translation.tasks import sync_page_translations


def queue_sync_if_translated(instance) -> None:
    source = source_of(instance)
    if source is None:
        return
    source_id = source.pk
    transaction.on_commit(lambda: run_or_queue(sync_page_translations, source_id), robust=True)


def sync_on_page_published(sender, instance, **kwargs):
    queue_sync_if_translated(instance)


def sync_on_snippet_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        queue_sync_if_translated(instance)


def connect() -> None:
    """Called once from TranslationConfig.ready()."""
    page_published.connect(sync_on_page_published, dispatch_uid="translation_sync")
    for model in SYNCED_SNIPPETS:
        post_save.connect(
            sync_on_snippet_saved,
            sender=model,
            dispatch_uid=f"translation_sync_{model._meta.model_name}",
        )
