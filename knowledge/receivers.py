"""Every change the public could see on a page purges the page cache (core/page_cache.py),
and a CDN in front when one is configured (knowledge/frontend_cache.py).

One purge serves every change: the page itself, its listings, the topic and city pages that
list it, the home pages and the language switcher's links on its translations are all rendered
again on their next request. The purge waits for the transaction's commit (once per
transaction: an import that publishes 10,000 pages purges once).
"""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save, pre_delete
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import CollectionViewRestriction, Locale, Page, PageViewRestriction, Site
from wagtail.signals import page_published, page_unpublished, post_page_move, pre_page_move

from core.page_cache import purge_page_cache_after_commit
from knowledge import frontend_cache
from knowledge.models import City, TopicArea


def purge_pages(sender, **kwargs) -> None:
    purge_page_cache_after_commit()


def purge_frontend_cache(sender, instance, **kwargs) -> None:
    frontend_cache.purge_after_commit(instance)


def connect() -> None:
    """Called once from the app's ready(): the models exist only then."""
    for signal in (page_published, page_unpublished, post_page_move):
        signal.connect(purge_pages, dispatch_uid="page-cache")
    # Sent for each page of a deleted branch (the base Page row of each is enough).
    post_delete.connect(purge_pages, sender=Page, dispatch_uid="page-cache")
    # The snippets pages show, the sites and languages that make their addresses, privacy that
    # hides a page or its files, and the files and images pages show.
    for model in (
        TopicArea,
        City,
        Site,
        Locale,
        PageViewRestriction,
        CollectionViewRestriction,
        get_document_model(),
        get_image_model(),
    ):
        for signal in (post_save, post_delete):
            signal.connect(purge_pages, sender=model, dispatch_uid="page-cache")
    # A CDN in front, when one is configured (knowledge/frontend_cache.py).
    # Before a move its old addresses and listings, after it the new ones; before a delete,
    # while the page can still say where it is shown.
    for signal in (page_published, page_unpublished, pre_page_move, post_page_move):
        signal.connect(purge_frontend_cache, dispatch_uid="frontend-cache")
    pre_delete.connect(purge_frontend_cache, sender=Page, dispatch_uid="frontend-cache")
