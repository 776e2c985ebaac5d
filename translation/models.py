"""Machine translation: the domain glossary and the jobs."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel
from wagtail.snippets.models import register_snippet

from core.forms import CheckedModelForm


def language_choices():
    # A callable, so a deployment's CAC_LANGUAGES never changes the migrations.
    return settings.LANGUAGES


class GlossaryTerm(models.Model):
    """How a domain term must be rendered in another language, whatever the provider says."""

    source_language = models.CharField(
        _("source language"), max_length=10, choices=language_choices, default="ko"
    )
    source_term = models.CharField(_("term"), max_length=200)
    target_language = models.CharField(
        _("target language"), max_length=10, choices=language_choices, default="en"
    )
    target_term = models.CharField(_("translation"), max_length=200)
    notes = models.CharField(_("notes"), max_length=255, blank=True)

    base_form_class = CheckedModelForm
    panels = [
        FieldRowPanel([FieldPanel("source_language"), FieldPanel("source_term")]),
        FieldRowPanel([FieldPanel("target_language"), FieldPanel("target_term")]),
        FieldPanel("notes"),
    ]

    class Meta:
        db_table = "knowledge_glossaryterm"  # the table it had before it moved here
        verbose_name = _("glossary term")
        verbose_name_plural = _("glossary terms")
        ordering = ["source_language", "target_language", "source_term"]
        constraints = [
            models.UniqueConstraint(
                fields=["source_language", "source_term", "target_language"],
                name="unique_glossary_term_per_language_pair",
            )
        ]

    def __str__(self) -> str:
        return f"{self.source_term} → {self.target_term}"


# By dotted path: register_snippet resolves it once the apps are ready (core.wagtail_internals
# imports admin views, which need the models). Its breadcrumbs follow the admin language.
register_snippet(GlossaryTerm, viewset="core.wagtail_internals.TranslatedSnippetViewSet")


class MachineTranslationJob(models.Model):
    """One page machine-translated into one language, in the background, for a person to review."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        RETRYING = "retrying", _("Waiting to retry")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    page = models.ForeignKey(
        "wagtailcore.Page",
        on_delete=models.CASCADE,
        related_name="machine_translation_jobs",
        verbose_name=_("page"),
    )
    target_locale = models.ForeignKey(
        "wagtailcore.Locale", on_delete=models.CASCADE, related_name="+", verbose_name=_("into")
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    provider = models.CharField(_("provider"), max_length=30)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    segments_translated = models.PositiveIntegerField(_("segments translated"), default=0)
    # Segments a person (or an earlier job) already translated: never overwritten.
    segments_kept = models.PositiveIntegerField(_("segments kept"), default=0)
    # Segments with links or formatting, left for a person.
    segments_left = models.PositiveIntegerField(_("segments left for a person"), default=0)
    error = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(_("requested"), default=timezone.now)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        db_table = "knowledge_machinetranslationjob"  # the table it had before it moved here
        verbose_name = _("machine translation job")
        verbose_name_plural = _("machine translation jobs")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["page", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.page_id} → {self.target_locale_id}: {self.status}"
