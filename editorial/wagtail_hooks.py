"""The editorial admin: a rapporteur sees their own sessions and drafts, nothing else.

Wagtail's permissions already stop them editing; the listings are narrowed in
editorial/boundary.py, and these hooks cover what that does not reach.
"""

from django.http import Http404
from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.site_summary import PagesSummaryItem
from wagtail.models import Page

from core.choices import choosable_pages
from editorial import urls as my_sessions_urls
from editorial.admin_api import (
    CheckedPagesAdminAPIViewSet,
    ChoosableDocumentsAdminAPIViewSet,
    ChoosableImagesAdminAPIViewSet,
)
from editorial.boundary import REPORTS_CLOSED_TO_RAPPORTEURS
from editorial.models import rapporteur_sessions
from editorial.panels import MySessionsPanel, editorial_desk_panels
from editorial.roles import (
    is_confined_rapporteur,
    rapporteur_admin_pages,
    rapporteur_choosable_pages,
)


@hooks.register("confines_user")
def confine_rapporteurs(user):
    # core.choices asks: a rapporteur with no wider role sees their sessions only.
    return is_confined_rapporteur(user)


@hooks.register("choosable_pages")
def pages_a_rapporteur_may_choose(user):
    return rapporteur_choosable_pages(user) if is_confined_rapporteur(user) else None


@hooks.register("construct_explorer_page_queryset")
def refuse_rapporteurs_a_hidden_parent_page(parent_page, pages, request):
    # The children are already narrowed; the listing's header still names its parent page.
    if is_confined_rapporteur(request.user) and not (
        rapporteur_admin_pages(request.user).filter(pk=parent_page.pk).exists()
    ):
        raise Http404
    return pages


@hooks.register("construct_page_chooser_queryset")
def offer_rapporteurs_only_pages_they_may_see(pages, request):
    # The page chooser lists the whole tree, drafts included, to anyone in the admin.
    if not is_confined_rapporteur(request.user):
        return pages
    choosable = choosable_pages(request.user)
    # Browsing into a page shows its title: refuse a parent the rapporteur may not see.
    match = request.resolver_match
    parent_page_id = match.kwargs.get("parent_page_id") if match else None
    if parent_page_id is not None and not (
        choosable.filter(pk=parent_page_id).exists()
        or Page.objects.filter(pk=parent_page_id, depth=1).exists()
    ):
        raise Http404
    return pages.filter(pk__in=choosable.values("pk"))


@hooks.register("construct_admin_api", order=100)
def limit_admin_api_files_to_choosable_ones(router):
    # After Wagtail's own registrations (order 0), under the same endpoint names.
    router.register_endpoint("pages", CheckedPagesAdminAPIViewSet)
    router.register_endpoint("documents", ChoosableDocumentsAdminAPIViewSet)
    router.register_endpoint("images", ChoosableImagesAdminAPIViewSet)


@hooks.register("construct_reports_menu")
def hide_site_wide_reports_from_rapporteurs(request, menu_items):
    if is_confined_rapporteur(request.user):
        closed_urls = {
            reverse(f"{namespace}:{name}") for namespace, name in REPORTS_CLOSED_TO_RAPPORTEURS
        }
        menu_items[:] = [item for item in menu_items if item.url not in closed_urls]


@hooks.register("construct_homepage_panels")
def add_my_sessions_panel(request, panels):
    panels.append(MySessionsPanel(request.user))


@hooks.register("construct_homepage_panels")
def add_editorial_desk_panels(request, panels):
    # Editors and moderators start here: what to add, their drafts, moderation, what is new.
    panels.extend(editorial_desk_panels(request.user))


@hooks.register("construct_homepage_summary_items")
def hide_page_count_from_rapporteurs(request, summary_items):
    # The count covers the whole session branch, other people's drafts included.
    if is_confined_rapporteur(request.user):
        summary_items[:] = [
            item for item in summary_items if not isinstance(item, PagesSummaryItem)
        ]


# ---------------------------------------------------------------------------
# The rapporteur's journey: "My sessions" and the guided summary form.
# ---------------------------------------------------------------------------


@hooks.register("register_admin_urls")
def register_my_sessions_urls():
    return [path("my-sessions/", include(my_sessions_urls, namespace="my_sessions"))]


class MySessionsMenuItem(MenuItem):
    def is_shown(self, request):
        return rapporteur_sessions(request.user).exists()


@hooks.register("register_admin_menu_item")
def register_my_sessions_menu_item():
    return MySessionsMenuItem(
        _("My sessions"),
        reverse("my_sessions:index"),
        icon_name="date",
        order=50,
    )
