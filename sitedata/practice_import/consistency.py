"""Rules across the lines of a file and against the database: topics, cities, translations,
and practices with an editor's unpublished changes."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.utils.text import slugify
from django.utils.translation import gettext as _
from wagtail.models import Locale

from knowledge.models import City, PracticePage, TopicArea
from sitedata.practice_import.changes import (
    content_differs,
    pending_changes_reason,
    topic_ids_by_page,
)
from sitedata.practice_import.records import LineError, PracticeRecord, shown


@dataclass
class _ExistingData:
    """What the database already holds that a file is checked against, read in a few queries."""

    topic_ids: dict[str, int]
    city_countries: dict[str, str]
    city_ids: dict[str, int]
    practice_keys: dict[tuple[str, str], uuid.UUID]
    translations: dict[tuple[uuid.UUID, str], str]
    # Live practices with a newer, unpublished revision, by (locale, slug), and their topics.
    pending_pages: dict[tuple[str, str], PracticePage]
    pending_topic_ids: dict[int, set[int]]

    @classmethod
    def load(cls) -> _ExistingData:
        default_locale = Locale.get_default()
        topic_ids = dict(TopicArea.objects.filter(locale=default_locale).values_list("slug", "pk"))
        city_countries = {}
        city_ids = {}
        for pk, slug, country in City.objects.filter(locale=default_locale).values_list(
            "pk", "slug", "country"
        ):
            city_countries[slug] = country
            city_ids[slug] = pk
        practice_keys = {}
        translations = {}
        for slug, code, key in PracticePage.objects.values_list(
            "slug", "locale__language_code", "translation_key"
        ):
            practice_keys[(code, slug)] = key
            translations[(key, code)] = slug
        pending_pages = {
            (page.locale.language_code, page.slug): page
            for page in PracticePage.objects.filter(
                live=True, has_unpublished_changes=True
            ).select_related("locale")
        }
        pending_topic_ids = topic_ids_by_page([page.pk for page in pending_pages.values()])
        return cls(
            topic_ids,
            city_countries,
            city_ids,
            practice_keys,
            translations,
            pending_pages,
            pending_topic_ids,
        )

    def would_override_pending_changes(self, record: PracticeRecord) -> bool:
        """Whether the record would change a live practice that has an unpublished revision.

        The live page is what the record is compared with: a line that matches it changes
        nothing, and the editor's draft stays as it is.
        """
        page = self.pending_pages.get((record.locale, record.slug))
        if page is None:
            return False
        if not record.publish:
            return True  # it would take the page offline
        return content_differs(
            page,
            self.pending_topic_ids[page.pk],
            record,
            {self.topic_ids[slug] for slug in record.topics if slug in self.topic_ids},
            self.city_ids.get(slugify(record.city)),
        )


def check_file(
    records: list[PracticeRecord],
    declared: dict,
    errors: list[LineError],
    *,
    keep_existing: bool = False,
) -> None:
    """Rules across lines and against the database: topics, cities, translations, drafts."""
    existing = _ExistingData.load()
    default_code = Locale.get_default().language_code
    file_cities: dict[str, tuple[str, int]] = {}
    # A translation group may hold one practice per locale; keyed by (source slug, locale).
    file_translations: dict[tuple[str, str], PracticeRecord] = {}

    for record in records:

        def fail(reason: str, record: PracticeRecord = record) -> None:
            errors.append(LineError(record.line, reason))

        unknown_topics = [slug for slug in record.topics if slug not in existing.topic_ids]
        if unknown_topics:
            fail(
                _("unknown topic area(s): %(slugs)s")
                % {"slugs": ", ".join(shown(slug) for slug in unknown_topics)}
            )

        city_slug = slugify(record.city)
        recorded_country = existing.city_countries.get(city_slug)
        if recorded_country and recorded_country != record.country:
            fail(
                _("city %(city)s is recorded in %(recorded)s, not %(country)s")
                % {"city": record.city, "recorded": recorded_country, "country": record.country}
            )
        elif city_slug in file_cities and file_cities[city_slug][0] != record.country:
            country, line = file_cities[city_slug]
            fail(
                _("city %(city)s is in %(country)s on line %(line)d")
                % {"city": record.city, "country": country, "line": line}
            )
        file_cities.setdefault(city_slug, (record.country, record.line))

        # Updating such a page would have to publish the editor's draft or overwrite it.
        if not keep_existing and existing.would_override_pending_changes(record):
            fail(pending_changes_reason(record))

        if not record.translation_of:
            continue
        if record.locale == default_code:
            fail(
                _("a practice in the default locale (%(locale)s) cannot be a translation")
                % {"locale": default_code}
            )
            continue
        source = (default_code, record.translation_of)
        if source not in declared and source not in existing.practice_keys:
            fail(
                _(
                    "translation_of %(slug)r: no practice with that slug in the default "
                    "locale (%(locale)s), in this file or in the database"
                )
                % {"slug": shown(record.translation_of), "locale": default_code}
            )
            continue
        group = (record.translation_of, record.locale)
        if group in file_translations:
            fail(
                _("%(source)r already has a %(locale)s translation on line %(line)d")
                % {
                    "source": record.translation_of,
                    "locale": record.locale,
                    "line": file_translations[group].line,
                }
            )
            continue
        file_translations[group] = record
        source_key = existing.practice_keys.get(source)
        other = existing.translations.get((source_key, record.locale)) if source_key else None
        if other and other != record.slug:
            fail(
                _("%(source)r already has a %(locale)s translation: %(other)r")
                % {"source": record.translation_of, "locale": record.locale, "other": other}
            )
