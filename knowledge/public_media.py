"""Which uploaded documents and images the public may reach: those a visible page uses."""

from __future__ import annotations

from django.db.models import Model, QuerySet
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Page, ReferenceIndex

from .visibility import visible_pages


def _referenced_by_visible_pages(model: type[Model]) -> QuerySet:
    """Objects of `model` referenced by a visible page (attachments, blocks, rich-text links)."""
    visible_page_ids = [
        str(pk) for pk in visible_pages(Page.objects.all()).values_list("pk", flat=True)
    ]
    referenced = ReferenceIndex.objects.filter(
        base_content_type=ReferenceIndex._get_base_content_type(Page),
        object_id__in=visible_page_ids,
        to_content_type=ReferenceIndex._get_base_content_type(model),
    ).values_list("to_object_id", flat=True)
    return model.objects.filter(pk__in=[int(pk) for pk in referenced])


def public_documents() -> QuerySet:
    return _referenced_by_visible_pages(get_document_model())


def public_images() -> QuerySet:
    return _referenced_by_visible_pages(get_image_model())


def is_public_document(document) -> bool:
    return public_documents().filter(pk=document.pk).exists()
