"""The dashboard panels: the rapporteur's "My sessions", and the editors' and moderators'
quick actions and page lists.

What keeps rapporteurs inside their sessions is in boundary.py and the hooks in
wagtail_hooks.py; this module builds each role's starting point.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.components import Component

from editorial import dashboard
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


# ---------------------------------------------------------------------------
# Editors' and moderators' dashboard (editorial/dashboard.py says what each list holds).
# ---------------------------------------------------------------------------


class QuickActionsPanel(Component):
    """Where an editor starts a new page or uploads files, one click from the dashboard."""

    name = "editorial_quick_actions"
    template_name = "editorial/admin/quick_actions_panel.html"
    order = 40

    def __init__(self, user):
        self.actions = dashboard.quick_actions(user)

    def get_context_data(self, parent_context=None):
        return {"actions": self.actions}

    def render_html(self, parent_context=None) -> str:
        return super().render_html(parent_context) if self.actions else ""


class PageListPanel(Component):
    """One of the dashboard's page lists: a heading, the pages, what an empty list means."""

    template_name = "editorial/admin/page_list_panel.html"

    def __init__(
        self,
        *,
        name: str,
        heading: str,
        empty_text: str,
        pages: list,
        order: int,
        dated_by_publication: bool = False,
    ):
        self.name = name
        self.dated_by_publication = dated_by_publication
        self.heading = heading
        self.empty_text = empty_text
        self.pages = pages
        self.order = order

    def get_context_data(self, parent_context=None):
        return {
            "panel_id": self.name.replace("_", "-"),
            "heading": self.heading,
            "empty_text": self.empty_text,
            "rows": [(page, _type_name(page)) for page in self.pages],
            "dated_by_publication": self.dated_by_publication,
        }


def _type_name(page) -> str:
    # From the content type already joined to the page: no query per row.
    model = page.content_type.model_class()
    return str(model._meta.verbose_name) if model else ""


def editorial_desk_panels(user) -> list[Component]:
    """The panels an editor or moderator starts from; none for anyone else."""
    if not dashboard.has_editorial_desk(user):
        return []
    moderator = dashboard.may_moderate(user)
    return [
        QuickActionsPanel(user),
        PageListPanel(
            name="editorial_my_drafts",
            heading=_("My drafts"),
            empty_text=_("You have no unpublished changes."),
            pages=dashboard.my_drafts(user),
            order=41,
        ),
        PageListPanel(
            name="editorial_in_moderation",
            heading=_("In moderation"),
            empty_text=(
                _("Nothing is waiting for your review.")
                if moderator
                else _("None of your pages is waiting for a moderator.")
            ),
            pages=dashboard.in_moderation(user),
            order=42,
        ),
        PageListPanel(
            name="editorial_recently_published",
            heading=_("Recently published"),
            empty_text=_("Nothing you may edit has been published yet."),
            pages=dashboard.recently_published(user),
            order=43,
            dated_by_publication=True,
        ),
    ]
