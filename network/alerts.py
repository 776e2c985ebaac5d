"""E-mail alerts: an official follows topic areas and cities, and gets a digest of the new
practices, daily or weekly, in their language.

Double opt-in without storing anything first: the choice travels inside the signed link of
the confirmation e-mail, so an address that never confirms leaves no row behind. Every
digest carries a signed one-click unsubscribe link, which deletes the subscription. No
opens or clicks are recorded; links point straight at the practices.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.db.models import Min, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from wagtail.models import Locale

from core.absolute_urls import absolute_url_without_request as absolute_url
from core.throttling import wait_before_posting
from knowledge.localized import prefer_locale
from knowledge.models import City, PracticePage, TopicArea
from knowledge.visibility import visible_pages
from network.models import AlertSubscription, DigestFrequency

logger = logging.getLogger(__name__)

THROTTLE_SCOPE = "alert-subscribe"
CONFIRM_SALT = "cac.network.alerts.confirm"
UNSUBSCRIBE_SALT = "cac.network.alerts.unsubscribe"
# A digest lists at most this many practices; the rest are a link to the listing away.
DIGEST_MAX_ITEMS = 30


@dataclass(frozen=True)
class AlertChoice:
    email: str
    language: str
    frequency: str
    topic_keys: list[str] = field(default_factory=list)
    city_keys: list[str] = field(default_factory=list)


def wait_before_subscribing(request) -> int | None:
    return wait_before_posting(request, THROTTLE_SCOPE, "ALERT_SUBSCRIBE_RATE_LIMIT")


# ---------------------------------------------------------------------------
# Subscribing and unsubscribing
# ---------------------------------------------------------------------------


def confirmation_url(choice: AlertChoice) -> str:
    token = signing.dumps(choice.__dict__, salt=CONFIRM_SALT, compress=True)
    with translation.override(choice.language):
        return absolute_url(reverse("alerts_confirm", args=[token]))


def choice_for_token(token: str) -> AlertChoice | None:
    max_age = settings.ALERT_CONFIRM_DAYS * 24 * 3600
    try:
        data = signing.loads(token, salt=CONFIRM_SALT, max_age=max_age)
        return AlertChoice(
            email=str(data["email"]),
            language=str(data["language"]),
            frequency=DigestFrequency(data["frequency"]).value,
            topic_keys=[str(key) for key in data["topic_keys"]],
            city_keys=[str(key) for key in data["city_keys"]],
        )
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


def confirm(choice: AlertChoice) -> AlertSubscription:
    """Start (or change) the subscription the link describes. The first digest covers
    practices published from now on, not the whole archive."""
    now = timezone.now()
    subscription = AlertSubscription.objects.filter(email__iexact=choice.email).first()
    if subscription is None:
        subscription = AlertSubscription(email=choice.email, covered_until=now)
    subscription.language = choice.language
    subscription.frequency = choice.frequency
    subscription.topic_keys = choice.topic_keys
    subscription.city_keys = choice.city_keys
    subscription.confirmed_at = now
    subscription.save()
    return subscription


def unsubscribe_url(subscription: AlertSubscription) -> str:
    token = signing.dumps(
        {"subscription": subscription.pk, "email": subscription.email.lower()},
        salt=UNSUBSCRIBE_SALT,
    )
    with translation.override(subscription.language):
        return absolute_url(reverse("alerts_unsubscribe", args=[token]))


def unsubscribe(token: str) -> bool | None:
    """Delete the subscription the link names. None: not a genuine link; False: already gone."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        pk, email = int(data["subscription"]), str(data["email"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    deleted, _rows = AlertSubscription.objects.filter(pk=pk, email__iexact=email).delete()
    return bool(deleted)


def send_confirmation_email(choice: AlertChoice) -> None:
    with translation.override(choice.language):
        subject = _("Confirm your e-mail alerts from the CAC Knowledge Platform")
        body = _(
            "Someone, probably you, asked for e-mail alerts of new COVID-19 practices for this "
            "address: %(what)s, %(frequency)s.\n\nOpen this link to start them:\n\n%(url)s\n\n"
            "If you did not ask for them, ignore this e-mail: without the link, nothing is "
            "sent and your address is not kept."
        ) % {
            "what": describe_choice(choice.topic_keys, choice.city_keys),
            "frequency": DigestFrequency(choice.frequency).label.lower(),
            "url": confirmation_url(choice),
        }
    EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [choice.email]).send()


def _names(model, keys: list[str]) -> list[str]:
    locale = Locale.get_active()
    items = prefer_locale(model.objects.filter(translation_key__in=keys), locale)
    return sorted(item.name for item in items)


def describe_choice(topic_keys: list[str], city_keys: list[str]) -> str:
    """The subscription in words, in the active language."""
    parts = []
    if topic_keys:
        parts.append(
            _("topic areas: %(names)s") % {"names": ", ".join(_names(TopicArea, topic_keys))}
        )
    if city_keys:
        parts.append(_("cities: %(names)s") % {"names": ", ".join(_names(City, city_keys))})
    return "; ".join(parts) or _("every new practice")


# ---------------------------------------------------------------------------
# Digests
# ---------------------------------------------------------------------------


def new_practices(subscription: AlertSubscription, until: datetime) -> list[PracticePage]:
    """Public practices first published (in any language) in the subscription's window and
    on its topics or cities, each once, in the subscriber's language where it has one."""
    public = visible_pages(PracticePage.objects.all())
    chosen = Q()
    if subscription.topic_keys:
        chosen |= Q(topics__translation_key__in=subscription.topic_keys)
    if subscription.city_keys:
        chosen |= Q(city__translation_key__in=subscription.city_keys)
    since = subscription.covered_until or subscription.confirmed_at
    groups = (
        public.filter(chosen)
        .values("translation_key")
        .annotate(first=Min("first_published_at"))
        .filter(first__gt=since, first__lte=until)
        .values("translation_key")
    )
    locale = (
        Locale.objects.filter(language_code=subscription.language).first() or Locale.get_default()
    )
    practices = prefer_locale(public.filter(translation_key__in=groups), locale)
    return list(
        practices.select_related("city").order_by("-first_published_at", "pk")[:DIGEST_MAX_ITEMS]
    )


def send_digest(subscription: AlertSubscription, until: datetime) -> int:
    """E-mail the subscription's new practices (none: no e-mail). Returns how many."""
    practices = new_practices(subscription, until)
    if practices:
        _send_digest_email(subscription, practices)
    subscription.covered_until = until
    subscription.save(update_fields=["covered_until"])
    return len(practices)


def _send_digest_email(subscription: AlertSubscription, practices: list[PracticePage]) -> None:
    leave = unsubscribe_url(subscription)
    with translation.override(subscription.language):
        subject = ngettext(
            "%(count)d new practice on the CAC Knowledge Platform",
            "%(count)d new practices on the CAC Knowledge Platform",
            len(practices),
        ) % {"count": len(practices)}
        lines = [
            f"- {page.title}"
            + (f" ({page.city.name})" if page.city else "")
            + "\n  "
            + absolute_url(page.get_url())
            for page in practices
        ]
        footer = _(
            "You get this %(frequency)s digest for %(what)s.\nUnsubscribe with one click: %(url)s"
        ) % {
            "frequency": DigestFrequency(subscription.frequency).label.lower(),
            "what": describe_choice(subscription.topic_keys, subscription.city_keys),
            "url": leave,
        }
    body = "\n\n".join(["\n".join(lines), footer]) + "\n"
    EmailMessage(
        subject,
        body,
        settings.DEFAULT_FROM_EMAIL,
        [subscription.email],
        # RFC 2369 and RFC 8058: mail programs offer their own one-click unsubscribe.
        headers={
            "List-Unsubscribe": f"<{leave}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    ).send()


def send_digests(
    frequency: str, *, until: datetime | None = None, progress=None
) -> tuple[int, int]:
    """Every confirmed subscription of that frequency gets its digest. Returns (e-mails sent,
    subscriptions that failed). A failed one keeps its window, so the next run covers it."""
    until = until or timezone.now()
    subscriptions = AlertSubscription.objects.filter(
        frequency=frequency, confirmed_at__isnull=False
    ).order_by("pk")
    total = subscriptions.count()
    sent = failed = 0
    for number, subscription in enumerate(subscriptions.iterator(), start=1):
        try:
            sent += bool(send_digest(subscription, until))
        except OSError:
            logger.exception("The digest of subscription %s was not sent", subscription.pk)
            failed += 1
        if progress:
            progress(number, total)
    return sent, failed
