"""The city network's admin pages (network/wagtail_hooks.py mounts them under /admin/)."""

from django.urls import include, path

from network import admin_views

my_city = (
    [
        path("", admin_views.my_city, name="index"),
        path("<int:city_id>/new/", admin_views.new_practice, name="new"),
        path("practices/<int:practice_id>/", admin_views.edit_practice, name="edit"),
    ],
    "my_city",
)
representative_requests = (
    [
        path("", admin_views.requests_index, name="index"),
        path("<int:request_id>/", admin_views.request_review, name="review"),
    ],
    "representative_requests",
)

urlpatterns = [
    path("my-city/", include(my_city)),
    path("representative-requests/", include(representative_requests)),
]
