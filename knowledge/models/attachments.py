"""A file attached to a page: one abstract row, shared by practices and session summaries."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.models import Orderable


class DocumentAttachment(Orderable):
    """One attached document; the subclass adds the ParentalKey to its page type."""

    document = models.ForeignKey(
        "wagtaildocs.Document", on_delete=models.CASCADE, related_name="+", verbose_name=_("file")
    )

    panels = [FieldPanel("document")]

    class Meta(Orderable.Meta):
        abstract = True
        verbose_name = _("attachment")
