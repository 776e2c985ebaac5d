"""The search index's health in the Wagtail admin, for the people who act on it."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from knowledge.editorial_roles import MODERATORS

from .indexing import index_status


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
