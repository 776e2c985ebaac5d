"""Admin registrations for the search app."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.snippets.models import register_snippet

from core.wagtail_internals import TranslatedSnippetViewSet
from search.admin_views import (
    SearchQueryReportView,
    can_see_index_status,
    can_see_search_queries,
    index_status_view,
)
from search.models import SynonymGroup

# Editors extend the shipped synonym list here; both engines pick the groups up.
register_snippet(SynonymGroup, viewset=TranslatedSnippetViewSet)


# The index's health (documents, outbox backlog, engine) for superusers and moderators.
@hooks.register("register_admin_urls")
def register_index_status_url():
    return [path("search-index/", index_status_view, name="search_index_status")]


@hooks.register("register_reports_menu_item")
def register_index_status_menu_item():
    class IndexStatusMenuItem(MenuItem):
        def is_shown(self, request):
            return can_see_index_status(request.user)

    return IndexStatusMenuItem(
        _("Search index"), reverse("search_index_status"), icon_name="search", order=900
    )


# What visitors search for, for editors and moderators.
@hooks.register("register_admin_urls")
def register_search_query_report_urls():
    return [
        path("search-queries/", SearchQueryReportView.as_view(), name="search_query_report"),
        path(
            "search-queries/results/",
            SearchQueryReportView.as_view(results_only=True),
            name="search_query_report_results",
        ),
    ]


@hooks.register("register_reports_menu_item")
def register_search_query_report_menu_item():
    class SearchQueryReportMenuItem(MenuItem):
        def is_shown(self, request):
            return can_see_search_queries(request.user)

    return SearchQueryReportMenuItem(
        _("Search queries"),
        reverse("search_query_report"),
        name="search-queries",
        icon_name="search",
        order=910,
    )


@hooks.register("construct_reports_menu")
def hide_unused_search_terms_report(request, menu_items):
    # Wagtail's own "Search terms" report reads Query.add_hit(), which nothing calls here:
    # searches are counted in SearchQueryDay and shown in "Search queries" instead.
    menu_items[:] = [item for item in menu_items if item.name != "search-terms"]
