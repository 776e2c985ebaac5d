"""The snippets every page links to: topic areas and cities, and the kinds of practice."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from wagtail.admin.panels import FieldPanel, FieldRowPanel
from wagtail.models import TranslatableMixin
from wagtail.search import index
from wagtail.snippets.models import register_snippet

from core.forms import CheckedModelForm


class PracticeKind(models.TextChoices):
    COUNTERMEASURE = "countermeasure", _("Countermeasure")
    CASE_STUDY = "case_study", _("Case study")
    GUIDELINE = "guideline", _("Guideline")
    BRIEFING_NOTE = "briefing_note", _("Briefing note")
    DATASET = "dataset", _("Dataset")
    NEWS = "news", _("News")


class PracticeStatus(models.TextChoices):
    """Where a practice stands: an official asks first whether it still runs."""

    PLANNED = "planned", _("Planned")
    ACTIVE = "active", _("Active")
    ENDED = "ended", _("Ended")


class CostBand(models.TextChoices):
    """What a practice cost, in US dollar bands, so cities of any currency compare."""

    NONE = "none", _("No direct cost")
    LOW = "low", _("Under US$100,000")
    MEDIUM = "medium", _("US$100,000 to 1 million")
    HIGH = "high", _("US$1 million to 10 million")
    VERY_HIGH = "very_high", _("Over US$10 million")


# ---------------------------------------------------------------------------
# Snippets
# ---------------------------------------------------------------------------


class TopicArea(TranslatableMixin, index.Indexed, models.Model):
    """One of the ten areas the summit and the platform are organised by."""

    slug = models.SlugField(_("slug"), max_length=80)
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    base_form_class = CheckedModelForm
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
    population = models.PositiveBigIntegerField(_("population"), null=True, blank=True)

    base_form_class = CheckedModelForm
    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("country"),
        FieldRowPanel([FieldPanel("latitude"), FieldPanel("longitude")], heading=_("Coordinates")),
        FieldPanel("population"),
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


# By dotted path: register_snippet resolves it once the apps are ready (core.wagtail_internals
# imports admin views, which need the models). Its breadcrumbs follow the admin language.
register_snippet(TopicArea, viewset="core.wagtail_internals.TranslatedSnippetViewSet")
register_snippet(City, viewset="core.wagtail_internals.TranslatedSnippetViewSet")
