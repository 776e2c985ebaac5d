"""The rapporteur's view of the Wagtail admin: their sessions, their drafts, nothing else.

What keeps them inside their sessions is in admin_boundary.py and the hooks in
wagtail_hooks.py; this module builds their starting point, the "My sessions" panel.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from wagtail.admin.ui.components import Component

from editorial.models import rapporteur_sessions
from editorial.summaries import SummaryStatus, own_summary, someone_elses_summary, summary_status
from knowledge.models import SessionPage, SessionSummaryPage


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
            url = reverse("my_sessions:summary", args=[session.pk])
        tasks.append(SessionTask(session=session, status=summary_status(summary), action_url=url))
    return tasks


class MySessionsPanel(Component):
    """The rapporteur's starting point on the dashboard."""

    name = "my_sessions"
    template_name = "editorial/admin/my_sessions_panel.html"
    order = 50

    def __init__(self, user):
        self.tasks = session_tasks_for(user)

    def get_context_data(self, parent_context=None):
        return {"tasks": self.tasks}

    def render_html(self, parent_context=None) -> str:
        return super().render_html(parent_context) if self.tasks else ""
