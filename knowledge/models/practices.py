"""Practices: the index page that lists them and the practice pages."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.api import APIField
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from core.forms import CheckedPageForm, KnowledgePageForm
from knowledge.blocks import RICH_TEXT_FEATURES, BodyBlock
from knowledge.listings import (
    PracticeFilter,
    filter_practices,
    listed_countries,
    practices_search_query,
    topic_areas_for,
)
from knowledge.localized import prefer_locale
from knowledge.models.attachments import DocumentAttachment
from knowledge.models.snippets import City, CostBand, PracticeKind, PracticeStatus, TopicArea
from knowledge.pagination import PAGE_SIZE, listing_page
from knowledge.visibility import visible_pages


class PracticeIndexPage(Page):
    """Lists the practices of one locale and filters them by topic, kind and city."""

    intro = RichTextField(_("introduction"), blank=True, features=RICH_TEXT_FEATURES)

    base_form_class = CheckedPageForm
    content_panels = Page.content_panels + [FieldPanel("intro")]
    subpage_types = ["knowledge.PracticePage"]
    parent_page_types = ["home.HomePage"]
    max_count_per_parent = 1
    page_size = PAGE_SIZE

    class Meta:
        verbose_name = _("practice index")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        practice_filter = PracticeFilter.from_query(request.GET, locale=self.locale)
        # This locale's practices, and untranslated originals, as on the topic and city pages.
        listed = prefer_locale(visible_pages(PracticePage.objects.all()), self.locale)
        practices = filter_practices(listed, practice_filter)
        context["practice_filter"] = practice_filter
        context["results_query"] = practices_search_query(practice_filter)
        context["page_obj"] = listing_page(practices, request.GET.get("page"), self.page_size)
        context["topics"] = topic_areas_for(self.locale)
        context["kinds"] = PracticeKind.choices
        context["statuses"] = PracticeStatus.choices
        context["countries"] = listed_countries(listed)
        # One entry per city, in this locale's spelling where it has one.
        context["cities"] = prefer_locale(
            City.objects.filter(translation_key__in=listed.values("city__translation_key")),
            self.locale,
        )
        return context


class PracticePage(Page):
    """One countermeasure, case study, guideline, briefing note, dataset or news item."""

    summary = models.TextField(_("summary"), blank=True)
    body = StreamField(BodyBlock(), verbose_name=_("body"), blank=True)
    kind = models.CharField(
        _("kind"), max_length=20, choices=PracticeKind.choices, default=PracticeKind.CASE_STUDY
    )
    topics = ParentalManyToManyField(
        TopicArea, related_name="practices", verbose_name=_("topic areas")
    )
    city = models.ForeignKey(
        City,
        verbose_name=_("city"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="practices",
    )
    started = models.DateField(_("started"), null=True, blank=True)
    ended = models.DateField(_("ended"), null=True, blank=True)
    practice_status = models.CharField(
        _("status"), max_length=10, choices=PracticeStatus.choices, blank=True
    )
    outcome = models.TextField(
        _("outcome or evidence"),
        blank=True,
        help_text=_("What came of it, with figures where there are any, and how it is known."),
    )
    target_group = models.CharField(
        _("target group"),
        max_length=200,
        blank=True,
        help_text=_("Whom it is for, e.g. small businesses, older people living alone."),
    )
    cost_band = models.CharField(_("cost"), max_length=10, choices=CostBand.choices, blank=True)
    last_reviewed = models.DateField(
        _("last reviewed"),
        null=True,
        blank=True,
        help_text=_("When an editor last checked this practice against its sources."),
    )
    source_url = models.URLField(_("source URL"), blank=True, max_length=500)
    contact_name = models.CharField(_("contact name"), max_length=200, blank=True)
    contact_organisation = models.CharField(_("contact organisation"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    shared_by_city = models.BooleanField(
        _("shared by the city"),
        default=False,
        help_text=_("The city's verified representative wrote and submitted this practice."),
    )

    base_form_class = KnowledgePageForm
    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        MultiFieldPanel(
            [
                FieldPanel("kind"),
                FieldPanel("topics", widget=forms.CheckboxSelectMultiple),
                FieldPanel("city"),
                FieldPanel("started"),
                FieldPanel("source_url"),
                FieldPanel("shared_by_city"),
            ],
            heading=_("Classification"),
        ),
        FieldPanel("body"),
        MultiFieldPanel(
            [
                FieldPanel("practice_status"),
                FieldPanel("ended"),
                FieldPanel("target_group"),
                FieldPanel("cost_band"),
                FieldPanel("outcome"),
                FieldPanel("last_reviewed"),
            ],
            heading=_("Results and status"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("contact_name"),
                FieldPanel("contact_organisation"),
                FieldPanel("contact_email"),
            ],
            heading=_("Contact"),
        ),
        InlinePanel("attachments", label=_("Attachments")),
        InlinePanel("related_links", label=_("Related practices")),
    ]
    parent_page_types = ["knowledge.PracticeIndexPage"]
    subpage_types: list[str] = []

    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("body"),
        index.SearchField("outcome"),
        index.SearchField("target_group"),
        index.FilterField("kind"),
    ]
    api_fields = [
        APIField("summary"),
        APIField("body"),
        APIField("kind"),
        APIField("topic_slugs"),
        APIField("city_name"),
        APIField("country_code"),
        APIField("started"),
        APIField("ended"),
        APIField("practice_status"),
        APIField("outcome"),
        APIField("target_group"),
        APIField("cost_band"),
        APIField("last_reviewed"),
        APIField("source_url"),
        APIField("shared_by_city"),
        # The e-mail address is never published: a visitor writes through the contact form.
        APIField("contact_name"),
        APIField("contact_organisation"),
        APIField("has_contact_form"),
    ]

    class Meta:
        verbose_name = _("practice")
        verbose_name_plural = _("practices")

    def clean(self):
        super().clean()
        if self.started and self.ended and self.ended < self.started:
            raise ValidationError({"ended": _("A practice cannot end before it started.")})

    @property
    def has_contact_form(self) -> bool:
        return bool(self.contact_email)

    @property
    def topic_slugs(self) -> list[str]:
        return [topic.slug for topic in self.topics.all()]

    @property
    def city_name(self) -> str:
        return self.city.name if self.city else ""

    @property
    def country_code(self) -> str:
        return self.city.country.code if self.city else ""


class PracticeAttachment(DocumentAttachment):
    page = ParentalKey(PracticePage, on_delete=models.CASCADE, related_name="attachments")

    class Meta(DocumentAttachment.Meta):
        pass


class RelatedPractice(Orderable):
    page = ParentalKey(PracticePage, on_delete=models.CASCADE, related_name="related_links")
    related = models.ForeignKey(
        PracticePage, on_delete=models.CASCADE, related_name="+", verbose_name=_("practice")
    )

    panels = [FieldPanel("related")]

    class Meta(Orderable.Meta):
        verbose_name = _("related practice")
