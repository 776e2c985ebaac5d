"""The rapporteur's admin pages, under /admin/my-sessions/ (editorial/wagtail_hooks.py)."""

from django.urls import path

from editorial.views import index, summary

app_name = "my_sessions"

urlpatterns = [
    path("", index, name="index"),
    path("<int:session_id>/summary/", summary, name="summary"),
]
