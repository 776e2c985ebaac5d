"""A new or replaced file needs its text: record it, and queue the job after commit."""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import post_save
from wagtail.documents import get_document_model

from documents.services import mark_text_wanted
from documents.tasks import queue_text_extraction


def request_text_extraction_on_save(sender, instance, raw=False, **kwargs):
    """post_save of every document."""
    if raw:  # fixtures
        return
    if mark_text_wanted(instance) is None:
        return
    document_id = instance.pk
    transaction.on_commit(lambda: queue_text_extraction(document_id), robust=True)


def connect() -> None:
    """Called once from DocumentsConfig.ready()."""
    post_save.connect(
        request_text_extraction_on_save,
        sender=get_document_model(),
        dispatch_uid="documents_request_text_extraction",
    )
