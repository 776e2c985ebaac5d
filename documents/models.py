"""The text taken out of each uploaded document."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from documents.extraction import failure_message


class DocumentText(models.Model):
    """The text of one uploaded document, taken out by a background job, and how that went.

    Search reads `text` as the attachments' text of every page that carries the document;
    editors see failures in the "Document text" report.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Extracting")
        DONE = "done", _("Extracted")
        FAILED = "failed", _("Failed")

    document = models.OneToOneField(
        "wagtaildocs.Document",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="extracted",
        verbose_name=_("document"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    # The document's file_hash when the job was asked for: a result for an older file is
    # thrown away, since a newer job is on its way.
    source_hash = models.CharField(max_length=40, blank=True)
    kind = models.CharField(_("file type"), max_length=10, blank=True)
    text = models.TextField(_("text"), blank=True)
    truncated = models.BooleanField(_("truncated"), default=False)
    error_code = models.CharField(_("error"), max_length=32, blank=True)
    error_detail = models.TextField(_("error detail"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), null=True, blank=True)

    class Meta:
        db_table = "knowledge_documenttext"  # the table it had before it moved here
        verbose_name = _("document text")
        verbose_name_plural = _("document texts")
        indexes = [models.Index(fields=["status", "requested_at"])]

    def __str__(self) -> str:
        return f"{self.document_id}: {self.status}"

    @property
    def failure_message(self) -> str:
        return failure_message(self.error_code) if self.status == self.Status.FAILED else ""
