"""Writing index outbox rows, in the caller's transaction (search/receivers.py then asks for a
drain after commit: search.tasks.drain_after_commit)."""

from __future__ import annotations

from collections.abc import Iterable

from wagtail.models import Page

from knowledge.models import PracticePage, SessionPage, TopicArea
from search.documents import INDEXED_PAGE_TYPES, page_document_id, topic_area_document_id
from search.models import IndexOutboxEntry


def enqueue_documents(document_ids: Iterable[str], action: str) -> int:
    """One outbox row per document, in the current transaction. How many."""
    entries = [IndexOutboxEntry(document_id=doc_id, action=action) for doc_id in document_ids]
    if not entries:
        return 0
    IndexOutboxEntry.objects.bulk_create(entries, batch_size=500)
    return len(entries)


def _page_and_descendant_ids(page: Page, *, with_descendants: bool) -> list[int]:
    ids = [page.pk]
    # numchild spares a query per page in bulk imports, where practices have no children.
    if with_descendants and page.numchild:
        ids += list(Page.objects.descendant_of(page).values_list("pk", flat=True))
    return ids


def enqueue_page(page: Page, action: str, *, with_descendants: bool = False) -> int:
    """The page (and its branch) will be re-read and indexed or removed by the drain."""
    if not with_descendants and not issubclass(page.specific_class or Page, INDEXED_PAGE_TYPES):
        return 0
    ids = _page_and_descendant_ids(page, with_descendants=with_descendants)
    return enqueue_documents((page_document_id(pk) for pk in ids), action)


def enqueue_topic_area(area: TopicArea, action: str, *, with_translations: bool = False) -> int:
    """The area's document (and its translations', which carry its slug) will be re-read."""
    count = enqueue_documents([topic_area_document_id(area.pk)], action)
    if with_translations:
        others = TopicArea.objects.filter(translation_key=area.translation_key).exclude(pk=area.pk)
        count += enqueue_documents(
            (topic_area_document_id(pk) for pk in others.values_list("pk", flat=True)),
            IndexOutboxEntry.Action.UPSERT,
        )
    return count


def enqueue_pages_tagged_with(area: TopicArea) -> int:
    """Pages whose documents carry the area's slug: its practices, sessions and summaries."""
    ids = set(PracticePage.objects.filter(topics=area).values_list("pk", flat=True))
    for session in SessionPage.objects.filter(topic=area):
        ids.update(_page_and_descendant_ids(session, with_descendants=True))
    return enqueue_documents(
        (page_document_id(pk) for pk in sorted(ids)), IndexOutboxEntry.Action.UPSERT
    )
