"""The admin API's documents and images: only what the user may choose.

Wagtail's admin API lists every file to anyone who can open the admin, though its choosers
and listings show a confined rapporteur only their session's collection. These endpoints
replace Wagtail's under the same names (see the construct_admin_api hook).
"""

from wagtail.documents.api.admin.views import DocumentsAdminAPIViewSet
from wagtail.images.api.admin.views import ImagesAdminAPIViewSet

from .choosable import choosable_documents, choosable_images


class ChoosableDocumentsAdminAPIViewSet(DocumentsAdminAPIViewSet):
    def get_queryset(self):
        return choosable_documents(self.request.user).order_by("id")


class ChoosableImagesAdminAPIViewSet(ImagesAdminAPIViewSet):
    def get_queryset(self):
        return choosable_images(self.request.user).order_by("id")
