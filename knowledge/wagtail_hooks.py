from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.menus.pages import PageMenuItem
from wagtail.documents.permissions import permission_policy as document_permission_policy
from wagtail.models import Page

from knowledge.admin_api import (
    CheckedPagesAdminAPIViewSet,
    ChoosableDocumentsAdminAPIViewSet,
    ChoosableImagesAdminAPIViewSet,
)


@hooks.register("before_serve_page")
def hide_pages_under_unpublished_ancestors(page, request, serve_args, serve_kwargs):
    # Wagtail routes to a live child even when its parent was unpublished; the public
    # never sees a branch an editor took down. View restrictions are Wagtail's own hook.
    if page.get_ancestors().filter(live=False, depth__gt=1).exists():
        raise Http404


@hooks.register("before_serve_document")
def serve_only_public_documents(document, request):
    # A file attached only to a draft (a rapporteur's unsubmitted slides, say) stays private
    # to the people who may edit it.
    from knowledge.public_media import is_servable_document

    user = request.user
    if user.is_authenticated and document_permission_policy.user_has_any_permission_for_instance(
        user, ["change", "choose"], document
    ):
        return None
    if not is_servable_document(document):
        raise Http404
    return None


# ---------------------------------------------------------------------------
# Editorial roles: a rapporteur sees their own sessions and drafts, nothing else.
# Wagtail's permissions already stop them editing; the listings are narrowed in
# knowledge/admin_boundary.py, and these hooks cover what that does not reach.
# ---------------------------------------------------------------------------


@hooks.register("construct_explorer_page_queryset")
def refuse_rapporteurs_a_hidden_parent_page(parent_page, pages, request):
    # The children are already narrowed; the listing's header still names its parent page.
    from knowledge.editorial_roles import is_confined_rapporteur, rapporteur_admin_pages

    if is_confined_rapporteur(request.user) and not (
        rapporteur_admin_pages(request.user).filter(pk=parent_page.pk).exists()
    ):
        raise Http404
    return pages


@hooks.register("construct_page_chooser_queryset")
def offer_rapporteurs_only_pages_they_may_see(pages, request):
    # The page chooser lists the whole tree, drafts included, to anyone in the admin.
    from knowledge.choosable import choosable_pages
    from knowledge.editorial_roles import is_confined_rapporteur

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
    from knowledge.admin_boundary import REPORTS_CLOSED_TO_RAPPORTEURS
    from knowledge.editorial_roles import is_confined_rapporteur

    if is_confined_rapporteur(request.user):
        closed_urls = {
            reverse(f"{namespace}:{name}") for namespace, name in REPORTS_CLOSED_TO_RAPPORTEURS
        }
        menu_items[:] = [item for item in menu_items if item.url not in closed_urls]


@hooks.register("construct_homepage_panels")
def add_my_sessions_panel(request, panels):
    from knowledge.editorial_admin import MySessionsPanel

    panels.append(MySessionsPanel(request.user))


@hooks.register("construct_homepage_summary_items")
def hide_page_count_from_rapporteurs(request, summary_items):
    # The count covers the whole session branch, other people's drafts included.
    from wagtail.admin.site_summary import PagesSummaryItem

    from knowledge.editorial_roles import is_confined_rapporteur

    if is_confined_rapporteur(request.user):
        summary_items[:] = [
            item for item in summary_items if not isinstance(item, PagesSummaryItem)
        ]


# ---------------------------------------------------------------------------
# The rapporteur's journey: "My sessions" and the guided summary form.
# ---------------------------------------------------------------------------


@hooks.register("register_admin_urls")
def register_my_sessions_urls():
    from django.urls import include, path

    from knowledge import my_sessions

    return [path("my-sessions/", include(my_sessions, namespace="knowledge_my_sessions"))]


class MySessionsMenuItem(MenuItem):
    def is_shown(self, request):
        from knowledge.models import rapporteur_sessions

        return rapporteur_sessions(request.user).exists()


@hooks.register("register_admin_menu_item")
def register_my_sessions_menu_item():
    return MySessionsMenuItem(
        _("My sessions"),
        reverse("knowledge_my_sessions:index"),
        icon_name="date",
        order=50,
    )


@hooks.register("register_admin_urls")
def register_document_text_report_url():
    from django.urls import path

    from knowledge.document_text_report import DocumentTextReportView

    return [
        path(
            "reports/document-text/",
            DocumentTextReportView.as_view(),
            name="knowledge_document_text_report",
        ),
        path(
            "reports/document-text/results/",
            DocumentTextReportView.as_view(results_only=True),
            name="knowledge_document_text_report_results",
        ),
    ]


class DocumentTextReportMenuItem(MenuItem):
    def is_shown(self, request):
        from knowledge.document_text_report import may_see_document_text_report

        return may_see_document_text_report(request.user)


@hooks.register("register_reports_menu_item")
def register_document_text_report_menu_item():
    return DocumentTextReportMenuItem(
        _("Document text"),
        reverse("knowledge_document_text_report"),
        icon_name="doc-full",
        order=900,
    )


# ---------------------------------------------------------------------------
# Machine translation: a page action, its jobs, and the glossary snippet.
# ---------------------------------------------------------------------------


@hooks.register("register_admin_urls")
def register_machine_translation_urls():
    from django.urls import path

    from knowledge.translation.admin_views import machine_translation, upload_pofile_checked

    return [
        path(
            "machine-translation/<int:page_id>/",
            machine_translation,
            name="knowledge_machine_translation",
        ),
        # Ahead of wagtail-localize's own view at the same address (our app loads first).
        path(
            "localize/translate/<int:translation_id>/pofile/upload/",
            upload_pofile_checked,
            name="knowledge_upload_pofile",
        ),
    ]


class MachineTranslationButton(PageMenuItem):
    label = _("Machine translate")
    icon_name = "globe"
    url_name = "knowledge_machine_translation"
    priority = 66

    def is_shown(self, user):
        from knowledge.translation.admin_views import may_machine_translate

        return may_machine_translate(user, self.page)


@hooks.register("register_page_header_buttons")
def machine_translation_page_button(page, user, view_name, next_url=None):
    yield MachineTranslationButton(page=page)
