"""Moderation emails, sent by a Celery task instead of inside the moderator's request.

Wagtail mails moderators on submission and the submitter on approval or rejection, from
signal receivers that run in the request. Ours take their place (same dispatch_uid, so
Wagtail's later registration is a no-op) and only queue a task after commit; the task
then runs Wagtail's own notifiers, so recipients, preferences and languages stay Wagtail's.
Summaries get their own wording: a rapporteur is pointed back to "My sessions".
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.urls import reverse
from wagtail.admin import mail
from wagtail.models import TaskState, WorkflowState
from wagtail.signals import task_submitted, workflow_approved, workflow_rejected, workflow_submitted

logger = logging.getLogger(__name__)


class _SummaryAwareMixin:
    """Summaries use knowledge/notifications/ templates, which link to the rapporteur's form."""

    summary_templates = "knowledge/notifications/"

    def get_template_set(self, instance, **kwargs):
        from .models import SessionSummaryPage

        template_set = super().get_template_set(instance, **kwargs)
        page = getattr(instance, "content_object", None)
        if isinstance(getattr(page, "specific", None), SessionSummaryPage):
            base = f"{self.summary_templates}summary_{self.notification}"
            template_set = {
                "subject": f"{base}_subject.txt",
                "text": f"{base}.txt",
                "html": template_set.get("html", ""),
            }
        return template_set

    def get_context(self, instance, **kwargs):
        context = super().get_context(instance, **kwargs)
        page = context.get("page")
        if page is not None and page.get_parent() is not None:
            context["summary_form_url"] = reverse(
                "knowledge_my_sessions:summary", args=[page.get_parent().pk]
            )
            context["my_sessions_url"] = reverse("knowledge_my_sessions:index")
        return context


class SummaryApprovalNotifier(_SummaryAwareMixin, mail.WorkflowStateApprovalEmailNotifier):
    pass


class SummaryRejectionNotifier(_SummaryAwareMixin, mail.WorkflowStateRejectionEmailNotifier):
    pass


NOTIFIERS = {
    "task_submitted": (TaskState, mail.GroupApprovalTaskStateSubmissionEmailNotifier()),
    "workflow_submitted": (WorkflowState, mail.WorkflowStateSubmissionEmailNotifier()),
    "workflow_approved": (WorkflowState, SummaryApprovalNotifier()),
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


def _queue(event: str):
    def receiver(sender, instance, user=None, **kwargs):
        state_id = instance.pk
        user_id = getattr(user, "pk", None)

        def send():
            from cac.celery import run_or_queue

            from .tasks import send_moderation_email

            try:
                run_or_queue(send_moderation_email, event, state_id, user_id)
            except Exception:  # broker down: moderation goes on, the email is lost and logged
                logger.exception("could not queue the %s email for state %s", event, state_id)

        transaction.on_commit(send, robust=True)

    receiver.__name__ = f"queue_{event}_email"
    return receiver


# Wagtail's dispatch_uids (wagtail/admin/signal_handlers.py): connecting under the same ids
# first makes Wagtail's own in-request emails a no-op.
_RECEIVERS = (
    (task_submitted, TaskState, "group_approval_task_submitted_email_notification"),
    (workflow_submitted, WorkflowState, "workflow_state_submitted_email_notification"),
    (workflow_rejected, WorkflowState, "workflow_state_rejected_email_notification"),
    (workflow_approved, WorkflowState, "workflow_state_approved_email_notification"),
)
_EVENTS = {
    task_submitted: "task_submitted",
    workflow_submitted: "workflow_submitted",
    workflow_rejected: "workflow_rejected",
    workflow_approved: "workflow_approved",
}
_connected_receivers = []


def send_moderation_emails_from_celery() -> None:
    """Called once from KnowledgeConfig.ready()."""
    for signal, sender, dispatch_uid in _RECEIVERS:
        signal.disconnect(sender=sender, dispatch_uid=dispatch_uid)
        receiver = _queue(_EVENTS[signal])
        _connected_receivers.append(receiver)  # signals hold receivers weakly
        signal.connect(receiver, sender=sender, dispatch_uid=dispatch_uid)
