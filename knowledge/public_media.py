"""Which uploaded documents and images the public may reach: those a visible page uses,
outside any collection with a view restriction.

A collection's privacy (login, password or groups) covers its sub-collections and every
file in them: such a file stays out of the public APIs, search and open data, and its
own URL asks for the password or sign-in, even when a public page attaches it.

Every rule here is a subquery, so a check costs the same few queries however many pages,
files and collections the site has: nothing lists every visible page in Python.
"""

from __future__ import annotations

from django.db.models import CharField, Exists, IntegerField, Model, OuterRef, QuerySet
from django.db.models.functions import Cast, Length, Substr
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Collection, CollectionViewRestriction, Page, ReferenceIndex

from core.wagtail_internals import base_content_type
from knowledge.visibility import visible_pages


def private_collections() -> QuerySet[Collection]:
    """Collections under a view restriction, directly or through an ancestor: a restricted
    collection whose tree path starts the collection's own."""
    restricted_at_or_above = CollectionViewRestriction.objects.filter(
        collection__path=Substr(OuterRef("path"), 1, Length("collection__path"))
    )
    return Collection.objects.filter(Exists(restricted_at_or_above))


def private_collection_ids() -> set[int]:
    return set(private_collections().values_list("pk", flat=True))


def _page_references_to(model: type[Model]) -> QuerySet[ReferenceIndex]:
    """Uses of `model`'s objects by pages (attachments, blocks, rich-text links)."""
    return ReferenceIndex.objects.filter(
        base_content_type=base_content_type(Page), to_content_type=base_content_type(model)
    )


def used_by_visible_pages(model: type[Model]) -> QuerySet:
    """Objects of `model` referenced by a visible page (attachments, blocks, rich-text links),
    whatever their collection's privacy."""
    # The index keeps ids as text: a page's id is cast to compare, and only this model's ids
    # (numbers) are cast back. Plain `pk__in` filters, which the search backends can read.
    visible_page_ids = (
        visible_pages(Page.objects.all())
        .annotate(reference_id=Cast("pk", CharField()))
        .values("reference_id")
    )
    used_ids = (
        _page_references_to(model)
        .filter(object_id__in=visible_page_ids)
        .annotate(used_id=Cast("to_object_id", IntegerField()))
        .values("used_id")
    )
    return model.objects.filter(pk__in=used_ids)


def _used_by_a_visible_page(obj: Model) -> bool:
    """used_by_visible_pages for one object: only the pages that reference it are looked at."""
    referencing_page_ids = (
        _page_references_to(type(obj))
        .filter(to_object_id=str(obj.pk))
        .annotate(page_id=Cast("object_id", IntegerField()))
        .values("page_id")
    )
    return visible_pages(Page.objects.filter(pk__in=referencing_page_ids)).exists()


def _in_private_collection(obj: Model) -> bool:
    return private_collections().filter(pk=obj.collection_id).exists()


def public_documents() -> QuerySet:
    """What the documents API lists and search reads: used by a visible page, not private."""
    return used_by_visible_pages(get_document_model()).exclude(collection__in=private_collections())


def public_images() -> QuerySet:
    return used_by_visible_pages(get_image_model()).exclude(
        collection_id__in=private_collections().values("pk")
    )


def is_public_image(image) -> bool:
    """Whether public_images() holds this image, in a constant number of queries."""
    return not _in_private_collection(image) and _used_by_a_visible_page(image)


def is_servable_document(document) -> bool:
    """Whether the document's URL may answer at all: a visible page uses it. Wagtail's own
    hook then asks for the collection's password or a sign-in where one is set."""
    return _used_by_a_visible_page(document)
