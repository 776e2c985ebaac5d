"""Which uploaded documents and images the public may reach: those a visible page uses,
outside any collection with a view restriction.

A collection's privacy (login, password or groups) covers its sub-collections and every
file in them: such a file stays out of the public APIs, search and open data, and its
own URL asks for the password or sign-in, even when a public page attaches it.
"""

from __future__ import annotations

from django.db.models import CharField, Model, Q, QuerySet
from django.db.models.functions import Cast
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Collection, CollectionViewRestriction, Page, ReferenceIndex

from core.wagtail_internals import base_content_type
from knowledge.visibility import visible_pages


def private_collection_ids() -> set[int]:
    """Collections under a view restriction, directly or through an ancestor."""
    restricted_paths = Collection.objects.filter(
        pk__in=CollectionViewRestriction.objects.values("collection_id")
    ).values_list("path", flat=True)
    under_restricted = Q()
    for path in restricted_paths:
        under_restricted |= Q(path__startswith=path)
    if not under_restricted:
        return set()
    return set(Collection.objects.filter(under_restricted).values_list("pk", flat=True))


def used_by_visible_pages(model: type[Model]) -> QuerySet:
    """Objects of `model` referenced by a visible page (attachments, blocks, rich-text links),
    whatever their collection's privacy."""
    visible_page_ids = [
        str(pk) for pk in visible_pages(Page.objects.all()).values_list("pk", flat=True)
    ]
    referenced = ReferenceIndex.objects.filter(
        base_content_type=base_content_type(Page),
        object_id__in=visible_page_ids,
        to_content_type=base_content_type(model),
    ).values_list("to_object_id", flat=True)
    return model.objects.filter(pk__in=[int(pk) for pk in referenced])


def public_documents() -> QuerySet:
    """What the documents API lists and search reads: used by a visible page, not private."""
    return used_by_visible_pages(get_document_model()).exclude(
        collection_id__in=private_collection_ids()
    )


def public_images() -> QuerySet:
    return used_by_visible_pages(get_image_model()).exclude(
        collection_id__in=private_collection_ids()
    )


def is_servable_document(document) -> bool:
    """Whether the document's URL may answer at all: a visible page uses it. Wagtail's own
    hook then asks for the collection's password or a sign-in where one is set."""
    return used_by_visible_pages(get_document_model()).filter(pk=document.pk).exists()


def is_public_image(image) -> bool:
    """The rule of public_images() for one image, in a constant number of queries whatever the
    number of pages or collections (the image view asks it on every request): outside any
    restricted collection, and referenced by a visible page."""
    collection_path = image.collection.path
    steplen = Collection.steplen
    own_and_ancestor_paths = [
        collection_path[:end] for end in range(steplen, len(collection_path) + 1, steplen)
    ]
    if CollectionViewRestriction.objects.filter(
        collection__path__in=own_and_ancestor_paths
    ).exists():
        return False
    # ReferenceIndex keeps object ids as text.
    visible_page_ids = visible_pages(Page.objects.all()).values(
        id_text=Cast("pk", output_field=CharField())
    )
    return ReferenceIndex.objects.filter(
        base_content_type=base_content_type(Page),
        object_id__in=visible_page_ids,
        to_content_type=base_content_type(get_image_model()),
        to_object_id=str(image.pk),
    ).exists()
