"""Celery entry points for the city network; the work is in network/contact.py."""

from __future__ import annotations

from celery import shared_task

from network.contact import ContactMessage, send_contact_message


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
