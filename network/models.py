"""Requests to speak for a city: from the public form, through e-mail verification, to a
moderator's decision."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from knowledge.models import City


class RequestStatus(models.TextChoices):
    UNVERIFIED = "unverified", _("Waiting for e-mail verification")
    VERIFIED = "verified", _("Waiting for a moderator")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Declined")


class RepresentativeRequest(models.Model):
    """An official asking to share their city's practices on the platform."""

    name = models.CharField(_("name"), max_length=200)
    role = models.CharField(_("role"), max_length=200)
    email = models.EmailField(_("official e-mail address"))
    city_name = models.CharField(_("city"), max_length=120)
    country = CountryField(_("country"))
    message = models.TextField(_("message to the moderators"), blank=True)
    # The language they wrote in: their e-mails and their admin come in it.
    language = models.CharField(_("language"), max_length=10)
    status = models.CharField(
        _("status"), max_length=12, choices=RequestStatus.choices, default=RequestStatus.UNVERIFIED
    )
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    verified_at = models.DateTimeField(_("e-mail verified"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decision_note = models.TextField(_("note to the applicant"), blank=True)
    city = models.ForeignKey(
        City,
        verbose_name=_("approved for city"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="representative_requests",
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="representative_request",
    )

    class Meta:
        verbose_name = _("representative request")
        verbose_name_plural = _("representative requests")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.city_name}, {self.country.code})"


class DigestFrequency(models.TextChoices):
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")


class AlertSubscription(models.Model):
    """An official's e-mail alert: new practices on their topics and cities, as a digest.

    Holds only what sending needs: the address, the language, the choice and two dates. No
    opens or clicks are recorded; unsubscribing deletes the row.
    """

    email = models.EmailField(_("e-mail address"), unique=True)
    language = models.CharField(_("language"), max_length=10)
    frequency = models.CharField(
        _("frequency"),
        max_length=10,
        choices=DigestFrequency.choices,
        default=DigestFrequency.WEEKLY,
    )
    # Translation keys, so the choice holds in every language the practices come in.
    topic_keys = models.JSONField(_("topic areas"), default=list, blank=True)
    city_keys = models.JSONField(_("cities"), default=list, blank=True)
    created_at = models.DateTimeField(_("subscribed"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    # Practices first published after this go into the next digest.
    covered_until = models.DateTimeField(_("digest sent up to"), null=True, blank=True)

    class Meta:
        verbose_name = _("alert subscription")
        verbose_name_plural = _("alert subscriptions")

    def __str__(self) -> str:
        return self.email

    @property
    def confirmed(self) -> bool:
        return self.confirmed_at is not None
