"""Celery entry points for moderation; the work is in editorial/notifications.py."""

from __future__ import annotations

from celery import shared_task

from editorial.notifications import send_notification


@shared_task(
    name="editorial.tasks.send_moderation_email",
    bind=True,
    acks_late=True,
    ignore_result=True,
    max_retries=3,
)
def send_moderation_email(self, event: str, state_id: int, triggering_user_id: int | None):
    sent = send_notification(event, state_id, triggering_user_id)
    if not sent and not self.request.is_eager:
        # Wagtail logs which address failed; the mail server may be back in a minute.
        raise self.retry(countdown=60 * 2**self.request.retries)
    return sent
