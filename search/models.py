"""The search app's tables."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class IndexOutboxEntry(models.Model):
    """One change the index must still learn about, written in the transaction that made it.

    The row outlives any broker or engine outage; it is deleted only once the engine has
    acknowledged the change (search.indexing.drain_index_outbox).
    """

    class Action(models.TextChoices):
        UPSERT = "upsert", _("Index")
        DELETE = "delete", _("Remove")

    document_id = models.CharField(_("document"), max_length=80, db_index=True)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now, db_index=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("index outbox entry")
        verbose_name_plural = _("index outbox entries")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.action} {self.document_id}"


class SynonymGroup(models.Model):
    """Terms editors declare equivalent for search, on top of search/resources/synonyms.txt."""

    class Language(models.TextChoices):
        ANY = "any", _("Any language")
        EN = "en", _("English")
        KO = "ko", _("Korean")

    terms = models.TextField(
        _("terms"),
        help_text=_("Comma-separated words or phrases that mean the same."),
    )
    language = models.CharField(
        _("language"), max_length=3, choices=Language.choices, default=Language.ANY
    )

    class Meta:
        verbose_name = _("synonym group")
        verbose_name_plural = _("synonym groups")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.terms[:80]
