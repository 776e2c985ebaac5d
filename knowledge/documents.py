"""Which uploaded documents the public may reach: those attached to a page they can see."""

from __future__ import annotations

from django.db.models import QuerySet
from wagtail.documents import get_document_model
from wagtail.models import Page, ReferenceIndex

from .visibility import visible_pages


def public_documents() -> QuerySet:
    """Documents referenced by a visible page (attachments, document blocks, rich-text links)."""
    Document = get_document_model()
    visible_page_ids = [
        str(pk) for pk in visible_pages(Page.objects.all()).values_list("pk", flat=True)
    ]
    referenced = ReferenceIndex.objects.filter(
        base_content_type=ReferenceIndex._get_base_content_type(Page),
        object_id__in=visible_page_ids,
        to_content_type=ReferenceIndex._get_base_content_type(Document),
    ).values_list("to_object_id", flat=True)
    return Document.objects.filter(pk__in=[int(pk) for pk in referenced])


def is_public_document(document) -> bool:
    return public_documents().filter(pk=document.pk).exists()
