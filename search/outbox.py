"""Writing index outbox rows, in the caller's transaction, and asking for a drain after commit."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.db import connection, transaction
from wagtail.models import Page

from knowledge.models import PracticePage, SessionPage, TopicArea

from .documents import INDEXED_PAGE_TYPES, page_document_id, topic_area_document_id
from .models import IndexOutboxEntry

logger = logging.getLogger(__name__)


def enqueue_documents(document_ids: Iterable[str], action: str) -> int:
    """One outbox row per document, in the current transaction; a drain follows the commit."""
    entries = [IndexOutboxEntry(document_id=doc_id, action=action) for doc_id in document_ids]
    if not entries:
        return 0
    IndexOutboxEntry.objects.bulk_create(entries, batch_size=500)
    _request_drain_after_commit()
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


def _request_drain_after_commit() -> None:
    # Once per transaction: an import that publishes 10,000 pages asks for one drain.
    if connection.in_atomic_block and any(
        callback is send_drain_task for _sids, callback, _robust in connection.run_on_commit
    ):
        return
    transaction.on_commit(send_drain_task, robust=True)


def send_drain_task() -> None:
    """Queue a drain. A broker outage never fails the caller: beat re-drains every minute."""
    from cac.celery import run_or_queue

    from .tasks import drain_index_outbox

    try:
        run_or_queue(drain_index_outbox)
    except Exception:
        logger.warning("Could not queue an index drain; the periodic drain will pick it up.")
