"""Writing validated records: pages created, updated or left alone, in one transaction."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F
from django.db.models.signals import post_save
from django.utils.text import slugify
from django.utils.translation import gettext as _
from modelcluster.models import get_all_child_relations
from wagtail.models import Locale, Page, PageLogEntry, ReferenceIndex
from wagtail.search.backends import get_search_backends

from core.wagtail_internals import (
    disable_reference_index_auto_update,
    first_child_path,
    next_sibling_path,
    publish_new_page,
    remember_parent,
    search_index_on_save,
)
from home.site_structure import ensure_locales, ensure_site_structure, practice_index_for
from knowledge.models import City, PracticePage, TopicArea
from sitedata.open_data import body_from_paragraphs
from sitedata.practice_import.changes import (
    body_differs,
    content_differs,
    page_fields,
    pending_changes_reason,
    topic_ids_by_page,
)
from sitedata.practice_import.records import InvalidPracticeFile, LineError, PracticeRecord
from sitedata.summit_programme import get_or_create_city

logger = logging.getLogger(__name__)


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
            next_sibling_path(last_child)
            if last_child
            else first_child_path(self.parent.path, self.depth)
        )
        self.added = 0

    def add(self, page: Page) -> None:
        page.depth = self.depth
        page.path = self.next_path
        remember_parent(page, self.parent)
        page.save()
        self.next_path = next_sibling_path(page)
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
        self.page_topics = topic_ids_by_page()

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
                **page_fields(record),
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
        self.publish_log.append(publish_new_page(page, appender.add))

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
        content_changed = content_differs(
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
            raise InvalidPracticeFile([LineError(record.line, pending_changes_reason(record))])
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
            for name, value in page_fields(record).items():
                setattr(current, name, value)
            current.city = city
            current.topics = topics
            if body_differs(current, record):
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
