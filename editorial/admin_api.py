"""The admin API: documents and images only as the user may choose them, and odd query
strings answered 400 (core.api_queries) as on the public API.

Wagtail's admin API lists every file to anyone who can open the admin, though its choosers
and listings show a confined rapporteur only their session's collection. These endpoints
replace Wagtail's under the same names (see the construct_admin_api hook).
"""

from core.api_queries import OddQueryMixin
from core.choices import choosable_documents, choosable_images
from core.wagtail_internals import (
    DocumentsAdminAPIViewSet,
    ImagesAdminAPIViewSet,
    PagesAdminAPIViewSet,
)


class CheckedPagesAdminAPIViewSet(OddQueryMixin, PagesAdminAPIViewSet):
    """Wagtail's own, with odd query strings answered 400."""


class ChoosableDocumentsAdminAPIViewSet(OddQueryMixin, DocumentsAdminAPIViewSet):
    def get_queryset(self):
        return choosable_documents(self.request.user).order_by("id")


class ChoosableImagesAdminAPIViewSet(OddQueryMixin, ImagesAdminAPIViewSet):
    def get_queryset(self):
        return choosable_images(self.request.user).order_by("id")
