"""Public views that are not Wagtail pages. Thin: the work lives in the services they call."""

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from wagtail.models import Locale

from .cities import city_by_slug, city_contents
from .open_data import (
    EXPORT_FORMATS,
    FIELD_DESCRIPTIONS,
    export_chunks,
    iter_public_practice_records,
    open_data_summary,
)
from .topic_areas import topic_area_by_slug, topic_area_contents, topic_areas_for


def topic_area_list(request: HttpRequest) -> HttpResponse:
    locale = Locale.get_active()
    return render(
        request, "knowledge/topic_area_list.html", {"topic_areas": topic_areas_for(locale)}
    )


def topic_area_detail(request: HttpRequest, slug: str) -> HttpResponse:
    locale = Locale.get_active()
    area = topic_area_by_slug(slug, locale)
    if area is None:
        raise Http404
    context = {"topic_area": area, "contents": topic_area_contents(area, locale)}
    return render(request, "knowledge/topic_area_detail.html", context)


def city_detail(request: HttpRequest, slug: str) -> HttpResponse:
    locale = Locale.get_active()
    city = city_by_slug(slug, locale)
    if city is None:
        raise Http404
    contents = city_contents(city, locale)
    if contents.is_empty:
        # A city known only from drafts (an import's draft line, say) is not public yet.
        raise Http404
    context = {"city": city, "contents": contents}
    return render(request, "knowledge/city_detail.html", context)


def open_data(request: HttpRequest) -> HttpResponse:
    context = {
        "summary": open_data_summary(),
        "fields": FIELD_DESCRIPTIONS,
        "licence": settings.OPEN_DATA_LICENCE,
    }
    return render(request, "knowledge/open_data.html", context)


def open_data_download(request: HttpRequest, export_format: str) -> StreamingHttpResponse:
    file_format = EXPORT_FORMATS.get(export_format)
    if file_format is None:
        raise Http404
    chunks = export_chunks(export_format, iter_public_practice_records(request))
    response = StreamingHttpResponse(
        (chunk.encode("utf-8") for chunk in chunks), content_type=file_format.content_type
    )
    filename = f"cac-practices.{file_format.extension}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
