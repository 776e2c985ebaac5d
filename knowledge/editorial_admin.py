"""The rapporteur's view of the Wagtail admin: their sessions, their drafts, nothing else.

Wagtail's "add" permission on a session lets a rapporteur explore the whole session branch,
a co-rapporteur's or an editor's draft included, and a few admin reports list pages with
no permission check at all. Three pieces close that:

- `confine_rapporteur_page_listings` narrows the one function every page listing asks
  (explorer, admin search, pages API and sidebar, "pages using" listing, site history);
  Wagtail has no hook for the admin search or the site history report.
- `RapporteurAdminBoundaryMiddleware` keeps rapporteurs out of the site-wide reports.
- The hooks in wagtail_hooks.py filter the page chooser and the explorer's parent page,
  and add the "My sessions" panel below.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from django.shortcuts import redirect
from django.urls import reverse
from wagtail.admin.auth import permission_denied
from wagtail.admin.ui.components import Component
from wagtail.permission_policies.pages import PagePermissionPolicy

from .editorial_roles import is_confined_rapporteur, pages_hidden_from_rapporteur
from .models import SessionPage, SessionSummaryPage, rapporteur_sessions
from .session_summaries import SummaryStatus, own_summary, someone_elses_summary, summary_status


@dataclass
class SessionTask:
    """One assigned session, where its summary stands, and where its rapporteur goes next."""

    session: SessionPage
    status: SummaryStatus
    # None when a co-rapporteur already started the summary: editors look after it.
    action_url: str | None

    @property
    def summary(self) -> SessionSummaryPage | None:
        return self.status.summary


def session_tasks_for(user) -> list[SessionTask]:
    tasks = []
    for session in rapporteur_sessions(user).select_related("topic"):
        summary = own_summary(session, user)
        if summary is None and someone_elses_summary(session, user):
            url = None
        else:
            url = reverse("knowledge_my_sessions:summary", args=[session.pk])
        tasks.append(SessionTask(session=session, status=summary_status(summary), action_url=url))
    return tasks


class MySessionsPanel(Component):
    """The rapporteur's starting point on the dashboard."""

    name = "my_sessions"
    template_name = "knowledge/admin/my_sessions_panel.html"
    order = 50

    def __init__(self, user):
        self.tasks = session_tasks_for(user)

    def get_context_data(self, parent_context=None):
        return {"tasks": self.tasks}

    def render_html(self, parent_context=None) -> str:
        return super().render_html(parent_context) if self.tasks else ""


def confine_rapporteur_page_listings() -> None:
    """Drop other people's drafts from the pages Wagtail lets a rapporteur explore.

    Wraps PagePermissionPolicy.explorable_instances once, at start-up (KnowledgeConfig.ready).
    Everyone but a confined rapporteur gets Wagtail's answer unchanged.
    """
    original = PagePermissionPolicy.explorable_instances
    if getattr(original, "confines_rapporteurs", False):
        return

    @functools.wraps(original)
    def explorable_instances(self, user):
        pages = original(self, user)
        if is_confined_rapporteur(user):
            pages = pages.exclude(pk__in=pages_hidden_from_rapporteur(user).values("pk"))
        return pages

    explorable_instances.confines_rapporteurs = True
    PagePermissionPolicy.explorable_instances = explorable_instances


# Admin views that list pages, documents or translations without asking the permission
# policy which of them the user may see: the usage report names the last edited page of
# each type, whoever's draft it is, and a bulk action's confirmation page shows the title
# of any page or document whose id is in the URL. Rapporteurs need none of them.
REPORTS_CLOSED_TO_RAPPORTEURS = {
    ("wagtailadmin_reports", "page_types_usage"),
    ("wagtailadmin_reports", "page_types_usage_results"),
    ("wagtail_localize", "translations_report"),
    ("wagtail_localize", "translations_report_results"),
}
ADMIN_VIEWS_CLOSED_TO_RAPPORTEURS = REPORTS_CLOSED_TO_RAPPORTEURS | {("", "wagtail_bulk_action")}


class RapporteurAdminBoundaryMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if (
            match is not None
            and (match.namespace, match.url_name) == ("", "wagtailadmin_home")
            and is_confined_rapporteur(request.user)
        ):
            # A rapporteur's starting point is their sessions, not Wagtail's dashboard.
            return redirect("knowledge_my_sessions:index")
        if (
            match is not None
            and (match.namespace, match.url_name) in ADMIN_VIEWS_CLOSED_TO_RAPPORTEURS
            and is_confined_rapporteur(request.user)
        ):
            return permission_denied(request)
        return None
