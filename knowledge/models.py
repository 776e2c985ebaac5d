"""The knowledge content model: topic areas, cities, practices and the CAC Global Summit 2020."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail import blocks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.api import APIField
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Collection, Orderable, Page, TranslatableMixin
from wagtail.search import index
from wagtail.snippets.models import register_snippet

from .blocks import RICH_TEXT_FEATURES, BodyBlock, NotableQuoteBlock, SpeakerBlock
from .forms import KnowledgePageForm


class PracticeKind(models.TextChoices):
    COUNTERMEASURE = "countermeasure", _("Countermeasure")
    CASE_STUDY = "case_study", _("Case study")
    GUIDELINE = "guideline", _("Guideline")
    BRIEFING_NOTE = "briefing_note", _("Briefing note")
    DATASET = "dataset", _("Dataset")
    NEWS = "news", _("News")


# ---------------------------------------------------------------------------
# Snippets
# ---------------------------------------------------------------------------


@register_snippet
class TopicArea(TranslatableMixin, index.Indexed, models.Model):
    """One of the ten areas the summit and the platform are organised by."""

    slug = models.SlugField(_("slug"), max_length=80)
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    panels = [FieldPanel("name"), FieldPanel("slug"), FieldPanel("description"), "sort_order"]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta(TranslatableMixin.Meta):
        verbose_name = _("topic area")
        verbose_name_plural = _("topic areas")
        ordering = ["sort_order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["slug", "locale"], name="unique_topic_slug_per_locale")
        ]

    def __str__(self) -> str:
        return self.name


@register_snippet
class City(TranslatableMixin, index.Indexed, models.Model):
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=120)
    country = CountryField(_("country"))
    latitude = models.DecimalField(
        _("latitude"), max_digits=8, decimal_places=5, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=8, decimal_places=5, null=True, blank=True
    )

    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("country"),
        FieldRowPanel([FieldPanel("latitude"), FieldPanel("longitude")], heading=_("Coordinates")),
    ]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta(TranslatableMixin.Meta):
        verbose_name = _("city")
        verbose_name_plural = _("cities")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["slug", "locale"], name="unique_city_slug_per_locale")
        ]

    def __str__(self) -> str:
        return self.name


# ---------------------------------------------------------------------------
# Practices
# ---------------------------------------------------------------------------


class PracticeIndexPage(Page):
    """Lists the practices of one locale and filters them by topic, kind and city."""

    intro = RichTextField(_("introduction"), blank=True, features=RICH_TEXT_FEATURES)

    base_form_class = KnowledgePageForm
    content_panels = Page.content_panels + [FieldPanel("intro")]
    subpage_types = ["knowledge.PracticePage"]
    parent_page_types = ["home.HomePage"]
    max_count_per_parent = 1
    page_size = 20

    class Meta:
        verbose_name = _("practice index")

    def get_context(self, request, *args, **kwargs):
        from .listings import PracticeFilter, filter_practices
        from .localized import prefer_locale
        from .topic_areas import topic_areas_for
        from .visibility import visible_pages

        context = super().get_context(request, *args, **kwargs)
        practice_filter = PracticeFilter.from_query(request.GET, locale=self.locale)
        # This locale's practices, and untranslated originals, as on the topic and city pages.
        listed = prefer_locale(visible_pages(PracticePage.objects.all()), self.locale)
        practices = filter_practices(listed, practice_filter)
        paginator = Paginator(practices, self.page_size)
        context["practice_filter"] = practice_filter
        context["page_obj"] = paginator.get_page(request.GET.get("page"))
        context["topics"] = topic_areas_for(self.locale)
        context["kinds"] = PracticeKind.choices
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
    source_url = models.URLField(_("source URL"), blank=True, max_length=500)
    contact_name = models.CharField(_("contact name"), max_length=200, blank=True)
    contact_organisation = models.CharField(_("contact organisation"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)

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
            ],
            heading=_("Classification"),
        ),
        FieldPanel("body"),
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
        APIField("source_url"),
        APIField("contact_name"),
        APIField("contact_organisation"),
        APIField("contact_email"),
    ]

    class Meta:
        verbose_name = _("practice")
        verbose_name_plural = _("practices")

    @property
    def topic_slugs(self) -> list[str]:
        return [topic.slug for topic in self.topics.all()]

    @property
    def city_name(self) -> str:
        return self.city.name if self.city else ""

    @property
    def country_code(self) -> str:
        return self.city.country.code if self.city else ""

    def get_context(self, request, *args, **kwargs):
        # Imported here: search builds its documents from these models.
        from search.related import related_practices

        context = super().get_context(request, *args, **kwargs)
        context["related_practices"] = related_practices(self)
        return context


class PracticeAttachment(Orderable):
    page = ParentalKey(PracticePage, on_delete=models.CASCADE, related_name="attachments")
    document = models.ForeignKey(
        "wagtaildocs.Document", on_delete=models.CASCADE, related_name="+", verbose_name=_("file")
    )

    panels = [FieldPanel("document")]

    class Meta(Orderable.Meta):
        verbose_name = _("attachment")


class RelatedPractice(Orderable):
    page = ParentalKey(PracticePage, on_delete=models.CASCADE, related_name="related_links")
    related = models.ForeignKey(
        PracticePage, on_delete=models.CASCADE, related_name="+", verbose_name=_("practice")
    )

    panels = [FieldPanel("related")]

    class Meta(Orderable.Meta):
        verbose_name = _("related practice")


# ---------------------------------------------------------------------------
# The summit
# ---------------------------------------------------------------------------


class SummitPage(Page):
    """The CAC Global Summit 2020 and its programme."""

    subtitle = models.CharField(_("subtitle"), max_length=255, blank=True)
    start_date = models.DateField(_("first day"))
    end_date = models.DateField(_("last day"))
    description = RichTextField(_("description"), blank=True, features=RICH_TEXT_FEATURES)
    declaration_title = models.CharField(_("declaration title"), max_length=255, blank=True)
    declaration = RichTextField(_("declaration"), blank=True, features=RICH_TEXT_FEATURES)

    base_form_class = KnowledgePageForm
    content_panels = Page.content_panels + [
        FieldPanel("subtitle"),
        FieldRowPanel([FieldPanel("start_date"), FieldPanel("end_date")], heading=_("Dates")),
        FieldPanel("description"),
        MultiFieldPanel(
            [FieldPanel("declaration_title"), FieldPanel("declaration")],
            heading=_("Declaration"),
        ),
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
    ]

    class Meta:
        verbose_name = _("summit")

    def get_context(self, request, *args, **kwargs):
        from .programme import programme_days

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

    base_form_class = KnowledgePageForm
    content_panels = Page.content_panels + [
        FieldPanel("topic"),
        FieldRowPanel([FieldPanel("start"), FieldPanel("end")], heading=_("Time (KST)")),
        FieldPanel("countries"),
        FieldPanel("cities"),
        FieldPanel("description"),
        FieldPanel("speakers"),
        FieldPanel("video_url"),
    ]
    parent_page_types = ["knowledge.SummitPage"]
    subpage_types = ["knowledge.SessionSummaryPage"]
    search_fields = Page.search_fields + [index.SearchField("description")]
    api_fields = [
        APIField("topic_slug"),
        APIField("start"),
        APIField("end"),
        APIField("country_codes"),
        APIField("speakers"),
        APIField("video_url"),
        APIField("description"),
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
        from .visibility import visible_pages

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


class SessionSummaryAttachment(Orderable):
    page = ParentalKey(SessionSummaryPage, on_delete=models.CASCADE, related_name="attachments")
    document = models.ForeignKey(
        "wagtaildocs.Document", on_delete=models.CASCADE, related_name="+", verbose_name=_("file")
    )

    panels = [FieldPanel("document")]

    class Meta(Orderable.Meta):
        verbose_name = _("attachment")


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


# ---------------------------------------------------------------------------
# Uploaded documents' text
# ---------------------------------------------------------------------------


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
        verbose_name = _("document text")
        verbose_name_plural = _("document texts")
        indexes = [models.Index(fields=["status", "requested_at"])]

    def __str__(self) -> str:
        return f"{self.document_id}: {self.status}"

    @property
    def failure_message(self) -> str:
        from .text_extraction import failure_message

        return failure_message(self.error_code) if self.status == self.Status.FAILED else ""


# ---------------------------------------------------------------------------
# Machine translation: the domain glossary and the jobs
# ---------------------------------------------------------------------------


def language_choices():
    # A callable, so a deployment's CAC_LANGUAGES never changes the migrations.
    return settings.LANGUAGES


@register_snippet
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

    panels = [
        FieldRowPanel([FieldPanel("source_language"), FieldPanel("source_term")]),
        FieldRowPanel([FieldPanel("target_language"), FieldPanel("target_term")]),
        FieldPanel("notes"),
    ]

    class Meta:
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
        verbose_name = _("machine translation job")
        verbose_name_plural = _("machine translation jobs")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["page", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.page_id} → {self.target_locale_id}: {self.status}"
