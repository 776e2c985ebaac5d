"""The search page (under the language prefix) and the search API (at one address for all
languages, which it takes as a parameter). cac/urls.py includes both."""

from django.urls import path

from search import api, views

urlpatterns = [
    path("search/", views.search_page, name="search"),
]

api_urlpatterns = [
    path("search/", api.search_api, name="search_api"),
    path("search/suggest", api.suggest_api, name="search_suggest_api"),
    path("openapi.json", api.openapi_api, name="search_openapi"),
]
