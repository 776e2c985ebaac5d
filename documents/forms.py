"""Wagtail's document and image forms, with uploads checked by their content and a new
file for a published page held to the right to publish it.

Set as WAGTAILDOCS_DOCUMENT_FORM_BASE and WAGTAILIMAGES_IMAGE_FORM_BASE.

Wagtail builds its add, edit, multiple-upload and chooser-upload forms from these bases, so
Seoul staff's practice attachments get the same checks as a rapporteur's slides.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from wagtail.documents.forms import BaseDocumentForm
from wagtail.images.forms import BaseImageForm

from documents.file_changes import ModeratedFileChange
from documents.inspection import UploadLimits, UploadRejected, inspect_upload


def check_uploaded_document(uploaded_file):
    """The form-field check shared by Wagtail's forms and the rapporteur's summary form."""
    try:
        return inspect_upload(uploaded_file, uploaded_file.name, UploadLimits.from_settings())
    except UploadRejected as rejection:
        raise ValidationError(rejection.message, code=rejection.code) from None


def check_uploads(files) -> list:
    """Several uploads checked at once: every refused file is named with its reason, so that
    none is stored when one is refused (the guided forms' multiple file fields)."""
    errors = []
    for uploaded in files:
        try:
            check_uploaded_document(uploaded)
        except ValidationError as error:
            errors.extend(error.messages)
    if errors:
        raise ValidationError(errors)
    return list(files)


class CheckedDocumentForm(ModeratedFileChange, BaseDocumentForm):
    def clean_file(self):
        uploaded = self.cleaned_data.get("file")
        # An edit that keeps the stored file has nothing new to check.
        if uploaded and "file" in self.changed_data:
            check_uploaded_document(uploaded)
        return uploaded

    def _post_clean(self):
        # A refused file is already explained; the model's own extension check would add a
        # confusing "extension “” is not allowed" about the emptied field.
        if self.has_error("file"):
            return
        super()._post_clean()


class CheckedImageForm(ModeratedFileChange, BaseImageForm):
    """Set as WAGTAILIMAGES_IMAGE_FORM_BASE: a published page's image is moderated too."""
