"""The open-data page and its downloads. Thin: the export lives in sitedata/open_data.py."""

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render

from sitedata.open_data import (
    EXPORT_FORMATS,
    FIELD_DESCRIPTIONS,
    export_chunks,
    iter_public_practice_records,
    open_data_summary,
)


def open_data(request: HttpRequest) -> HttpResponse:
    context = {
        "summary": open_data_summary(),
        "fields": FIELD_DESCRIPTIONS,
        "licence": settings.OPEN_DATA_LICENCE,
    }
    return render(request, "sitedata/open_data.html", context)


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
