"""The public pages that are not Wagtail pages: topic areas, cities, a missing translation
(included under the language prefix by cac/urls.py), and image files (without one)."""

from django.conf import settings
from django.urls import path

from knowledge import image_files, views

urlpatterns = [
    path("topics/", views.topic_area_list, name="topic_area_list"),
    path("topics/<slug:slug>/", views.topic_area_detail, name="topic_area_detail"),
    path("cities/", views.city_list, name="city_list"),
    path("cities/<slug:slug>/", views.city_detail, name="city_detail"),
    path("untranslated/<int:page_id>/", views.untranslated_page, name="untranslated_page"),
]

# Image files, without a language prefix (cac/urls.py); documents have Wagtail's serve view.
media_urlpatterns = [
    path(
        f"{settings.MEDIA_URL.lstrip('/')}{folder}/<path:path>",
        image_files.serve_image_file,
        {"folder": folder},
        name=f"image_file_{folder}",
    )
    for folder in (image_files.ORIGINALS, image_files.RENDITIONS)
]
