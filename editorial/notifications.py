"""Moderation emails, sent by a Celery task instead of inside the moderator's request.

Wagtail mails moderators on submission and the submitter on approval or rejection, from
signal receivers that run in the request. Ours take their place (editorial/receivers.py)
and only queue a task after commit; the task then runs Wagtail's own notifiers (here),
so recipients, preferences and languages stay Wagtail's.
Summaries get their own wording: a rapporteur is pointed back to "My sessions".
Every link names WAGTAILADMIN_BASE_URL: Wagtail's approval e-mail links the page through its
Site's root URL (`page.full_url`, "http://localhost" on a fresh site), so approvals use our
text (editorial/notifications/page_approved.txt) with `page_url` instead.
"""

from __future__ import annotations

from django.urls import reverse
from wagtail.models import Page, TaskState, WorkflowState

from core.absolute_urls import absolute_url_without_request
from core.wagtail_internals import (
    GroupApprovalTaskStateSubmissionEmailNotifier,
    WorkflowStateApprovalEmailNotifier,
    WorkflowStateRejectionEmailNotifier,
    WorkflowStateSubmissionEmailNotifier,
)
from knowledge.models import SessionSummaryPage


class _SummaryAwareMixin:
    """Summaries use editorial/notifications/ templates, which link to the rapporteur's form;
    every page's approval links the page under WAGTAILADMIN_BASE_URL."""

    summary_templates = "editorial/notifications/"

    def get_template_set(self, instance, **kwargs):
        template_set = super().get_template_set(instance, **kwargs)
        page = getattr(instance, "content_object", None)
        if isinstance(getattr(page, "specific", None), SessionSummaryPage):
            base = f"{self.summary_templates}summary_{self.notification}"
            template_set = {
                "subject": f"{base}_subject.txt",
                "text": f"{base}.txt",
                "html": template_set.get("html", ""),
            }
        elif isinstance(page, Page) and self.notification == "approved":
            template_set = {**template_set, "text": f"{self.summary_templates}page_approved.txt"}
        return template_set

    def get_context(self, instance, **kwargs):
        context = super().get_context(instance, **kwargs)
        page = context.get("page")
        if page is not None:
            context["page_url"] = absolute_url_without_request(page.get_url() or "")
        if page is not None and page.get_parent() is not None:
            context["summary_form_url"] = reverse(
                "my_sessions:summary", args=[page.get_parent().pk]
            )
            context["my_sessions_url"] = reverse("my_sessions:index")
        return context


class PageApprovalNotifier(_SummaryAwareMixin, WorkflowStateApprovalEmailNotifier):
    pass


class SummaryRejectionNotifier(_SummaryAwareMixin, WorkflowStateRejectionEmailNotifier):
    pass


NOTIFIERS = {
    "task_submitted": (TaskState, GroupApprovalTaskStateSubmissionEmailNotifier()),
    "workflow_submitted": (WorkflowState, WorkflowStateSubmissionEmailNotifier()),
    "workflow_approved": (WorkflowState, PageApprovalNotifier()),
    "workflow_rejected": (WorkflowState, SummaryRejectionNotifier()),
}


def send_notification(event: str, state_id: int, triggering_user_id: int | None) -> bool:
    """Run Wagtail's notifier for `event`; the task's body. True when every email went."""
    from django.contrib.auth import get_user_model

    state_model, notifier = NOTIFIERS[event]
    state = state_model.objects.filter(pk=state_id).first()
    if state is None:
        return True  # the page (and its moderation history) was deleted meanwhile
    if state_model is TaskState:
        state = state.specific
    user = get_user_model().objects.filter(pk=triggering_user_id).first()
    return bool(notifier(instance=state, user=user))
