"""The open data page and its dictionary (under the language prefix), the whole data sets'
downloads (one address for all languages) and a search's download (under the prefix: the
search is in that language, as on the search page). cac/urls.py includes both."""

from django.urls import path

from sitedata import views

urlpatterns = [
    path("open-data/", views.open_data, name="open_data"),
    path("open-data/dictionary/", views.data_dictionary, name="open_data_dictionary"),
    path(
        "open-data/search.<str:export_format>",
        views.search_results_download,
        name="open_data_search_download",
    ),
]

download_urlpatterns = [
    path("practices.<str:export_format>", views.open_data_download, name="open_data_download"),
    path(
        "session-summaries.<str:export_format>",
        views.open_data_download,
        {"dataset_slug": "session-summaries"},
        name="open_data_session_summaries_download",
    ),
]
