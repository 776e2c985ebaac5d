"""The city network's public addresses (under the language prefix, cac/urls.py)."""

from django.urls import path

from network import views

urlpatterns = [
    path("contact/<int:page_id>/", views.practice_contact, name="practice_contact"),
]
