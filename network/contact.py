"""Writing to a practice's contact without learning their address.

The page shows no e-mail address, the API and the exports publish none; a visitor's message
goes through the platform, which sends it on with the visitor's address as Reply-To.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import translation
from django.utils.translation import gettext as _

from core.throttling import wait_before_posting
from knowledge.models import PracticePage
from knowledge.visibility import is_publicly_visible

THROTTLE_SCOPE = "practice-contact"


@dataclass(frozen=True)
class ContactMessage:
    page_id: int
    name: str
    email: str
    organisation: str
    message: str
    language: str


def contactable_practice(page_id: int) -> PracticePage | None:
    """The practice, when the public may read it and it has someone to write to."""
    page = PracticePage.objects.filter(pk=page_id).select_related("locale").first()
    if page is None or not page.contact_email or not is_publicly_visible(page):
        return None
    return page


def wait_before_sending(request) -> int | None:
    """Seconds this visitor must wait before sending another message, or None to go ahead."""
    return wait_before_posting(request, THROTTLE_SCOPE, "CONTACT_FORM_RATE_LIMIT")


def send_contact_message(contact: ContactMessage) -> bool:
    """Send the message on; False when the practice can no longer be written to."""
    page = contactable_practice(contact.page_id)
    if page is None:
        return False
    with translation.override(contact.language):
        subject = _("A message about “%(title)s” from the CAC Knowledge Platform") % {
            "title": page.title
        }
        introduction = _(
            "%(name)s%(organisation)s wrote to you through the practice “%(title)s” on the CAC "
            "Knowledge Platform. Reply to this e-mail to answer them; the platform did not "
            "give them your address."
        ) % {
            "name": contact.name,
            "organisation": f" ({contact.organisation})" if contact.organisation else "",
            "title": page.title,
        }
    body = f"{introduction}\n\n{contact.message}\n"
    email = EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[page.contact_email],
        reply_to=[contact.email],
    )
    email.send()
    return True
