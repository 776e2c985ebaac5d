"""City representatives: an official asks to speak for their city, proves their address by a
signed link, and a moderator approves them into the city's confined role.

Requests come from the public, so nothing here trusts them: the address is proven before a
moderator is asked, an account exists only once a moderator has approved, and the
representative sets their own password through Wagtail's password reset link.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core import signing
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from wagtail.models import Locale
from wagtail.users.models import UserProfile

from core.absolute_urls import absolute_url_without_request as absolute_url
from core.throttling import wait_before_posting
from editorial.models import CityAccess
from editorial.new_cities import find_or_add_city
from editorial.roles import MODERATORS, assign_representative
from knowledge.models import City
from network.models import RepresentativeRequest, RequestStatus

THROTTLE_SCOPE = "representative-request"
VERIFY_SALT = "cac.network.representative-request.verify"


@dataclass(frozen=True)
class RequestDetails:
    name: str
    role: str
    email: str
    city_name: str
    country: str
    message: str
    language: str


def wait_before_requesting(request) -> int | None:
    """Seconds this visitor must wait before sending another request, or None to go ahead."""
    return wait_before_posting(request, THROTTLE_SCOPE, "REPRESENTATIVE_REQUEST_RATE_LIMIT")


def record_request(details: RequestDetails) -> RepresentativeRequest:
    """Store a request, or refresh the same person's unverified one for the same city (a
    second try after a lost e-mail must not leave two requests for the moderators)."""
    with transaction.atomic():
        pending = (
            RepresentativeRequest.objects.select_for_update()
            .filter(
                email__iexact=details.email,
                city_name__iexact=details.city_name,
                country=details.country,
                status=RequestStatus.UNVERIFIED,
            )
            .first()
        )
        request = pending or RepresentativeRequest()
        for name, value in details.__dict__.items():
            setattr(request, name, value)
        request.save()
    return request


def verification_token(request: RepresentativeRequest) -> str:
    # The address is signed too: a link stays bound to the address it was sent to.
    return signing.dumps({"request": request.pk, "email": request.email.lower()}, salt=VERIFY_SALT)


def verification_url(request: RepresentativeRequest) -> str:
    with translation.override(request.language):
        path = reverse("representative_verify", args=[verification_token(request)])
    return absolute_url(path)


def request_for_token(token: str) -> RepresentativeRequest | None:
    """The request a verification link names, if the link is genuine and not expired."""
    max_age = settings.REPRESENTATIVE_VERIFY_DAYS * 24 * 3600
    try:
        data = signing.loads(token, salt=VERIFY_SALT, max_age=max_age)
        pk, email = int(data["request"]), str(data["email"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    request = RepresentativeRequest.objects.filter(pk=pk).first()
    if request is None or request.email.lower() != email:
        return None
    return request


def verify(request: RepresentativeRequest) -> bool:
    """Mark the address as proven. True the first time; a second click changes nothing."""
    updated = RepresentativeRequest.objects.filter(
        pk=request.pk, status=RequestStatus.UNVERIFIED
    ).update(status=RequestStatus.VERIFIED, verified_at=timezone.now())
    request.refresh_from_db()
    return bool(updated)


def pending_review():
    return RepresentativeRequest.objects.filter(status=RequestStatus.VERIFIED)


def matching_city(request: RepresentativeRequest) -> City | None:
    """The known city the request names (default locale), if there is one."""
    return (
        City.objects.filter(
            locale=Locale.get_default(),
            name__iexact=request.city_name.strip(),
            country=request.country,
        )
        .order_by("pk")
        .first()
    )


class DecisionError(Exception):
    """The request cannot be decided now (already decided, or its address unproven)."""


@transaction.atomic
def approve(request: RepresentativeRequest, moderator, city: City | None = None):
    """Create (or reuse) the official's account and confine it to the city. Returns the user."""
    request = RepresentativeRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != RequestStatus.VERIFIED:
        raise DecisionError(_("Only a request with a verified address can be approved."))
    city = city or matching_city(request) or find_or_add_city(request.city_name, request.country)
    user = _account_for(request)
    assign_representative(user, city)
    request.status = RequestStatus.APPROVED
    request.city = city
    request.user = user
    request.decided_by = moderator
    request.decided_at = timezone.now()
    request.save()
    return user


@transaction.atomic
def decline(request: RepresentativeRequest, moderator, note: str) -> None:
    request = RepresentativeRequest.objects.select_for_update().get(pk=request.pk)
    if request.status not in (RequestStatus.UNVERIFIED, RequestStatus.VERIFIED):
        raise DecisionError(_("This request has already been decided."))
    request.status = RequestStatus.REJECTED
    request.decision_note = note
    request.decided_by = moderator
    request.decided_at = timezone.now()
    request.save()


def _account_for(request: RepresentativeRequest):
    User = get_user_model()
    user = User.objects.filter(email__iexact=request.email).order_by("pk").first()
    if user is None:
        first, _sep, last = request.name.strip().partition(" ")
        user = User(
            username=_free_username(request.email.lower()),
            email=request.email,
            first_name=first[:150],
            last_name=last[:150],
        )
        # They choose their own password through the link in the welcome e-mail.
        user.set_unusable_password()
        user.save()
    profile = UserProfile.get_for_user(user)
    if not profile.preferred_language:
        profile.preferred_language = request.language
        profile.save(update_fields=["preferred_language"])
    return user


def _free_username(email: str) -> str:
    User = get_user_model()
    base = email[:140]
    name, number = base, 1
    while User.objects.filter(username__iexact=name).exists():
        number += 1
        name = f"{base}-{number}"
    return name


def representatives_of(city: City):
    access = CityAccess.objects.filter(city__translation_key=city.translation_key).first()
    return access.group.user_set.all() if access else get_user_model().objects.none()


def approval_behind(practice) -> RepresentativeRequest | None:
    """The approved request of the representative who wrote the practice (or the original
    its translation was made from): what moderators are shown."""
    authors = (
        type(practice)
        .objects.filter(translation_key=practice.translation_key)
        .exclude(owner=None)
        .values("owner")
    )
    return (
        RepresentativeRequest.objects.filter(user__in=authors, status=RequestStatus.APPROVED)
        .select_related("city", "decided_by")
        .first()
    )


# ---------------------------------------------------------------------------
# E-mails, sent by network.tasks after the request is stored
# ---------------------------------------------------------------------------


def send_verification_email(request: RepresentativeRequest) -> None:
    days = settings.REPRESENTATIVE_VERIFY_DAYS
    with translation.override(request.language):
        subject = _("Confirm your address to share %(city)s's practices") % {
            "city": request.city_name
        }
        body = _(
            "Hello %(name)s,\n\n"
            "You asked to share the COVID-19 practices of %(city)s on the CAC Knowledge "
            "Platform. Open this link to confirm that this address is yours:\n\n%(url)s\n\n"
            "The link works for %(days)d days. Then a moderator checks your request and "
            "writes to you.\n\nIf you did not ask for this, ignore this e-mail: nothing "
            "happens without the link."
        ) % {
            "name": request.name,
            "city": request.city_name,
            "url": verification_url(request),
            "days": days,
        }
    _send(subject, body, [request.email])


def send_moderator_notice(request: RepresentativeRequest) -> None:
    moderators = (
        get_user_model().objects.filter(groups__name=MODERATORS, is_active=True).exclude(email="")
    )
    recipients = sorted({user.email for user in moderators})
    if not recipients:
        return
    url = absolute_url(reverse("representative_requests:review", args=[request.pk]))
    subject = _("A city representative asks for approval: %(city)s") % {"city": request.city_name}
    body = _(
        "%(name)s (%(role)s, %(email)s) verified their address and asks to share the "
        "practices of %(city)s, %(country)s.\n\nReview the request: %(url)s"
    ) % {
        "name": request.name,
        "role": request.role,
        "email": request.email,
        "city": request.city_name,
        "country": request.country.name,
        "url": url,
    }
    _send(subject, body, recipients)


def send_decision_email(request: RepresentativeRequest) -> None:
    with translation.override(request.language):
        if request.status == RequestStatus.APPROVED:
            subject = _("You can now share %(city)s's practices") % {"city": request.city.name}
            body = _(
                "Hello %(name)s,\n\nA moderator approved your request. Your username is "
                "%(username)s. Choose your password here:\n\n%(url)s\n\nThen sign in and open "
                "“My city” to write your first practice. The moderators review each practice "
                "before it is published."
            ) % {
                "name": request.name,
                "username": request.user.get_username(),
                "url": _password_link(request.user),
            }
        else:
            subject = _("Your request to share %(city)s's practices") % {"city": request.city_name}
            body = _(
                "Hello %(name)s,\n\nA moderator declined your request to share the practices "
                "of %(city)s.%(note)s\n\nYou can write to the platform's team by replying to "
                "this e-mail."
            ) % {
                "name": request.name,
                "city": request.city_name,
                "note": f"\n\n{request.decision_note}" if request.decision_note else "",
            }
    _send(subject, body, [request.email])


def _password_link(user) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return absolute_url(reverse("wagtailadmin_password_reset_confirm", args=[uid, token]))


def _send(subject: str, body: str, to: list[str]) -> None:
    EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=to).send()
