"""The open data page (under the language prefix) and its downloads (one address for all
languages). cac/urls.py includes both."""

from django.urls import path

from sitedata import views

urlpatterns = [
    path("open-data/", views.open_data, name="open_data"),
]

download_urlpatterns = [
    path("practices.<str:export_format>", views.open_data_download, name="open_data_download"),
]
