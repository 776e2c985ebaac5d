"""Wagtail API v2: pages, images and documents, limited to what the public may see."""

import logging

from django.db import DatabaseError
from django.utils.translation import gettext as _
from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.utils import BadRequestError
from wagtail.api.v2.views import PagesAPIViewSet
from wagtail.documents.api.v2.views import DocumentsAPIViewSet
from wagtail.images.api.v2.views import ImagesAPIViewSet

from knowledge.public_media import public_documents, public_images
from knowledge.visibility import visible_pages

logger = logging.getLogger(__name__)


class OddQueryMixin:
    """Odd query strings get a 400 with a reason, never a 500."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        for _name, values in request.GET.lists():
            if any("\x00" in value for value in values):
                raise BadRequestError(_("Query parameters may not contain NUL characters."))

    def listing_view(self, request):
        try:
            return super().listing_view(request)
        except DatabaseError:
            # Wagtail's database search backend passes some syntax (a lone quote on SQLite's
            # full-text index) straight to the database.
            if "search" not in request.GET:
                raise
            logger.info("Search query rejected by the database: %r", request.GET["search"])
            raise BadRequestError(_("The search query could not be understood.")) from None


class PublicPagesAPIViewSet(OddQueryMixin, PagesAPIViewSet):
    def get_base_queryset(self):
        # Wagtail's default already keeps to live, public pages; this also drops pages
        # under an unpublished ancestor, as every other public surface does.
        return visible_pages(super().get_base_queryset())


class PublicDocumentsAPIViewSet(OddQueryMixin, DocumentsAPIViewSet):
    def get_queryset(self):
        return public_documents().order_by("id")


class PublicImagesAPIViewSet(OddQueryMixin, ImagesAPIViewSet):
    def get_queryset(self):
        return public_images().order_by("id")


api_router = WagtailAPIRouter("wagtailapi")
api_router.register_endpoint("pages", PublicPagesAPIViewSet)
api_router.register_endpoint("images", PublicImagesAPIViewSet)
api_router.register_endpoint("documents", PublicDocumentsAPIViewSet)
