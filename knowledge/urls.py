"""The public pages that are not Wagtail pages: topic areas, cities, a missing translation.

Included under the language prefix by cac/urls.py.
"""

from django.urls import path

from knowledge import views

urlpatterns = [
    path("topics/", views.topic_area_list, name="topic_area_list"),
    path("topics/<slug:slug>/", views.topic_area_detail, name="topic_area_detail"),
    path("cities/<slug:slug>/", views.city_detail, name="city_detail"),
    path("untranslated/<int:page_id>/", views.untranslated_page, name="untranslated_page"),
]
