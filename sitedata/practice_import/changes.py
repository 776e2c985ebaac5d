"""Whether importing a record would change a practice: shared by validation and writing."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.utils.translation import gettext as _

from knowledge.models import PracticePage
from sitedata.open_data import paragraphs_from_body
from sitedata.practice_import.records import PracticeRecord


def page_fields(record: PracticeRecord) -> dict:
    """The record's values for the page fields of the same name."""
    fields = {
        "title": record.title,
        "summary": record.summary,
        "kind": record.kind,
        "started": record.started,
        "ended": record.ended,
        "practice_status": record.practice_status,
        "outcome": record.outcome,
        "target_group": record.target_group,
        "cost_band": record.cost_band,
        "last_reviewed": record.last_reviewed,
        "source_url": record.source_url,
        "contact_name": record.contact_name,
        "contact_organisation": record.contact_organisation,
    }
    if record.contact_email is not None:  # None: the file does not say; the page keeps its own
        fields["contact_email"] = record.contact_email
    return fields


def body_differs(page: PracticePage, record: PracticeRecord) -> bool:
    # Only the text counts: images, embeds and files an editor added are not in the file.
    return paragraphs_from_body(page.body) != list(record.paragraphs)


def content_differs(
    page: PracticePage,
    page_topic_ids: set[int],
    record: PracticeRecord,
    topic_ids: set[int],
    city_id: int | None,
) -> bool:
    """Whether importing the record would change the page. city_id None: a city not yet saved."""
    return not (
        all(getattr(page, name) == value for name, value in page_fields(record).items())
        and city_id is not None
        and page.city_id == city_id
        and page_topic_ids == topic_ids
        and not body_differs(page, record)
    )


def pending_changes_reason(record: PracticeRecord) -> str:
    return _(
        'practice "%(slug)s" (%(locale)s) has unpublished changes in the admin; '
        "publish or discard them before importing"
    ) % {"slug": record.slug, "locale": record.locale}


def topic_ids_by_page(page_ids: Iterable[int] | None = None) -> dict[int, set[int]]:
    through = PracticePage.topics.through
    links = through.objects.all()
    if page_ids is not None:
        links = links.filter(practicepage_id__in=page_ids)
    topic_ids: dict[int, set[int]] = defaultdict(set)
    for page_id, topic_id in links.values_list("practicepage_id", "topicarea_id"):
        topic_ids[page_id].add(topic_id)
    return topic_ids
