"""Celery entry points for the city network; the work is in contact.py and representatives.py."""

from __future__ import annotations

from celery import shared_task

from network import alerts, representatives
from network.contact import ContactMessage, send_contact_message
from network.models import RepresentativeRequest


@shared_task(
    name="network.tasks.send_practice_contact_message",
    bind=True,
    acks_late=True,
    ignore_result=True,
    max_retries=3,
)
def send_practice_contact_message(self, fields: dict) -> bool:
    try:
        return send_contact_message(ContactMessage(**fields))
    except OSError as error:  # the mail server refused or was unreachable: try again later
        if self.request.is_eager:
            raise
        raise self.retry(exc=error, countdown=60 * 2**self.request.retries) from error


REPRESENTATIVE_EMAILS = {
    "verify": "send_verification_email",
    "moderators": "send_moderator_notice",
    "decision": "send_decision_email",
}


@shared_task(
    name="network.tasks.send_representative_email",
    bind=True,
    acks_late=True,
    ignore_result=True,
    max_retries=3,
)
def send_representative_email(self, request_id: int, kind: str) -> bool:
    """One of the e-mails of a representative request: the verification link, the notice to
    moderators, or the decision. False when the request no longer exists."""
    request = RepresentativeRequest.objects.filter(pk=request_id).first()
    if request is None:
        return False
    try:
        getattr(representatives, REPRESENTATIVE_EMAILS[kind])(request)
    except OSError as error:
        if self.request.is_eager:
            raise
        raise self.retry(exc=error, countdown=60 * 2**self.request.retries) from error
    return True


@shared_task(
    name="network.tasks.send_alert_confirmation",
    bind=True,
    acks_late=True,
    ignore_result=True,
    max_retries=3,
)
def send_alert_confirmation(self, choice: dict) -> None:
    try:
        alerts.send_confirmation_email(alerts.AlertChoice(**choice))
    except OSError as error:
        if self.request.is_eager:
            raise
        raise self.retry(exc=error, countdown=60 * 2**self.request.retries) from error


@shared_task(name="network.tasks.send_alert_digests", acks_late=True)
def send_alert_digests(frequency: str) -> dict:
    """Run by Celery beat: daily and weekly (cac/settings/base.py CELERY_BEAT_SCHEDULE)."""
    sent, failed = alerts.send_digests(frequency)
    return {"sent": sent, "failed": failed}
