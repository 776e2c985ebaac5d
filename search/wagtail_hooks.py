"""Admin registrations for the search app."""

from wagtail import hooks
from wagtail.snippets.models import register_snippet

from .models import SynonymGroup

# Editors extend the shipped synonym list here; both engines pick the groups up.
register_snippet(SynonymGroup)


# The index's health (documents, outbox backlog, engine) for superusers and moderators.
@hooks.register("register_admin_urls")
def register_index_status_url():
    from django.urls import path

    from .admin_views import index_status_view

    return [path("search-index/", index_status_view, name="search_index_status")]


@hooks.register("register_reports_menu_item")
def register_index_status_menu_item():
    from django.urls import reverse
    from django.utils.translation import gettext_lazy as _
    from wagtail.admin.menu import MenuItem

    from .admin_views import can_see_index_status

    class IndexStatusMenuItem(MenuItem):
        def is_shown(self, request):
            return can_see_index_status(request.user)

    return IndexStatusMenuItem(
        _("Search index"), reverse("search_index_status"), icon_name="search", order=900
    )
