"""Every change that can alter what the public index should hold writes an outbox row.

The receivers run inside the transaction that makes the change, so the row commits or
rolls back with it.
"""

from __future__ import annotations

import functools

from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver
from wagtail.contrib.search_promotions.models import Query, SearchPromotion
from wagtail.documents import get_document_model
from wagtail.models import Collection, CollectionViewRestriction, Locale, Page, PageViewRestriction
from wagtail.signals import page_published, page_unpublished, post_page_move

from documents.models import DocumentText
from knowledge.models import City, PracticeAttachment, SessionSummaryAttachment, TopicArea
from search import outbox
from search.documents import page_document_id
from search.models import IndexOutboxEntry, SynonymGroup
from search.service import forget_facet_labels
from search.serving.results_cache import forget_answers_after_commit
from search.synonyms import forget_admin_synonym_groups
from search.tasks import drain_after_commit, sync_synonyms_after_commit

UPSERT = IndexOutboxEntry.Action.UPSERT
DELETE = IndexOutboxEntry.Action.DELETE


def _draining(enqueue):
    """An outbox writer whose rows reach the index after commit (one drain per transaction)."""

    @functools.wraps(enqueue)
    def enqueue_then_drain(*args, **kwargs):
        written = enqueue(*args, **kwargs)
        if written:
            drain_after_commit()
        return written

    return enqueue_then_drain


enqueue_documents = _draining(outbox.enqueue_documents)
enqueue_page = _draining(outbox.enqueue_page)
enqueue_pages_tagged_with = _draining(outbox.enqueue_pages_tagged_with)
enqueue_topic_area = _draining(outbox.enqueue_topic_area)


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


def _enqueue_pages_attaching(document_ids) -> None:
    page_ids = set(
        PracticeAttachment.objects.filter(document_id__in=document_ids).values_list(
            "page_id", flat=True
        )
    )
    page_ids |= set(
        SessionSummaryAttachment.objects.filter(document_id__in=document_ids).values_list(
            "page_id", flat=True
        )
    )
    enqueue_documents((page_document_id(pk) for pk in sorted(page_ids)), UPSERT)


@receiver(post_save, sender=get_document_model())
def enqueue_pages_attaching_document(sender, instance, created, **kwargs):
    # A new upload is attached to nothing yet; a changed file changes its pages' text.
    if not created:
        _enqueue_pages_attaching([instance.pk])


@receiver(post_save, sender=DocumentText)
def enqueue_pages_attaching_extracted_document(sender, instance, **kwargs):
    # The job finished (or a new file reset it): the pages' attachment text changed.
    if instance.status in (DocumentText.Status.DONE, DocumentText.Status.FAILED):
        _enqueue_pages_attaching([instance.document_id])


@receiver(post_save, sender=CollectionViewRestriction)
@receiver(post_delete, sender=CollectionViewRestriction)
def enqueue_pages_attaching_files_of_restricted_collection(sender, instance, **kwargs):
    # A collection's privacy takes its files' text out of search (or back in), sub-collections too.
    try:
        collection = Collection.objects.get(pk=instance.collection_id)
    except Collection.DoesNotExist:  # the restriction goes with its deleted collection
        return
    branch = collection.get_descendants(inclusive=True)
    _enqueue_pages_attaching(
        get_document_model().objects.filter(collection__in=branch).values_list("pk", flat=True)
    )


# Topic areas are snippets: the admin, wagtail-localize's translation publishing and plain
# .save() all end in Model.save() or delete(), so model signals catch every route.


@receiver(pre_save, sender=TopicArea)
def remember_topic_area_slug(sender, instance, **kwargs):
    instance._slug_before_save = (
        TopicArea.objects.filter(pk=instance.pk).values_list("slug", flat=True).first()
        if instance.pk
        else None
    )


@receiver(post_save, sender=TopicArea)
def enqueue_saved_topic_area(sender, instance, **kwargs):
    # Pages and the area's translations carry its slug (the topic facet): a new slug reaches them.
    previous = getattr(instance, "_slug_before_save", None)
    slug_changed = previous is not None and previous != instance.slug
    enqueue_topic_area(instance, UPSERT, with_translations=slug_changed)
    forget_facet_labels()
    if slug_changed:
        enqueue_pages_tagged_with(instance)


@receiver(pre_delete, sender=TopicArea)
def enqueue_pages_losing_topic_area(sender, instance, **kwargs):
    # Before the delete clears the links; the drain re-reads the pages after it.
    enqueue_pages_tagged_with(instance)


@receiver(post_delete, sender=TopicArea)
def enqueue_deleted_topic_area(sender, instance, **kwargs):
    # Translations take their facet slug from the default-locale area: it may have just gone.
    is_default = instance.locale_id == Locale.get_default().pk
    enqueue_topic_area(instance, DELETE, with_translations=is_default)
    forget_facet_labels()


@receiver(post_save, sender=City)
@receiver(post_delete, sender=City)
def forget_city_labels(sender, instance, **kwargs):
    # Hits and the city facet name a city in the reader's language (facet_labels).
    forget_facet_labels()


@receiver(post_save, sender=SynonymGroup)
@receiver(post_delete, sender=SynonymGroup)
def forget_synonym_groups(sender, instance, **kwargs):
    # Searches read the editors' groups from the cache (search.synonyms); Elasticsearch holds
    # its own copy, pushed after the commit (never by a search).
    forget_admin_synonym_groups()
    sync_synonyms_after_commit()
    # Kept search answers were found with the old groups.
    forget_answers_after_commit()


@receiver(post_save, sender=SearchPromotion)
@receiver(post_delete, sender=SearchPromotion)
@receiver(post_save, sender=Query)
@receiver(post_delete, sender=Query)
def forget_answers_with_picks(sender, instance, **kwargs):
    # Editors' picks are part of every kept answer to their query.
    forget_answers_after_commit()
