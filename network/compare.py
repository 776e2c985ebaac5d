"""Cities side by side on one topic area: what the compare page offers, reads and shows.

/<lang>/compare/?topic=<slug>&cities=<slug>,<slug>… (or cities repeated, as its form sends
them). Only cities the public can read something about are offered or accepted, so the page
never confirms that a city known only from drafts exists; only public practices are shown,
in the reader's language where a translation is published (knowledge.localized).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from urllib.parse import quote, urlencode

from django.core.validators import slug_re
from django.db.models import Count, QuerySet
from django.http import HttpRequest, QueryDict
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from wagtail.models import Locale

from knowledge.cities import city_index
from knowledge.localized import prefer_locale
from knowledge.models import City, PracticeIndexPage, PracticePage, TopicArea
from knowledge.reader_language import reader_url
from knowledge.topic_areas import topic_area_by_slug
from knowledge.visibility import visible_pages

MAX_CITIES = 4
# Per city: the newest ones; the rest are a link away, in the practice listing.
PRACTICES_SHOWN = 10
OUTCOME_WORDS = 30
MAX_SLUG_LENGTH = 120  # City.slug's; a topic's is shorter


@dataclass(frozen=True)
class ComparisonChoice:
    """What the reader asked to compare, as far as it names things we show."""

    topic: TopicArea | None
    cities: tuple[City, ...]  # in the order chosen, each once, at most MAX_CITIES
    # Why the address cannot be answered as asked, for the reader; any one makes it a 400.
    problems: tuple[str, ...]

    @property
    def is_complete(self) -> bool:
        return self.topic is not None and bool(self.cities) and not self.problems

    @property
    def query(self) -> str:
        """The one query string for this choice: topic first, cities comma-separated."""
        parts = []
        if self.topic is not None:
            parts.append(f"topic={quote(self.topic.slug, safe='')}")
        if self.cities:
            parts.append("cities=" + ",".join(quote(city.slug, safe="") for city in self.cities))
        return "&".join(parts)


@dataclass(frozen=True)
class ComparedPractice:
    page: PracticePage  # for marking its language where it is not the reader's
    title: str
    url: str
    kind: str  # labels, in the reader's language
    status: str
    started: date | None
    ended: date | None
    cost: str
    outcome: str  # its first words


@dataclass(frozen=True)
class CityOnTopic:
    city: City
    practice_count: int  # a practice and its translations count once
    practices: tuple[ComparedPractice, ...]  # the newest PRACTICES_SHOWN
    # The practice listing filtered to this city and topic, when it holds more than shown.
    listing_url: str = ""


def comparable_cities(locale: Locale) -> list[City]:
    """The cities the form offers: those of the cities index, by name."""
    cities = [row.city for row in city_index(locale)]
    return sorted(cities, key=lambda city: city.name.casefold())


def read_comparison_choice(
    query: QueryDict, locale: Locale, offered: list[City]
) -> ComparisonChoice:
    """The topic and cities a query names; whatever it holds, never an error."""
    problems: list[str] = []
    topic = _read_topic(query.getlist("topic"), locale, problems)

    # `cities=a,b`, `cities=a&cities=b` and the form's empty selects are all one list.
    wanted: list[str] = []
    for value in query.getlist("cities"):
        for piece in str(value).split(","):
            piece = piece.strip()
            if piece and piece not in wanted:
                wanted.append(piece)
                if len(wanted) > MAX_CITIES:
                    break
        if len(wanted) > MAX_CITIES:
            break
    if len(wanted) > MAX_CITIES:
        problems.append(
            _("You can compare at most %(limit)s cities at a time.") % {"limit": MAX_CITIES}
        )
        wanted = wanted[:MAX_CITIES]

    by_slug = {city.slug: city for city in offered}
    cities: list[City] = []
    for slug in wanted:
        if not _is_slug(slug):
            problems.append(_("A city in the address is not one we know. Choose from the lists."))
            continue
        city = by_slug.get(slug) or _offered_by_default_slug(slug, offered)
        if city is None:
            problems.append(
                _("No city “%(slug)s” has public work here. Choose from the lists.")
                % {"slug": slug}
            )
        elif city not in cities:  # the same city by its own and by its English slug
            cities.append(city)
    return ComparisonChoice(topic=topic, cities=tuple(cities), problems=tuple(problems))


def _read_topic(values: list[str], locale: Locale, problems: list[str]) -> TopicArea | None:
    slugs = list(dict.fromkeys(str(value).strip() for value in values if str(value).strip()))
    if not slugs:
        return None
    if len(slugs) > 1:
        problems.append(_("Choose one topic area at a time."))
        return None
    if not _is_slug(slugs[0]):
        problems.append(
            _("The topic area in the address is not one we know. Choose from the list.")
        )
        return None
    topic = topic_area_by_slug(slugs[0], locale)
    if topic is None:
        problems.append(
            _("There is no topic area “%(slug)s”. Choose from the list.") % {"slug": slugs[0]}
        )
    return topic


def _is_slug(value: str) -> bool:
    # Anything else never reaches the database (PostgreSQL rejects NUL bytes).
    return len(value) <= MAX_SLUG_LENGTH and bool(slug_re.fullmatch(value))


def _offered_by_default_slug(slug: str, offered: list[City]) -> City | None:
    """An offered city named by its default-language record's slug, as links from a page in
    the default language name it (where a translation's slug differs)."""
    original = City.objects.filter(slug=slug, locale=Locale.get_default()).first()
    if original is None:
        return None
    return next((c for c in offered if c.translation_key == original.translation_key), None)


def compare_on_topic(
    topic: TopicArea,
    cities: tuple[City, ...],
    locale: Locale,
    request: HttpRequest | None = None,
) -> list[CityOnTopic]:
    """Each city's public practices on the topic, in the order the cities were chosen.

    Matched by translation keys, as the topic and city pages match them, so a page linked to
    any language's record counts, shown in the reader's language where it is published.
    """
    practices = _public_practices_on(topic, cities, locale)
    counts = dict(
        practices.order_by()
        .values_list("city__translation_key")
        .annotate(count=Count("pk", distinct=True))
    )
    listing: str | None = None  # the filtered listing's address but the city, found once
    compared = []
    for city in cities:
        count = counts.get(city.translation_key, 0)
        shown = []
        if count:
            shown = [
                _compared(page, request)
                for page in practices.filter(city__translation_key=city.translation_key)
                .defer("body")
                .order_by("-started", "-first_published_at", "pk")[:PRACTICES_SHOWN]
            ]
        listing_url = ""
        if count > len(shown):
            if listing is None:
                listing = _topic_listing_url(topic, locale, request)
            if listing:
                listing_url = f"{listing}&{urlencode({'city': _default_slug(city)})}"
        compared.append(CityOnTopic(city, count, tuple(shown), listing_url))
    return compared


def _public_practices_on(topic: TopicArea, cities: tuple[City, ...], locale: Locale) -> QuerySet:
    practices = visible_pages(
        PracticePage.objects.filter(
            topics__translation_key=topic.translation_key,
            city__translation_key__in=[city.translation_key for city in cities],
        )
    ).distinct()
    return prefer_locale(practices, locale)


def _compared(page: PracticePage, request: HttpRequest | None) -> ComparedPractice:
    return ComparedPractice(
        page=page,
        title=page.title,
        url=reader_url(page, request),
        kind=page.get_kind_display(),
        status=page.get_practice_status_display(),
        started=page.started,
        ended=page.ended,
        cost=page.get_cost_band_display(),
        outcome=Truncator(page.outcome).words(OUTCOME_WORDS, truncate="…"),
    )


def _topic_listing_url(topic: TopicArea, locale: Locale, request: HttpRequest | None) -> str:
    """The practice listing filtered to the topic, "" when there is none."""
    index = visible_pages(PracticeIndexPage.objects.filter(locale=locale)).first()
    if index is None:
        index = visible_pages(PracticeIndexPage.objects.filter(locale=Locale.get_default())).first()
    if index is None:
        return ""
    return f"{reader_url(index, request)}?{urlencode({'topic': _default_slug(topic)})}"


def _default_slug(snippet: TopicArea | City) -> str:
    """The slug of the default language's record: the listing's filters name the records
    that pages link to."""
    original = (
        type(snippet)
        .objects.filter(translation_key=snippet.translation_key, locale=Locale.get_default())
        .values_list("slug", flat=True)
        .first()
    )
    return original or snippet.slug
