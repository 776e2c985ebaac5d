"""Filtering practices for the public listings. Unknown filter values are ignored; a date
range that cannot be used is ignored too, and the page says why (`date_message`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.validators import slug_re
from django.db.models import QuerySet
from django.http import QueryDict
from django_countries import countries
from wagtail.models import Locale

from core.date_range import DateRange, parse_date_range
from knowledge.localized import prefer_locale
from knowledge.models.snippets import City, PracticeKind, PracticeStatus, TopicArea
from knowledge.visibility import visible_pages


@dataclass(frozen=True)
class PracticeFilter:
    topic: str = ""
    kind: str = ""
    city: str = ""
    country: str = ""  # ISO 3166-1 alpha-2, upper case
    status: str = ""
    # On the practice's start date, both ends inclusive. A practice with no start date is
    # left out when a range is given: nobody knows that it falls inside.
    dates: DateRange = DateRange()
    # Why the range asked for was not used; empty when it was (or none was asked).
    date_message: str = field(default="", compare=False)

    @classmethod
    def from_query(cls, query: QueryDict, locale: Locale) -> PracticeFilter:
        topic = _slug_or_empty(query.get("topic", ""), max_length=80)
        kind = str(query.get("kind", ""))[:20]
        city = _slug_or_empty(query.get("city", ""), max_length=120)
        country = str(query.get("country", ""))[:2].upper()
        status = str(query.get("status", ""))[:10]
        if topic and not TopicArea.objects.filter(slug=topic).exists():
            topic = ""
        if kind not in PracticeKind.values:
            kind = ""
        if city and not City.objects.filter(slug=city).exists():
            city = ""
        if countries.alpha2(country) != country:
            country = ""
        if status not in PracticeStatus.values:
            status = ""
        parsed = parse_date_range(query)
        return cls(
            topic=topic,
            kind=kind,
            city=city,
            country=country,
            status=status,
            dates=parsed.dates,
            date_message=parsed.message,
        )

    @property
    def is_active(self) -> bool:
        return bool(
            self.topic or self.kind or self.city or self.country or self.status or self.dates.is_set
        )


def _slug_or_empty(value: str, max_length: int) -> str:
    # Anything that cannot be a slug never reaches the database (PostgreSQL rejects NUL bytes).
    value = str(value)
    if len(value) > max_length or not slug_re.fullmatch(value):
        return ""
    return value


def filter_practices(practices: QuerySet, practice_filter: PracticeFilter) -> QuerySet:
    """Visible practices matching the filter, newest first."""
    practices = visible_pages(practices)
    if practice_filter.topic:
        practices = practices.filter(topics__slug=practice_filter.topic)
    if practice_filter.kind:
        practices = practices.filter(kind=practice_filter.kind)
    if practice_filter.city:
        practices = practices.filter(city__slug=practice_filter.city)
    if practice_filter.country:
        practices = practices.filter(city__country=practice_filter.country)
    if practice_filter.status:
        practices = practices.filter(practice_status=practice_filter.status)
    practices = started_within(practices, practice_filter.dates)
    return (
        practices.select_related("city")
        .prefetch_related("topics")
        .distinct()
        .order_by("-started", "-first_published_at", "pk")
    )


def started_within(practices: QuerySet, dates: DateRange) -> QuerySet:
    """Practices whose start date is in the range (both ends inclusive). With either end
    given, practices with no start date are left out (a NULL compares as neither)."""
    if dates.start:
        practices = practices.filter(started__gte=dates.start)
    if dates.end:
        practices = practices.filter(started__lte=dates.end)
    return practices


def practices_search_query(practice_filter: PracticeFilter) -> str:
    """The search that finds what a practice listing shows, in the search's own parameters
    (the listing's "Download these results" links): practices only, a topic by its slug, a
    city by its English name, as the search index holds them."""
    query = QueryDict(mutable=True)
    query.setlist("kind", [practice_filter.kind] if practice_filter.kind else PracticeKind.values)
    if practice_filter.topic:
        query["topic"] = practice_filter.topic
    if practice_filter.city:
        query["city"] = _english_city_name(practice_filter.city)
    if practice_filter.country:
        query["country"] = practice_filter.country
    if practice_filter.status:
        query["status"] = practice_filter.status
    for name, value in practice_filter.dates.query_items():
        query[name] = value
    return query.urlencode()


def _english_city_name(slug: str) -> str:
    city = City.objects.filter(slug=slug).first()
    if city is None:
        return ""
    english = City.objects.filter(
        translation_key=city.translation_key, locale=Locale.get_default()
    ).first()
    return (english or city).name


def listed_countries(practices: QuerySet) -> list[tuple[str, str]]:
    """(code, name in the active language) of the countries these practices are in, by name."""
    codes = set(practices.exclude(city=None).values_list("city__country", flat=True))
    return sorted(((code, str(countries.name(code))) for code in codes if code), key=lambda c: c[1])


def topic_areas_for(locale: Locale) -> QuerySet[TopicArea]:
    """The ten areas in the visitor's language (untranslated ones in the default language)."""
    return prefer_locale(TopicArea.objects.all(), locale).order_by("sort_order", "name")
