"""Builders for uploaded documents, shared by the test packages."""

from django.core.files.base import ContentFile
from django.utils.text import slugify
from wagtail.documents import get_document_model
from wagtail.models import Collection

from tests.documents import files


def upload_document(title: str, collection: Collection, user=None):
    """A stored PDF whose text is its title, as Wagtail's upload views leave it."""
    return get_document_model().objects.create(
        title=title,
        file=ContentFile(files.pdf_with_text(title), name=f"{slugify(title)}.pdf"),
        collection=collection,
        uploaded_by_user=user,
    )
