"""Wagtail API v2: pages, images and documents, limited to what the public may see."""

from django.http import Http404, HttpResponseRedirect
from django.utils.translation import gettext as _
from django_countries import countries
from rest_framework.fields import Field, SkipField
from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.serializers import PageSerializer, get_serializer_class
from wagtail.api.v2.utils import BadRequestError
from wagtail.api.v2.views import PagesAPIViewSet
from wagtail.documents.api.v2.serializers import DocumentSerializer
from wagtail.documents.api.v2.views import DocumentsAPIViewSet
from wagtail.images.api.v2.serializers import ImageSerializer
from wagtail.images.api.v2.views import ImagesAPIViewSet
from wagtail.models import Site

from core.absolute_urls import absolute_url_for_request
from core.api_queries import OddQueryMixin
from core.date_range import parse_date_range
from knowledge.listings import started_within
from knowledge.models import PracticePage, SessionPage
from knowledge.public_media import public_documents, public_images
from knowledge.visibility import visible_pages

# What each page type's API fields read (topic_slugs, city_name, topic_slug…), fetched with
# the listing so that a page of results costs the same queries however many items it holds.
RELATED_FOR_API_FIELDS = {
    PracticePage: {"select": ("city",), "prefetch": ("topics",)},
    SessionPage: {"select": ("topic",), "prefetch": ()},
}


# Wagtail builds the API's absolute addresses from WAGTAILAPI_BASE_URL or the Site's root URL,
# so a site served at another address (a proxy, a second host name) answered with the wrong
# one. These fields name the host the client asked (core/absolute_urls.py).


class RequestDetailUrlField(Field):
    """meta.detail_url: this object's address in the API."""

    def get_attribute(self, instance):
        path = self.context["router"].get_object_detail_urlpath(type(instance), instance.pk)
        if not path:
            raise SkipField  # the model has no endpoint, as Wagtail's own field does
        return absolute_url_for_request(self.context["request"], path)

    def to_representation(self, url):
        return url


class RequestPageHtmlUrlField(Field):
    """meta.html_url: the page on the public site."""

    def get_attribute(self, instance):
        return instance

    def to_representation(self, page):
        request = self.context["request"]
        url = page.get_url(request)
        return absolute_url_for_request(request, url) if url else None


class RequestDownloadUrlField(Field):
    """meta.download_url: the file of an image or a document."""

    def get_attribute(self, instance):
        return instance

    def to_representation(self, item):
        return absolute_url_for_request(self.context["request"], item.url)


class RequestImageDownloadUrlField(RequestDownloadUrlField):
    def to_representation(self, image):
        return absolute_url_for_request(self.context["request"], image.file.url)


class _RelatedPageField(Field):
    """parent and alias_of: the related page with the same request-addressed meta fields."""

    def get_attribute(self, instance):
        return instance

    def related(self, page):
        raise NotImplementedError

    def to_representation(self, page):
        related = self.related(page)
        if related is None:
            return None
        serializer_class = get_serializer_class(
            related.__class__,
            ["id", "type", "detail_url", "html_url", "title"],
            meta_fields=["type", "detail_url", "html_url"],
            base=PublicPageSerializer,
        )
        return serializer_class(context=self.context).to_representation(related)


class ParentPageField(_RelatedPageField):
    def related(self, page):
        parent = page.get_parent()
        # Only a parent the API itself lists, as Wagtail's own field does.
        if parent and self.context["base_queryset"].filter(id=parent.id).exists():
            return parent
        return None


class AliasOfField(_RelatedPageField):
    def related(self, page):
        return page.alias_of


class PublicPageSerializer(PageSerializer):
    detail_url = RequestDetailUrlField(read_only=True)
    html_url = RequestPageHtmlUrlField(read_only=True)
    parent = ParentPageField(read_only=True)
    alias_of = AliasOfField(read_only=True)


class PublicDocumentSerializer(DocumentSerializer):
    detail_url = RequestDetailUrlField(read_only=True)
    download_url = RequestDownloadUrlField(read_only=True)


class PublicImageSerializer(ImageSerializer):
    detail_url = RequestDetailUrlField(read_only=True)
    download_url = RequestImageDownloadUrlField(read_only=True)


class RequestAddressedFindMixin:
    """/find/ redirects to the object's detail address on the request's host."""

    def find_view(self, request):
        try:
            obj = self.find_object(self.get_queryset(), request)
        except self.model.DoesNotExist:
            obj = None
        if obj is None:
            raise Http404("not found")
        path = request.wagtailapi_router.get_object_detail_urlpath(self.model, obj.pk)
        return HttpResponseRedirect(absolute_url_for_request(request, path))


# Filters of practices the pages API adds to Wagtail's (?type=knowledge.PracticePage&…), as
# the practice listings filter: the city's country (ISO 3166-1 alpha-2, as City.country
# stores it) and the start date's range (core.date_range).
PRACTICE_FILTER_PARAMS = ("country", "date_from", "date_to")


def filter_practices_by_query(pages, query_params):
    """The pages within the practice filters asked for; BadRequestError (a 400) for a value
    that cannot be used, or for these filters on other page types."""
    asked = [name for name in PRACTICE_FILTER_PARAMS if query_params.get(name)]
    if not asked:
        return pages
    if pages.model is not PracticePage:
        raise BadRequestError(
            _("%(names)s: only with type=knowledge.PracticePage.") % {"names": ", ".join(asked)}
        )
    country = query_params.get("country")
    if country and countries.alpha2(country) != country:
        raise BadRequestError(_("country: an ISO 3166-1 alpha-2 country code, such as KR."))
    parsed = parse_date_range(query_params)
    if parsed.problems:
        raise BadRequestError(" ".join(parsed.problems))
    matching = started_within(PracticePage.objects.all(), parsed.dates)
    if country:
        matching = matching.filter(city__country=country)
    # By id: ?search= (Wagtail's search backend) filters only on indexed fields, and id is one.
    return pages.filter(id__in=matching.values("id"))


class PublicPagesAPIViewSet(OddQueryMixin, RequestAddressedFindMixin, PagesAPIViewSet):
    base_serializer_class = PublicPageSerializer
    known_query_parameters = PagesAPIViewSet.known_query_parameters.union(PRACTICE_FILTER_PARAMS)

    def filter_queryset(self, queryset):
        # Before Wagtail's filters: its search (the last) returns results no filter can narrow.
        queryset = filter_practices_by_query(queryset, self.request.GET)
        return super().filter_queryset(queryset)

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


class PublicDocumentsAPIViewSet(OddQueryMixin, RequestAddressedFindMixin, DocumentsAPIViewSet):
    base_serializer_class = PublicDocumentSerializer

    def get_queryset(self):
        return public_documents().order_by("id")


class PublicImagesAPIViewSet(OddQueryMixin, RequestAddressedFindMixin, ImagesAPIViewSet):
    base_serializer_class = PublicImageSerializer

    def get_queryset(self):
        return public_images().order_by("id")


api_router = WagtailAPIRouter("wagtailapi")
api_router.register_endpoint("pages", PublicPagesAPIViewSet)
api_router.register_endpoint("images", PublicImagesAPIViewSet)
api_router.register_endpoint("documents", PublicDocumentsAPIViewSet)
