"""The CAC Global Summit 2020: the summit, its sessions, their summaries and the programme."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail import blocks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.api import APIField
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from core.forms import CheckedPageForm, KnowledgePageForm
from knowledge.blocks import RICH_TEXT_FEATURES, NotableQuoteBlock, SourceBlock, SpeakerBlock
from knowledge.models.attachments import DocumentAttachment
from knowledge.models.snippets import City, TopicArea
from knowledge.visibility import visible_pages


class SummitPage(Page):
    """The CAC Global Summit 2020 and its programme."""

    subtitle = models.CharField(_("subtitle"), max_length=255, blank=True)
    start_date = models.DateField(_("first day"))
    end_date = models.DateField(_("last day"))
    description = RichTextField(_("description"), blank=True, features=RICH_TEXT_FEATURES)
    declaration_title = models.CharField(_("declaration title"), max_length=255, blank=True)
    declaration = RichTextField(_("declaration"), blank=True, features=RICH_TEXT_FEATURES)
    sources = StreamField(
        [("source", SourceBlock())],
        verbose_name=_("sources"),
        blank=True,
        help_text=_("The public pages that support what this page says."),
    )

    base_form_class = CheckedPageForm
    content_panels = Page.content_panels + [
        FieldPanel("subtitle"),
        FieldRowPanel([FieldPanel("start_date"), FieldPanel("end_date")], heading=_("Dates")),
        FieldPanel("description"),
        MultiFieldPanel(
            [FieldPanel("declaration_title"), FieldPanel("declaration")],
            heading=_("Declaration"),
        ),
        FieldPanel("sources"),
    ]
    parent_page_types = ["home.HomePage"]
    subpage_types = ["knowledge.SessionPage"]
    search_fields = Page.search_fields + [
        index.SearchField("description"),
        index.SearchField("declaration"),
    ]
    api_fields = [
        APIField("subtitle"),
        APIField("start_date"),
        APIField("end_date"),
        APIField("description"),
        APIField("declaration_title"),
        APIField("declaration"),
        APIField("sources"),
    ]

    class Meta:
        verbose_name = _("summit")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["programme_days"] = programme_days(self)
        return context


class SessionPage(Page):
    """One summit session. Times are stored aware and shown in KST and the visitor's zone."""

    topic = models.ForeignKey(
        TopicArea,
        verbose_name=_("topic area"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sessions",
    )
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    countries = CountryField(
        _("participating countries"), multiple=True, multiple_sort=False, blank=True
    )
    cities = ParentalManyToManyField(
        City, blank=True, related_name="sessions", verbose_name=_("participating cities")
    )
    speakers = StreamField([("speaker", SpeakerBlock())], verbose_name=_("speakers"), blank=True)
    video_url = models.URLField(_("video URL"), blank=True)
    description = RichTextField(_("description"), blank=True, features=RICH_TEXT_FEATURES)
    outcomes = RichTextField(
        _("outcomes"),
        blank=True,
        features=RICH_TEXT_FEATURES,
        help_text=_("What the session produced: statements, commitments, figures."),
    )
    sources = StreamField(
        [("source", SourceBlock())],
        verbose_name=_("sources"),
        blank=True,
        help_text=_("The public pages that support what this page says."),
    )

    base_form_class = KnowledgePageForm
    content_panels = Page.content_panels + [
        FieldPanel("topic"),
        FieldRowPanel([FieldPanel("start"), FieldPanel("end")], heading=_("Time (KST)")),
        FieldPanel("countries"),
        FieldPanel("cities"),
        FieldPanel("description"),
        FieldPanel("outcomes"),
        FieldPanel("speakers"),
        FieldPanel("video_url"),
        FieldPanel("sources"),
    ]
    parent_page_types = ["knowledge.SummitPage"]
    subpage_types = ["knowledge.SessionSummaryPage"]
    search_fields = Page.search_fields + [
        index.SearchField("description"),
        index.SearchField("outcomes"),
    ]
    api_fields = [
        APIField("topic_slug"),
        APIField("start"),
        APIField("end"),
        APIField("country_codes"),
        APIField("speakers"),
        APIField("video_url"),
        APIField("description"),
        APIField("outcomes"),
        APIField("sources"),
    ]

    class Meta:
        verbose_name = _("session")
        ordering = ["start"]

    @property
    def topic_slug(self) -> str:
        return self.topic.slug if self.topic else ""

    @property
    def country_codes(self) -> list[str]:
        return [country.code for country in self.countries]

    @cached_property
    def published_summary(self) -> SessionSummaryPage | None:
        return visible_pages(SessionSummaryPage.objects.child_of(self)).first()

    def clean(self):
        super().clean()
        if self.start and self.end and self.end <= self.start:
            raise ValidationError({"end": _("A session must end after it starts.")})


class SessionSummaryPage(Page):
    """A session rapporteur's output: what the session concluded, in a structured form."""

    key_messages = StreamField(
        [("message", blocks.TextBlock(label=_("Key message")))],
        verbose_name=_("key messages"),
        blank=True,
    )
    recommendations = StreamField(
        [("recommendation", blocks.TextBlock(label=_("Recommendation")))],
        verbose_name=_("recommendations"),
        blank=True,
    )
    notable_quotes = StreamField(
        [("quote", NotableQuoteBlock())], verbose_name=_("notable quotes"), blank=True
    )
    cities = ParentalManyToManyField(
        City, blank=True, related_name="session_summaries", verbose_name=_("participating cities")
    )
    full_summary = RichTextField(_("full summary"), blank=True, features=RICH_TEXT_FEATURES)

    base_form_class = KnowledgePageForm
    content_panels = Page.content_panels + [
        FieldPanel("key_messages"),
        FieldPanel("recommendations"),
        FieldPanel("notable_quotes"),
        FieldPanel("cities"),
        FieldPanel("full_summary"),
        InlinePanel("attachments", label=_("Slides and reports")),
    ]
    parent_page_types = ["knowledge.SessionPage"]
    subpage_types: list[str] = []
    max_count_per_parent = 1
    search_fields = Page.search_fields + [
        index.SearchField("key_messages"),
        index.SearchField("recommendations"),
        index.SearchField("full_summary"),
    ]
    api_fields = [
        APIField("key_messages"),
        APIField("recommendations"),
        APIField("notable_quotes"),
        APIField("full_summary"),
    ]

    class Meta:
        verbose_name = _("session summary")
        verbose_name_plural = _("session summaries")


class SessionSummaryAttachment(DocumentAttachment):
    page = ParentalKey(SessionSummaryPage, on_delete=models.CASCADE, related_name="attachments")

    class Meta(DocumentAttachment.Meta):
        pass


SEOUL = ZoneInfo("Asia/Seoul")


@dataclass
class ProgrammeDay:
    day: date
    sessions: list[SessionPage]


def programme_days(summit: SummitPage) -> list[ProgrammeDay]:
    """The summit's visible sessions, grouped by day in Seoul time."""
    sessions = (
        visible_pages(SessionPage.objects.child_of(summit))
        .select_related("topic")
        .order_by("start", "pk")
    )
    days: dict[date, list[SessionPage]] = {}
    for session in sessions:
        days.setdefault(session.start.astimezone(SEOUL).date(), []).append(session)
    return [ProgrammeDay(day=day, sessions=items) for day, items in days.items()]
