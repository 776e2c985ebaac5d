"""The open-data page, its data dictionary and the downloads. Thin: records are built in
sitedata/open_data.py, summary_data.py and search_results.py; fields in datasets.py."""

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core.absolute_urls import absolute_url_for_request
from core.throttling import rate_limited
from search.engines.base import EngineUnavailable
from search.service import EXPORT_MAX_HITS, invalid_api_parameters, search_for_export
from sitedata.datasets import (
    DATASETS,
    PRACTICES,
    SEARCH_RESULTS,
    SESSION_SUMMARIES,
    WHOLE_DATASETS,
    Dataset,
)
from sitedata.open_data import (
    EXPORT_FORMATS,
    export_chunks,
    iter_public_practice_records,
    open_data_summary,
)
from sitedata.search_results import search_download_filename, search_result_records
from sitedata.summary_data import (
    iter_public_session_summary_records,
    session_summaries_count,
    session_summary_locales,
)

# Each whole data set's records, by its slug in /open-data/<slug>.<format>.
WHOLE_DATASET_RECORDS = {
    PRACTICES.slug: iter_public_practice_records,
    SESSION_SUMMARIES.slug: iter_public_session_summary_records,
}


def open_data(request: HttpRequest) -> HttpResponse:
    context = {
        "summary": open_data_summary(),
        "fields": [(field.name, field.meaning) for field in PRACTICES.fields],
        "summaries_count": session_summaries_count(),
        "summary_languages": session_summary_locales(),
        "licence": settings.OPEN_DATA_LICENCE,
    }
    return render(request, "sitedata/open_data.html", context)


def data_dictionary(request: HttpRequest) -> HttpResponse:
    context = {
        "datasets": DATASETS,
        "search_max_hits": EXPORT_MAX_HITS,
        "licence": settings.OPEN_DATA_LICENCE,
    }
    return render(request, "sitedata/data_dictionary.html", context)


def _file_response(
    request: HttpRequest, export_format: str, records, dataset: Dataset, filename: str
) -> StreamingHttpResponse:
    file_format = EXPORT_FORMATS[export_format]
    chunks = export_chunks(export_format, records, dataset)
    response = StreamingHttpResponse(
        (chunk.encode("utf-8") for chunk in chunks), content_type=file_format.content_type
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # Where the fields are explained, for whoever reads the file by program.
    dictionary = absolute_url_for_request(request, reverse("open_data_dictionary"))
    response["Link"] = f'<{dictionary}>; rel="describedby"'
    return response


@require_GET
def open_data_download(
    request: HttpRequest, export_format: str, dataset_slug: str = PRACTICES.slug
) -> StreamingHttpResponse:
    dataset = WHOLE_DATASETS.get(dataset_slug)
    if dataset is None or export_format not in EXPORT_FORMATS:
        raise Http404
    records = WHOLE_DATASET_RECORDS[dataset.slug](request)
    extension = EXPORT_FORMATS[export_format].extension
    filename = f"cac-{dataset.slug}.{extension}"
    return _file_response(request, export_format, records, dataset, filename)


@require_GET
# Each download asks the engine for up to EXPORT_MAX_HITS / MAX_PAGE_SIZE pages: counted
# apart from the search API, at a rate of its own.
@rate_limited("search-download", "SEARCH_DOWNLOAD_RATE_LIMIT")
def search_results_download(request: HttpRequest, export_format: str) -> HttpResponse:
    if export_format not in EXPORT_FORMATS:
        raise Http404
    errors = invalid_api_parameters(request.GET)
    if errors:
        return JsonResponse({"error": _("Bad parameters."), "errors": errors}, status=400)
    try:
        hits = search_for_export(request.GET, get_language() or settings.LANGUAGE_CODE)
    except EngineUnavailable:
        return JsonResponse({"error": _("Search is temporarily unavailable.")}, status=503)
    extension = EXPORT_FORMATS[export_format].extension
    filename = search_download_filename(request.GET, extension, timezone.localdate())
    records = search_result_records(hits, request)
    return _file_response(request, export_format, records, SEARCH_RESULTS, filename)
