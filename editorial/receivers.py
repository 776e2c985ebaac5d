"""Moderation emails leave the moderator's request: Wagtail's receivers are replaced by ours,
which queue editorial.tasks.send_moderation_email after commit."""

from __future__ import annotations

import logging

from django.db import transaction
from wagtail.signals import task_submitted, workflow_approved, workflow_rejected, workflow_submitted

from core.queue import run_or_queue
from core.wagtail_internals import MODERATION_EMAIL_RECEIVERS
from editorial.tasks import send_moderation_email

logger = logging.getLogger(__name__)


def _queue(event: str):
    def receiver(sender, instance, user=None, **kwargs):
        state_id = instance.pk
        user_id = getattr(user, "pk", None)

        def send():
            try:
                run_or_queue(send_moderation_email, event, state_id, user_id)
            except Exception:  # broker down: moderation goes on, the email is lost and logged
                logger.exception("could not queue the %s email for state %s", event, state_id)

        transaction.on_commit(send, robust=True)

    receiver.__name__ = f"queue_{event}_email"
    return receiver


_EVENTS = {
    task_submitted: "task_submitted",
    workflow_submitted: "workflow_submitted",
    workflow_rejected: "workflow_rejected",
    workflow_approved: "workflow_approved",
}
_connected_receivers = []


def send_moderation_emails_from_celery() -> None:
    """Called once from EditorialConfig.ready(). Ours take Wagtail's dispatch_uids, so Wagtail's
    own in-request emails are not connected (see MODERATION_EMAIL_RECEIVERS)."""
    for signal, sender, dispatch_uid in MODERATION_EMAIL_RECEIVERS:
        signal.disconnect(sender=sender, dispatch_uid=dispatch_uid)
        receiver = _queue(_EVENTS[signal])
        _connected_receivers.append(receiver)  # signals hold receivers weakly
        signal.connect(receiver, sender=sender, dispatch_uid=dispatch_uid)
