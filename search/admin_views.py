"""Search in the Wagtail admin: the index's health, and what visitors search for."""

from __future__ import annotations

from datetime import timedelta

import django_filters
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column, NumberColumn
from wagtail.admin.views.reports import ReportView

from editorial.roles import EDITORS, MODERATORS
from search.indexing import index_status
from search.models import SearchQueryDay


def can_see_index_status(user) -> bool:
    return user.is_active and (user.is_superuser or user.groups.filter(name=MODERATORS).exists())


def index_status_view(request: HttpRequest) -> HttpResponse:
    if not can_see_index_status(request.user):
        raise PermissionDenied
    status = index_status()
    age = status.oldest_pending_age
    return render(
        request,
        "search/admin/index_status.html",
        {
            "page_title": _("Search index"),
            "header_icon": "search",
            "status": status,
            "oldest_pending_seconds": int(age.total_seconds()) if age is not None else None,
        },
    )


# ---------------------------------------------------------------------------
# What visitors search for: the query log as a report for the editors
# ---------------------------------------------------------------------------

REPORT_PERIODS = (("7", _("Last 7 days")), ("30", _("Last 30 days")), ("90", _("Last 90 days")))
DEFAULT_REPORT_PERIOD = "30"
REPORT_VIEWS = (("top", _("Top queries")), ("nothing_found", _("Queries that found nothing")))
DEFAULT_REPORT_VIEW = "top"


def can_see_search_queries(user) -> bool:
    """Editors and moderators tune content and picks from this; rapporteurs do not."""
    return user.is_active and (
        user.is_superuser or user.groups.filter(name__in=(EDITORS, MODERATORS)).exists()
    )


class SearchQueryReportFilterSet(WagtailFilterSet):
    period = django_filters.ChoiceFilter(
        label=_("Period"),
        choices=REPORT_PERIODS,
        method="filter_period",
        empty_label=None,
        initial=DEFAULT_REPORT_PERIOD,
    )
    language = django_filters.ChoiceFilter(label=_("Language"), choices=settings.LANGUAGES)
    show = django_filters.ChoiceFilter(
        label=_("Show"),
        choices=REPORT_VIEWS,
        method="filter_show",
        empty_label=None,
        initial=DEFAULT_REPORT_VIEW,
    )

    class Meta:
        model = SearchQueryDay
        fields = []

    def filter_period(self, queryset, name, value):
        since = timezone.localdate() - timedelta(days=int(value) - 1)
        return queryset.filter(day__gte=since)

    def filter_show(self, queryset, name, value):
        if value != "nothing_found":
            return queryset
        queryset = queryset.filter(zero_results_total__gt=0)
        if "ordering" in self.request.GET:
            return queryset
        return queryset.order_by("-zero_results_total", "-searches_total", "query")


class SearchQueryReportView(ReportView):
    """Top queries, and the queries that found nothing, per language over a recent period."""

    page_title = _("Search queries")
    header_icon = "search"
    model = SearchQueryDay
    filterset_class = SearchQueryReportFilterSet
    is_searchable = True
    search_fields = ["query"]
    default_ordering = "-searches_total"
    index_url_name = "search_query_report"
    index_results_url_name = "search_query_report_results"
    columns = [
        Column("query", label=_("Query"), sort_key="query"),
        Column("language", label=_("Language"), sort_key="language"),
        NumberColumn("searches_total", label=_("Searches"), sort_key="searches_total"),
        NumberColumn("zero_results_total", label=_("Found nothing"), sort_key="zero_results_total"),
    ]
    list_export = ["query", "language", "searches_total", "zero_results_total"]
    export_headings = {
        "query": _("Query"),
        "language": _("Language"),
        "searches_total": _("Searches"),
        "zero_results_total": _("Found nothing"),
    }

    def dispatch(self, request, *args, **kwargs):
        if not can_see_search_queries(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_base_queryset(self):
        # One row per query and language, summed over the days the period filter keeps.
        return SearchQueryDay.objects.values("query", "language").annotate(
            searches_total=Sum("searches"), zero_results_total=Sum("zero_result_searches")
        )

    def get_filterset_kwargs(self):
        kwargs = super().get_filterset_kwargs()
        data = self.request.GET.copy()
        # Defaults apply when the editor has not chosen: the top queries of the last 30 days.
        if data.get("period") not in dict(REPORT_PERIODS):
            data["period"] = DEFAULT_REPORT_PERIOD
        if data.get("show") not in dict(REPORT_VIEWS):
            data["show"] = DEFAULT_REPORT_VIEW
        kwargs["data"] = data
        return kwargs
