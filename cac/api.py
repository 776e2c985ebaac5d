"""Wagtail API v2: pages, images and documents, limited to what the public may see."""

from django.utils.translation import gettext as _
from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.utils import BadRequestError
from wagtail.api.v2.views import PagesAPIViewSet
from wagtail.documents.api.v2.views import DocumentsAPIViewSet
from wagtail.images.api.v2.views import ImagesAPIViewSet
from wagtail.models import Site

from core.api_queries import OddQueryMixin
from knowledge.models import PracticePage, SessionPage
from knowledge.public_media import public_documents, public_images
from knowledge.visibility import visible_pages

# What each page type's API fields read (topic_slugs, city_name, topic_slug…), fetched with
# the listing so that a page of results costs the same queries however many items it holds.
RELATED_FOR_API_FIELDS = {
    PracticePage: {"select": ("city",), "prefetch": ("topics",)},
    SessionPage: {"select": ("topic",), "prefetch": ()},
}


class PublicPagesAPIViewSet(OddQueryMixin, PagesAPIViewSet):
    def get_base_queryset(self):
        # Wagtail's default already keeps to live, public pages; this also drops pages
        # under an unpublished ancestor, as every other public surface does.
        try:
            pages = super().get_base_queryset()
        except (Site.DoesNotExist, ValueError):
            # ?site= naming no site, or with a port that is not a number.
            raise BadRequestError(_("site: no site has this host name and port.")) from None
        return visible_pages(pages)

    def get_queryset(self):
        pages = super().get_queryset().select_related("locale")
        related = RELATED_FOR_API_FIELDS.get(pages.model)
        if related:
            pages = pages.select_related(*related["select"]).prefetch_related(*related["prefetch"])
        return pages


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
