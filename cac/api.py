"""Wagtail API v2: pages, images and documents, limited to what the public may see."""

from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.views import PagesAPIViewSet
from wagtail.documents.api.v2.views import DocumentsAPIViewSet
from wagtail.images.api.v2.views import ImagesAPIViewSet

from knowledge.visibility import visible_pages


class PublicPagesAPIViewSet(PagesAPIViewSet):
    def get_base_queryset(self):
        # Wagtail's default already keeps to live, public pages; this also drops pages
        # under an unpublished ancestor, as every other public surface does.
        return visible_pages(super().get_base_queryset())


class PublicDocumentsAPIViewSet(DocumentsAPIViewSet):
    def get_queryset(self):
        from knowledge.documents import public_documents

        return public_documents().order_by("id")


api_router = WagtailAPIRouter("wagtailapi")
api_router.register_endpoint("pages", PublicPagesAPIViewSet)
api_router.register_endpoint("images", ImagesAPIViewSet)
api_router.register_endpoint("documents", PublicDocumentsAPIViewSet)
