"""The search app's tables."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import CheckedModelForm


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


def reserved_synonym_syntax(term: str) -> list[str]:
    """The synonym rule syntax (Solr format) a term holds, which no term may."""
    found = [syntax for syntax in ("=>", "\\") if syntax in term]
    if term.startswith("#"):
        found.append("#")
    return found


class SynonymGroup(models.Model):
    """Terms editors declare equivalent for search, on top of search/resources/synonyms.txt.

    A group applies to queries in every language (both engines expand or analyse with all
    groups), so it has no language of its own.
    """

    terms = models.TextField(
        _("terms"),
        help_text=_("Comma-separated words or phrases that mean the same."),
    )

    base_form_class = CheckedModelForm

    class Meta:
        verbose_name = _("synonym group")
        verbose_name_plural = _("synonym groups")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.terms[:80]

    def clean(self) -> None:
        """Refuse terms holding synonym rule syntax: "=>" (a one-way mapping), a backslash
        (an escape) or a leading "#" (a comment). Elasticsearch refuses the whole synonyms set
        for one rule it cannot parse, and so every group would stop applying."""
        super().clean()
        errors = [
            ValidationError(
                _(
                    "“%(term)s” contains “%(syntax)s”, which synonym rules reserve. Leave it "
                    "out, and separate the terms with commas only."
                ),
                code="synonym_syntax",
                params={"term": term, "syntax": syntax},
            )
            for term in (part.strip() for part in self.terms.split(","))
            for syntax in reserved_synonym_syntax(term)
        ]
        if errors:
            raise ValidationError({"terms": errors})


class SearchQueryDay(models.Model):
    """How often one query was searched in one language on one day, and how often in vain.

    Nothing about who searched: no user, session, address or time finer than the day.
    Wagtail's search_promotions Query/QueryDailyHits were considered: they count hits per
    query and day but have no language and no zero-result count, their query text is keyed
    without a language, and Query.get() creates rows on every lookup. One table of our own
    keeps the whole log in one place; Wagtail's Query still holds the promoted-result terms.
    """

    query = models.CharField(_("query"), max_length=200)
    language = models.CharField(_("language"), max_length=10)
    day = models.DateField(_("day"))
    searches = models.PositiveIntegerField(_("searches"), default=0)
    zero_result_searches = models.PositiveIntegerField(_("searches with no results"), default=0)

    class Meta:
        verbose_name = _("search query log entry")
        verbose_name_plural = _("search query log")
        constraints = [
            models.UniqueConstraint(
                fields=["query", "language", "day"], name="search_query_day_unique"
            )
        ]
        indexes = [models.Index(fields=["day", "language"], name="search_query_day_recent")]

    def __str__(self) -> str:
        return f"{self.day} {self.language} {self.query}"


class PassageVector(models.Model):
    """One passage's vector from one embedding model, computed once (search.semantic.vectors).

    Keyed by the model's key and a hash of the text, so rebuilds, reconciles and translations
    whose text did not change reuse it, and a new model version computes its own.
    """

    model_key = models.CharField(_("model"), max_length=200)
    text_hash = models.CharField(_("text hash"), max_length=32)
    vector = models.BinaryField(_("vector"))  # float32, little-endian
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("passage vector")
        verbose_name_plural = _("passage vectors")
        constraints = [
            models.UniqueConstraint(
                fields=["model_key", "text_hash"], name="search_passage_vector_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.model_key} {self.text_hash}"
