"""Every change that can alter what the public index should hold writes an outbox row.

The receivers run inside the transaction that makes the change, so the row commits or
rolls back with it.
"""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from wagtail.documents import get_document_model
from wagtail.models import Page, PageViewRestriction
from wagtail.signals import page_published, page_unpublished, post_page_move

from knowledge.models import PracticeAttachment, SessionSummaryAttachment

from .documents import page_document_id
from .models import IndexOutboxEntry
from .outbox import enqueue_documents, enqueue_page

UPSERT = IndexOutboxEntry.Action.UPSERT
DELETE = IndexOutboxEntry.Action.DELETE


@receiver(page_published)
def enqueue_published_page(sender, instance, **kwargs):
    # Republishing a parent can bring its hidden branch back: its descendants follow.
    enqueue_page(instance, UPSERT, with_descendants=True)


@receiver(page_unpublished)
def enqueue_unpublished_page(sender, instance, **kwargs):
    enqueue_page(instance, DELETE, with_descendants=True)


@receiver(post_page_move)
def enqueue_moved_page(sender, instance, **kwargs):
    # URLs change, and a new parent may be unpublished or private.
    enqueue_page(instance, UPSERT, with_descendants=True)


@receiver(post_delete)
def enqueue_deleted_page(sender, instance, **kwargs):
    # Sent for each page of a deleted branch; only the base Page row counts, once.
    if sender is Page:
        enqueue_documents([page_document_id(instance.pk)], DELETE)


@receiver(post_save, sender=PageViewRestriction)
@receiver(post_delete, sender=PageViewRestriction)
def enqueue_restricted_branch(sender, instance, **kwargs):
    try:
        page = Page.objects.get(pk=instance.page_id)
    except Page.DoesNotExist:  # the restriction goes with its deleted page
        return
    enqueue_page(page, UPSERT, with_descendants=True)


@receiver(post_save, sender=get_document_model())
def enqueue_pages_attaching_document(sender, instance, created, **kwargs):
    # A new upload is attached to nothing yet; a changed file changes its pages' text.
    if created:
        return
    page_ids = set(
        PracticeAttachment.objects.filter(document=instance).values_list("page_id", flat=True)
    )
    page_ids |= set(
        SessionSummaryAttachment.objects.filter(document=instance).values_list("page_id", flat=True)
    )
    enqueue_documents((page_document_id(pk) for pk in sorted(page_ids)), UPSERT)
