"""Who may change the file behind a published page.

A document or image that a live page uses is part of what moderators approved. Its URL
serves the current file, and search reads the current file's text, so a new file (or a move
out of a private collection) is published at once. Only someone who may publish every live
page that uses it may do that; everyone else uploads a new document and attaches it in a page
revision, which goes through moderation.
"""

from __future__ import annotations

from django.db.models import Model, QuerySet
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from wagtail.models import Page, ReferenceIndex

from core.wagtail_internals import base_content_type
from knowledge.public_media import private_collection_ids


def live_pages_using(obj: Model) -> QuerySet[Page]:
    page_type = base_content_type(Page)
    page_ids = (
        ReferenceIndex.get_references_to(obj)
        .filter(base_content_type=page_type)
        .values_list("object_id", flat=True)
    )
    return Page.objects.filter(pk__in=[int(pk) for pk in page_ids], live=True)


def may_change_published_file(user, obj: Model) -> bool:
    return all(
        page.permissions_for_user(user).can_publish() for page in live_pages_using(obj).specific()
    )


class ModeratedFileChange:
    """For Wagtail's document and image forms: a new file for something a live page uses,
    or its move out of a private collection, needs the right to publish those pages."""

    def __init__(self, *args, **kwargs):
        # Wagtail's collection-member forms take the user as `user` and keep it to themselves.
        self.for_user = kwargs.get("user")
        super().__init__(*args, **kwargs)
        self.collection_before = self.instance.collection_id

    def clean(self):
        cleaned_data = super().clean()
        if self.instance.pk is None or self.for_user is None:
            return cleaned_data
        field = self._publishing_field(cleaned_data)
        if field and not may_change_published_file(self.for_user, self.instance):
            titles = ", ".join(page.title for page in live_pages_using(self.instance)[:3])
            self.add_error(
                field,
                format_lazy(
                    _(
                        "Published pages use this file ({pages}), so a change here would go "
                        "live without moderation. Upload the new version as a new file and "
                        "attach it to those pages, or ask a moderator to replace it."
                    ),
                    pages=titles,
                ),
            )
        return cleaned_data

    def _publishing_field(self, cleaned_data) -> str | None:
        if "file" in self.changed_data:
            return "file"
        if "collection" in self.changed_data:
            private = private_collection_ids()
            after = cleaned_data.get("collection")
            if self.collection_before in private and after and after.pk not in private:
                return "collection"
        return None
