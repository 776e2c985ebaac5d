"""Who reports on which session."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.models import Collection

from knowledge.models import City, SessionPage


class SessionAccess(models.Model):
    """What a session's rapporteurs may reach: one group and one document collection.

    Membership of the group is the single record of who reports on the session; Wagtail's
    own page and collection permissions then enforce the boundary everywhere in the admin.
    """

    session = models.OneToOneField(
        SessionPage, on_delete=models.CASCADE, related_name="access", verbose_name=_("session")
    )
    group = models.OneToOneField(
        "auth.Group", on_delete=models.CASCADE, related_name="session_access"
    )
    collection = models.OneToOneField(
        Collection, on_delete=models.PROTECT, related_name="session_access"
    )

    class Meta:
        db_table = "knowledge_sessionaccess"  # the table it had before it moved here
        verbose_name = _("session access")
        verbose_name_plural = _("session access")

    def __str__(self) -> str:
        return str(self.session)

    @property
    def rapporteurs(self):
        return self.group.user_set.all()


def rapporteur_sessions(user) -> models.QuerySet[SessionPage]:
    """The sessions a user has been assigned to report on."""
    return SessionPage.objects.filter(access__group__user=user).order_by("start")


class CityAccess(models.Model):
    """What a city's representatives may reach: one group and one document collection.

    As for sessions, membership of the group is the single record of who speaks for the
    city. The group holds no page permission: representatives write through their guided
    form (network/), which files the practice under their city and nowhere else.
    """

    city = models.OneToOneField(
        City, on_delete=models.CASCADE, related_name="access", verbose_name=_("city")
    )
    group = models.OneToOneField("auth.Group", on_delete=models.CASCADE, related_name="city_access")
    collection = models.OneToOneField(
        Collection, on_delete=models.PROTECT, related_name="city_access"
    )

    class Meta:
        verbose_name = _("city access")
        verbose_name_plural = _("city access")

    def __str__(self) -> str:
        return str(self.city)


def representative_cities(user):
    """The cities a user has been approved to share practices for (their default-locale rows)."""
    return City.objects.filter(access__group__user=user).order_by("name")
