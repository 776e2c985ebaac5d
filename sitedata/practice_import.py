"""Importing practices from a JSON Lines file: validate all of it, then write it all or nothing.

The format is the one `sitedata.open_data` exports, so an export imports back unchanged.
Records are upserted by (slug, locale). A practice whose values already match gets no new
revision, so importing the same file twice changes nothing.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import transaction
from django.db.models import F
from django.db.models.signals import post_save
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django_countries import countries
from modelcluster.models import get_all_child_relations
from wagtail.models import Locale, Page, PageLogEntry, ReferenceIndex, Revision
from wagtail.search.backends import get_search_backends
from wagtail.search.signal_handlers import post_save_signal_handler as search_index_on_save
from wagtail.signal_handlers import disable_reference_index_auto_update
from wagtail.signals import page_published

from home.site_structure import (
    content_language_codes,
    ensure_locales,
    ensure_site_structure,
    practice_index_for,
)
from knowledge.models import City, PracticeKind, PracticePage, TopicArea
from sitedata.import_limits import ImportLimits, read_lines
from sitedata.open_data import body_from_paragraphs, normalise_paragraph, paragraphs_from_body
from sitedata.summit_programme import get_or_create_city

REQUIRED_KEYS = ("slug", "locale", "title", "body", "kind", "topics", "city", "country")
# `url` is what an export adds; an import ignores it, the page's place in the tree decides it.
OPTIONAL_KEYS = ("summary", "started", "source_url", "contact", "translation_of", "status", "url")
CONTACT_KEYS = ("name", "organisation", "email")
STATUS_PUBLISHED = "published"
STATUS_DRAFT = "draft"

SLUG_PATTERN = re.compile(r"[a-z0-9-]+")
DATE_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}")
PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
# Field lengths of the models the values end up in. Summary and body have no column length:
# their limits are settings (ImportLimits).
MAX_LENGTHS = {
    "slug": 255,
    "title": 255,
    "city": 120,
    "source_url": 500,
    "name": 200,
    "organisation": 200,
    "email": 254,
}

validate_url = URLValidator(schemes=["http", "https"])
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PracticeRecord:
    """One valid line of an import file, normalised."""

    line: int
    slug: str
    locale: str
    title: str
    summary: str
    paragraphs: tuple[str, ...]
    kind: str
    topics: tuple[str, ...]
    city: str
    country: str
    started: date | None
    source_url: str
    contact_name: str
    contact_organisation: str
    contact_email: str
    translation_of: str
    publish: bool


@dataclass(frozen=True)
class LineError:
    line: int
    reason: str

    def __str__(self) -> str:
        return _("line %(number)d: %(reason)s") % {"number": self.line, "reason": self.reason}


@dataclass
class ValidationResult:
    records: list[PracticeRecord]
    errors: list[LineError]

    @property
    def is_valid(self) -> bool:
        return not self.errors


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    dry_run: bool = False

    def describe(self) -> str:
        counts = {
            "created": len(self.created),
            "updated": len(self.updated),
            "unchanged": len(self.unchanged),
        }
        if self.dry_run:
            return (
                _(
                    "Dry run, nothing written: %(created)d would be created, "
                    "%(updated)d updated, %(unchanged)d unchanged."
                )
                % counts
            )
        return (
            _(
                "Practices imported: %(created)d created, %(updated)d updated, "
                "%(unchanged)d unchanged."
            )
            % counts
        )


class InvalidPracticeFile(Exception):
    """The file has bad lines; nothing was imported."""

    def __init__(self, errors: Sequence[LineError]):
        self.errors = list(errors)
        super().__init__("\n".join(str(error) for error in self.errors))


# ---------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------


def _text(
    data: dict, key: str, reasons: list[str], *, required: bool = False, limit: int | None = None
) -> str:
    """The key's string value, stripped; `limit` (characters) replaces its column length."""
    value = data.get(key)
    if value is None:
        if required:
            reasons.append(_("%(key)s must not be empty") % {"key": key})
        return ""
    if not isinstance(value, str):
        reasons.append(_("%(key)s must be a string") % {"key": key})
        return ""
    value = value.strip()
    if "\x00" in value:
        # PostgreSQL cannot store it; caught here, the file fails before anything is written.
        reasons.append(_("%(key)s contains a NUL character") % {"key": key})
        return ""
    if required and not value:
        reasons.append(_("%(key)s must not be empty") % {"key": key})
    limit = MAX_LENGTHS.get(key) if limit is None else limit
    if limit is not None and len(value) > limit:
        reasons.append(
            _("%(key)s is longer than %(limit)d characters") % {"key": key, "limit": limit}
        )
    return value


def _is_valid_unicode(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _invalid_unicode_reasons(data: dict) -> list[str]:
    """Keys holding a string UTF-8 cannot encode, anywhere below them: JSON allows a lone
    surrogate such as "\\ud800", which no database stores and no output can print."""
    reasons = []
    for key, value in data.items():
        pending = [key, value]  # a stack, not recursion: values may nest deeply
        while pending:
            item = pending.pop()
            if isinstance(item, dict):
                pending.extend(item.keys())
                pending.extend(item.values())
            elif isinstance(item, list):
                pending.extend(item)
            elif isinstance(item, str) and not _is_valid_unicode(item):
                if _is_valid_unicode(key):
                    reasons.append(
                        _("%(key)s contains text that is not valid Unicode") % {"key": key}
                    )
                else:
                    reasons.append(_("a key contains text that is not valid Unicode"))
                break
    return reasons


def _parse_object(
    number: int, data: dict, limits: ImportLimits
) -> tuple[PracticeRecord | None, list[str]]:
    """Check one line's object on its own, without the database or the rest of the file."""
    # First and alone: the other reasons quote values, and this text cannot be printed.
    reasons = _invalid_unicode_reasons(data)
    if reasons:
        return None, reasons
    missing = [key for key in REQUIRED_KEYS if key not in data]
    if missing:
        reasons.append(_("missing required key(s): %(keys)s") % {"keys": ", ".join(missing)})
    unknown = sorted(set(data) - set(REQUIRED_KEYS) - set(OPTIONAL_KEYS))
    if unknown:
        reasons.append(_("unknown key(s): %(keys)s") % {"keys": ", ".join(unknown)})

    slug = _text(data, "slug", reasons, required="slug" in data)
    if slug and not SLUG_PATTERN.fullmatch(slug):
        reasons.append(_("slug %(slug)r may only hold a-z, 0-9 and hyphens") % {"slug": slug})

    locale = _text(data, "locale", reasons, required="locale" in data)
    locales = content_language_codes()
    if locale and locale not in locales:
        reasons.append(
            _("locale %(locale)r is not one of: %(choices)s")
            % {"locale": locale, "choices": ", ".join(locales)}
        )

    title = _text(data, "title", reasons, required="title" in data)
    summary = _text(data, "summary", reasons, limit=limits.summary_chars)

    body = _text(data, "body", reasons, required="body" in data, limit=limits.body_chars)
    paragraphs = tuple(
        paragraph
        for paragraph in (
            normalise_paragraph(part) for part in PARAGRAPH_BREAK.split(body.replace("\r", ""))
        )
        if paragraph
    )

    kind = _text(data, "kind", reasons, required="kind" in data)
    if kind and kind not in PracticeKind.values:
        reasons.append(
            _("kind %(kind)r is not one of: %(choices)s")
            % {"kind": kind, "choices": ", ".join(PracticeKind.values)}
        )

    topics: tuple[str, ...] = ()
    if "topics" in data:
        raw_topics = data["topics"]
        if (
            not isinstance(raw_topics, list)
            or not raw_topics
            or not all(isinstance(topic, str) and topic.strip() for topic in raw_topics)
        ):
            reasons.append(_("topics must be a non-empty list of topic-area slugs"))
        else:
            topics = tuple(sorted({topic.strip() for topic in raw_topics}))

    city = _text(data, "city", reasons, required="city" in data)
    if city and not slugify(city):
        reasons.append(_("city %(city)r must be given by its English name") % {"city": city})

    country = _text(data, "country", reasons, required="country" in data).upper()
    if country and (len(country) != 2 or countries.alpha2(country) != country):
        reasons.append(
            _("country %(country)r is not an ISO 3166-1 alpha-2 code") % {"country": country}
        )

    started = None
    started_text = _text(data, "started", reasons)
    if started_text:
        try:
            if not DATE_PATTERN.fullmatch(started_text):
                raise ValueError
            started = date.fromisoformat(started_text)
        except ValueError:
            reasons.append(
                _("started %(value)r is not a date as YYYY-MM-DD") % {"value": started_text}
            )

    source_url = _text(data, "source_url", reasons)
    if source_url:
        try:
            validate_url(source_url)
        except ValidationError:
            reasons.append(
                _("source_url %(url)r is not a valid http(s) address") % {"url": source_url}
            )

    contact = {key: "" for key in CONTACT_KEYS}
    raw_contact = data.get("contact")
    if raw_contact is not None:
        if not isinstance(raw_contact, dict) or set(raw_contact) - set(CONTACT_KEYS):
            reasons.append(_("contact must be an object with name, organisation and/or email"))
        else:
            contact = {key: _text(raw_contact, key, reasons) for key in CONTACT_KEYS}
            if contact["email"]:
                try:
                    validate_email(contact["email"])
                except ValidationError:
                    reasons.append(
                        _("contact email %(email)r is not a valid e-mail address")
                        % {"email": contact["email"]}
                    )

    translation_of = _text(data, "translation_of", reasons)
    if translation_of and not SLUG_PATTERN.fullmatch(translation_of):
        reasons.append(_("translation_of must be the slug of a practice"))

    status = _text(data, "status", reasons) or STATUS_PUBLISHED
    if status not in (STATUS_PUBLISHED, STATUS_DRAFT):
        reasons.append(
            _("status %(status)r is not %(published)r or %(draft)r")
            % {"status": status, "published": STATUS_PUBLISHED, "draft": STATUS_DRAFT}
        )

    if reasons:
        return None, reasons
    return (
        PracticeRecord(
            line=number,
            slug=slug,
            locale=locale,
            title=title,
            summary=summary,
            paragraphs=paragraphs,
            kind=kind,
            topics=topics,
            city=city,
            country=country,
            started=started,
            source_url=source_url,
            contact_name=contact["name"],
            contact_organisation=contact["organisation"],
            contact_email=contact["email"],
            translation_of=translation_of,
            publish=status == STATUS_PUBLISHED,
        ),
        [],
    )


def _page_fields(record: PracticeRecord) -> dict:
    """The record's values for the page fields of the same name."""
    return {
        "title": record.title,
        "summary": record.summary,
        "kind": record.kind,
        "started": record.started,
        "source_url": record.source_url,
        "contact_name": record.contact_name,
        "contact_organisation": record.contact_organisation,
        "contact_email": record.contact_email,
    }


def _body_differs(page: PracticePage, record: PracticeRecord) -> bool:
    # Only the text counts: images, embeds and files an editor added are not in the file.
    return paragraphs_from_body(page.body) != list(record.paragraphs)


def _content_differs(
    page: PracticePage,
    page_topic_ids: set[int],
    record: PracticeRecord,
    topic_ids: set[int],
    city_id: int | None,
) -> bool:
    """Whether importing the record would change the page. city_id None: a city not yet saved."""
    return not (
        all(getattr(page, name) == value for name, value in _page_fields(record).items())
        and city_id is not None
        and page.city_id == city_id
        and page_topic_ids == topic_ids
        and not _body_differs(page, record)
    )


def _pending_changes_reason(record: PracticeRecord) -> str:
    return _(
        'practice "%(slug)s" (%(locale)s) has unpublished changes in the admin; '
        "publish or discard them before importing"
    ) % {"slug": record.slug, "locale": record.locale}


def _topic_ids_by_page(page_ids: Iterable[int] | None = None) -> dict[int, set[int]]:
    through = PracticePage.topics.through
    links = through.objects.all()
    if page_ids is not None:
        links = links.filter(practicepage_id__in=page_ids)
    topic_ids: dict[int, set[int]] = defaultdict(set)
    for page_id, topic_id in links.values_list("practicepage_id", "topicarea_id"):
        topic_ids[page_id].add(topic_id)
    return topic_ids


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
        pending_topic_ids = _topic_ids_by_page([page.pk for page in pending_pages.values()])
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
        return _content_differs(
            page,
            self.pending_topic_ids[page.pk],
            record,
            {self.topic_ids[slug] for slug in record.topics if slug in self.topic_ids},
            self.city_ids.get(slugify(record.city)),
        )


def _check_file(
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
            fail(_("unknown topic area(s): %(slugs)s") % {"slugs": ", ".join(unknown_topics)})

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
            fail(_pending_changes_reason(record))

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
                % {"slug": record.translation_of, "locale": default_code}
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


def validate_practice_lines(
    lines: Iterable[str | bytes],
    *,
    keep_existing: bool = False,
    limits: ImportLimits | None = None,
) -> ValidationResult:
    """Check every line of an import file. Line numbers count from 1, empty lines included.

    keep_existing: the import will leave practices already there alone, so their state
    (such as an editor's pending draft) does not matter. limits: by default the settings'.
    """
    limits = limits or ImportLimits.from_settings()
    records: list[PracticeRecord] = []
    errors: list[LineError] = []
    # (locale, slug) -> line, for every line that names both, valid or not.
    declared: dict[tuple[str, str], int] = {}
    for number, raw in enumerate(lines, start=1):
        # Before any decoding or parsing: JSON takes many times a line's size in memory.
        if limits.line_too_long(raw):
            errors.append(
                LineError(
                    number,
                    _("the line is longer than %(limit)d bytes") % {"limit": limits.line_bytes},
                )
            )
            continue
        if isinstance(raw, bytes):
            try:
                raw = raw.decode("utf-8")
            except UnicodeDecodeError:
                errors.append(LineError(number, _("not valid UTF-8")))
                continue
        text = raw.lstrip("\ufeff").strip()
        if not text:
            continue
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            errors.append(
                LineError(
                    number,
                    _("invalid JSON: %(message)s (column %(column)d)")
                    % {"message": error.msg, "column": error.colno},
                )
            )
            continue
        except RecursionError:
            errors.append(LineError(number, _("invalid JSON: too deeply nested")))
            continue
        except ValueError as error:
            # Such as an integer longer than Python converts (sys.get_int_max_str_digits()).
            message = str(error).split(":")[0]
            errors.append(LineError(number, _("invalid JSON: %(message)s") % {"message": message}))
            continue
        if not isinstance(data, dict):
            errors.append(LineError(number, _("expected a JSON object")))
            continue
        identity = (data.get("locale"), data.get("slug"))
        if all(isinstance(part, str) for part in identity):
            identity = (identity[0].strip(), identity[1].strip())
            if identity in declared:
                errors.append(
                    LineError(
                        number,
                        _("duplicate of line %(line)d: same slug and locale")
                        % {"line": declared[identity]},
                    )
                )
                continue
            declared[identity] = number
        record, reasons = _parse_object(number, data, limits)
        errors.extend(LineError(number, reason) for reason in reasons)
        if record is not None:
            records.append(record)
    _check_file(records, declared, errors, keep_existing=keep_existing)
    errors.sort(key=lambda error: error.line)
    return ValidationResult(records=records if not errors else [], errors=errors)


def validate_practice_file(
    path: Path, *, keep_existing: bool = False, limits: ImportLimits | None = None
) -> ValidationResult:
    limits = limits or ImportLimits.from_settings()
    with path.open("rb") as handle:
        return validate_practice_lines(
            read_lines(handle, limits.line_bytes), keep_existing=keep_existing, limits=limits
        )


# ---------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------


@contextmanager
def _indexing_deferred(written: list[PracticePage]):
    """Index each written practice once, at the end, instead of on each of its saves.

    Creating and publishing a page saves it several times, and every save re-indexes it for
    Wagtail's search and reference index: most of an import's time. The signal handler is
    detached only while the import runs (a management command, one per process).
    """
    detached = post_save.disconnect(search_index_on_save, sender=PracticePage)
    try:
        with disable_reference_index_auto_update():
            yield
    finally:
        if detached:
            post_save.connect(search_index_on_save, sender=PracticePage)
    page_ids = [page.pk for page in written]
    for start in range(0, len(page_ids), 500):
        pages = list(
            PracticePage.objects.filter(pk__in=page_ids[start : start + 500]).prefetch_related(
                # The reference index reads every child relation; one query each per batch.
                *(
                    relation.get_accessor_name()
                    for relation in get_all_child_relations(PracticePage)
                ),
            )
        )
        for backend in get_search_backends(with_auto_update=True):
            try:
                backend.add_bulk(PracticePage, pages)
            except Exception:
                # As Wagtail's own handler does: a search outage must not lose the content.
                logger.exception("Could not index imported practices in %s", backend)
        for page in pages:
            ReferenceIndex.create_or_update_for_object(page)


class _ChildAppender:
    """Adds pages under one parent as treebeard's `add_child` does, counting children once.

    `add_child` locks and updates the parent row for every child. PostgreSQL slows down with
    each update of the same row inside one transaction (every version stays until commit),
    and an import adds thousands of practices to one index page: 5,000 took twice as long per
    page at the end as at the start. Here the parent is locked once and its child count is
    updated once, in finish().
    """

    def __init__(self, parent: Page):
        self.parent = Page.objects.select_for_update().get(pk=parent.pk)
        last_child = self.parent.get_last_child()
        self.depth = self.parent.depth + 1
        self.next_path = (
            last_child._inc_path()
            if last_child
            else Page._get_path(self.parent.path, self.depth, 1)
        )
        self.added = 0

    def add(self, page: Page) -> None:
        page.depth = self.depth
        page.path = self.next_path
        page._cached_parent_obj = self.parent
        page.save()
        self.next_path = page._inc_path()
        self.added += 1
        # In memory only, as add_child does, so Wagtail's sibling-slug check sees the children.
        self.parent.numchild += 1

    def finish(self) -> None:
        if self.added:
            Page.objects.filter(pk=self.parent.pk).update(numchild=F("numchild") + self.added)


class _PracticeWriter:
    """Upserts records, with topics, cities and existing pages read once up front."""

    def __init__(self, *, dry_run: bool, keep_existing: bool = False):
        self.dry_run = dry_run
        self.keep_existing = keep_existing
        self.written: list[PracticePage] = []
        self.publish_log: list[PageLogEntry] = []
        self.default_locale = Locale.get_default()
        self.locales = {locale.language_code: locale for locale in Locale.objects.all()}
        self.topics = {(topic.locale_id, topic.slug): topic for topic in TopicArea.objects.all()}
        self.cities = {city.slug: city for city in City.objects.filter(locale=self.default_locale)}
        self.appenders: dict[str, _ChildAppender] = {}
        self.pages: dict[tuple[int, str], PracticePage] = {
            (page.locale_id, page.slug): page for page in PracticePage.objects.all()
        }
        self.page_topics = _topic_ids_by_page()

    def _topics_for(self, record: PracticeRecord) -> list[TopicArea]:
        # Pages in every language link the default-locale snippets (docs/architecture.md).
        return [self.topics[(self.default_locale.pk, slug)] for slug in record.topics]

    def _city_for(self, record: PracticeRecord) -> City | None:
        slug = slugify(record.city)
        city = self.cities.get(slug)
        if city is None and not self.dry_run:
            city = self.cities[slug] = get_or_create_city(record.city, record.country)
        return city

    def _translation_key(self, record: PracticeRecord) -> uuid.UUID | None:
        if not record.translation_of:
            return None
        return self.pages[(self.default_locale.pk, record.translation_of)].translation_key

    def apply(self, record: PracticeRecord) -> str:
        """Create, update or leave one practice; returns which of the three it did."""
        locale = self.locales[record.locale]
        topics = self._topics_for(record)
        city = self._city_for(record)
        translation_key = self._translation_key(record)
        page = self.pages.get((locale.pk, record.slug))
        if page is None:
            page = PracticePage(
                slug=record.slug,
                locale=locale,
                translation_key=translation_key or uuid.uuid4(),
                body=body_from_paragraphs(record.paragraphs),
                city=city,
                **_page_fields(record),
            )
            page.topics = topics
            self.pages[(locale.pk, record.slug)] = page
            if not self.dry_run:
                self._create(page, self._appender(locale), publish=record.publish)
            return "created"
        if self.keep_existing:
            return "unchanged"
        return self._update(page, record, topics, city, translation_key)

    def _appender(self, locale: Locale) -> _ChildAppender:
        code = locale.language_code
        if code not in self.appenders:
            self.appenders[code] = _ChildAppender(practice_index_for(locale))
        return self.appenders[code]

    def _create(self, page: PracticePage, appender: _ChildAppender, *, publish: bool) -> None:
        self.written.append(page)
        if not publish:
            page.live = False
            appender.add(page)
            page.save_revision()
            return
        # What `save_revision().publish()` leaves behind for a new page (a live page, one
        # revision that is both latest and live, a publish log entry, the page_published
        # signal) with one validated save, where Wagtail would save and validate it three times.
        now = timezone.now()
        page.live = True
        page.has_unpublished_changes = False
        page.first_published_at = page.last_published_at = now
        appender.add(page)
        revision = Revision.objects.create(
            content_object=page,
            base_content_type=page.get_base_content_type(),
            content=page.serializable_data(),
            object_str=str(page),
        )
        # Page, not PracticePage: the fields live on the parent table, so one UPDATE does.
        Page.objects.filter(pk=page.pk).update(
            latest_revision=revision,
            live_revision=revision,
            latest_revision_created_at=revision.created_at,
        )
        page.latest_revision = page.live_revision = revision
        page.latest_revision_created_at = revision.created_at
        # Written in bulk by finish(): a log entry saved on its own validates each foreign key.
        self.publish_log.append(
            PageLogEntry(
                page=page,
                content_type=ContentType.objects.get_for_model(PracticePage),
                label=page.get_admin_display_title(),
                action="wagtail.publish",
                timestamp=now,
                revision=revision,
                content_changed=True,
            )
        )
        page_published.send(sender=PracticePage, instance=page, revision=revision)

    def finish(self) -> None:
        for appender in self.appenders.values():
            appender.finish()
        PageLogEntry.objects.bulk_create(self.publish_log, batch_size=500)

    def _update(self, page, record, topics, city, translation_key) -> str:
        if page.live:
            # What the public sees. An editor's pending draft is never built on: it would go
            # live with whatever the file does not carry (attachments, related practices...).
            current, current_topic_ids = page, self.page_topics[page.pk]
        else:
            # Nothing public: the import carries on from the latest draft.
            current = page.get_latest_revision_as_object()
            current_topic_ids = {topic.pk for topic in current.topics.all()}
        content_changed = _content_differs(
            current,
            current_topic_ids,
            record,
            {topic.pk for topic in topics},
            city.pk if city else None,
        )
        key_changed = translation_key is not None and page.translation_key != translation_key
        needs_publish = record.publish and not page.live
        needs_unpublish = not record.publish and page.live
        if page.has_unpublished_changes and page.live and (content_changed or needs_unpublish):
            # Validation refuses such lines; this catches a draft saved since, undoing it all.
            raise InvalidPracticeFile([LineError(record.line, _pending_changes_reason(record))])
        if not (content_changed or key_changed or needs_publish or needs_unpublish):
            return "unchanged"
        if self.dry_run:
            return "updated"

        self.written.append(page)
        if key_changed:
            # The translation key is not part of a revision; it belongs to the page itself.
            Page.objects.filter(pk=page.pk).update(translation_key=translation_key)
            page.translation_key = current.translation_key = translation_key
        if content_changed:
            for name, value in _page_fields(record).items():
                setattr(current, name, value)
            current.city = city
            current.topics = topics
            if _body_differs(current, record):
                # Otherwise the StreamField stays as it is, blocks without text included.
                current.body = body_from_paragraphs(record.paragraphs)
            revision = current.save_revision()
            if record.publish:
                revision.publish()
        elif needs_publish:
            page.get_latest_revision().publish()
        if needs_unpublish:
            # `current` holds the latest revision's fields, which an unpublished page keeps.
            current.unpublish()
        return "updated"


def _in_dependency_order(records: list[PracticeRecord]) -> list[PracticeRecord]:
    # Translations go after the records they translate, so the source's key is known.
    return [r for r in records if not r.translation_of] + [r for r in records if r.translation_of]


def apply_practice_records(
    records: list[PracticeRecord],
    *,
    dry_run: bool = False,
    keep_existing: bool = False,
    on_record: Callable[[], None] | None = None,
) -> ImportReport:
    """Write validated records in one transaction. With dry_run, only say what would change.

    With keep_existing, practices already there are left as they are, even if they differ.
    """
    report = ImportReport(dry_run=dry_run)
    with transaction.atomic():
        if dry_run:
            ensure_locales()  # rolled back below, like everything in a dry run
        else:
            ensure_site_structure()
        writer = _PracticeWriter(dry_run=dry_run, keep_existing=keep_existing)
        with _indexing_deferred(writer.written):
            for record in _in_dependency_order(records):
                outcome = writer.apply(record)
                getattr(report, outcome).append(f"{record.locale}/{record.slug}")
                if on_record:
                    on_record()
            writer.finish()
        if dry_run:
            transaction.set_rollback(True)
    return report


def import_practice_file(
    path: Path,
    *,
    dry_run: bool = False,
    keep_existing: bool = False,
    on_validated: Callable[[int], None] | None = None,
    on_record: Callable[[], None] | None = None,
) -> ImportReport:
    """Validate the whole file, then import it. Raises InvalidPracticeFile, writing nothing."""
    result = validate_practice_file(path, keep_existing=keep_existing)
    if not result.is_valid:
        raise InvalidPracticeFile(result.errors)
    if on_validated:
        on_validated(len(result.records))
    return apply_practice_records(
        result.records, dry_run=dry_run, keep_existing=keep_existing, on_record=on_record
    )
