"""Pages and topic areas as the search index holds them. The only place documents are built.

Publishing, the outbox drain, reconcile and rebuild all come through here, so what the
index holds never depends on who triggered the indexing.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Iterator

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.html import strip_tags
from wagtail.models import Locale, Page
from wagtail.rich_text import get_text_for_indexing

from documents.models import DocumentText
from knowledge.models import City, PracticePage, SessionPage, SessionSummaryPage, TopicArea
from knowledge.public_media import private_collection_ids
from knowledge.visibility import visible_pages
from search.engines.base import SearchDocument

# The page types the public index covers. Topic areas are snippets, indexed on their own.
INDEXED_PAGE_TYPES = (PracticePage, SessionPage, SessionSummaryPage)
CONTENT_TYPES = {
    PracticePage: "practice",
    SessionPage: "session",
    SessionSummaryPage: "session_summary",
}
TOPIC_AREA_CONTENT_TYPE = "topic_area"


def page_document_id(page_id: int) -> str:
    return f"page-{page_id}"


def topic_area_document_id(area_id: int) -> str:
    return f"topic-{area_id}"


def _number_after(document_id: str, expected_prefix: str) -> int | None:
    prefix, _, number = document_id.partition("-")
    return int(number) if prefix == expected_prefix and number.isdigit() else None


def page_id_from_document_id(document_id: str) -> int | None:
    return _number_after(document_id, "page")


def topic_area_id_from_document_id(document_id: str) -> int | None:
    return _number_after(document_id, "topic")


def plain_text(html_or_text: str) -> str:
    """Markup stripped and entities decoded; whitespace collapsed."""
    if not html_or_text:
        return ""
    return " ".join(html.unescape(strip_tags(html_or_text)).split())


def _rich_text(source: str) -> str:
    return plain_text(get_text_for_indexing(source or ""))


def _stream_text(stream_value) -> str:
    if not stream_value:
        return ""
    parts = stream_value.stream_block.get_searchable_content(stream_value)
    return plain_text(" ".join(str(part) for part in parts if part))


def extracted_text(document) -> str:
    """The document's text as the extraction job stored it; empty until it has succeeded."""
    try:
        record = document.extracted
    except ObjectDoesNotExist:
        return ""
    return record.text if record.status == DocumentText.Status.DONE else ""


class _Lookups:
    """Small tables read once per build or batch, so a rebuild is not N+1 on cities."""

    def __init__(self) -> None:
        default_locale = Locale.get_default()
        english = City.objects.filter(locale=default_locale).values_list("translation_key", "name")
        self.city_english_names = dict(english)
        self.locale_codes = dict(Locale.objects.values_list("pk", "language_code"))
        self.topic_slugs = dict(TopicArea.objects.values_list("pk", "slug"))
        # Pages carry the default-locale slugs (the topic facet's values); areas do too.
        self.default_topic_slugs = {
            str(key): slug
            for key, slug in TopicArea.objects.filter(locale=default_locale).values_list(
                "translation_key", "slug"
            )
        }

        # Files in a collection with a view restriction lend no text to public search.
        self.private_collection_ids = private_collection_ids()

    def city_name(self, city: City | None) -> str:
        if city is None:
            return ""
        return self.city_english_names.get(city.translation_key, city.name)


def _attachments_text(page, lookups: _Lookups) -> str:
    texts = (
        extracted_text(attachment.document)
        for attachment in page.attachments.all()
        if attachment.document.collection_id not in lookups.private_collection_ids
    )
    return "\n".join(text for text in texts if text)


def _first_city(cities: Iterable[City]) -> City | None:
    return next(iter(cities), None)


def _build(page: Page, lookups: _Lookups, parent_session: SessionPage | None = None):
    page_type = type(page)
    common = {
        "id": page_document_id(page.pk),
        "translation_key": str(page.translation_key),
        "locale": lookups.locale_codes.get(page.locale_id, ""),
        "url": page.get_url() or page.url_path,
        "title": page.title,
        "content_type": CONTENT_TYPES[page_type],
        "published": page.last_published_at,
    }
    if isinstance(page, PracticePage):
        city = page.city
        return SearchDocument(
            **common,
            kind=page.kind,
            status=page.practice_status,
            summary=page.summary or page.search_description,
            # What came of it and whom it is for are found as the text is.
            body=" ".join(filter(None, [_stream_text(page.body), page.outcome, page.target_group])),
            attachments_text=_attachments_text(page, lookups),
            topics=tuple(sorted(topic.slug for topic in page.topics.all())),
            city=lookups.city_name(city),
            country=city.country.code if city else "",
            started=page.started,
        )
    if isinstance(page, SessionPage):
        speakers = _stream_text(page.speakers)
        return SearchDocument(
            **common,
            kind="session",
            summary=page.search_description,
            body=" ".join(
                filter(None, [_rich_text(page.description), _rich_text(page.outcomes), speakers])
            ),
            topics=(lookups.topic_slugs[page.topic_id],) if page.topic_id else (),
            city=lookups.city_name(_first_city(page.cities.all())),
            country=page.countries[0].code if page.countries else "",
            started=page.start.date() if page.start else None,
        )
    session = parent_session or page.get_parent().specific
    body = " ".join(
        filter(
            None,
            [
                _stream_text(page.key_messages),
                _stream_text(page.recommendations),
                _stream_text(page.notable_quotes),
                _rich_text(page.full_summary),
            ],
        )
    )
    city = _first_city(page.cities.all()) or _first_city(session.cities.all())
    return SearchDocument(
        **common,
        kind="session_summary",
        summary=page.search_description,
        body=body,
        attachments_text=_attachments_text(page, lookups),
        topics=(lookups.topic_slugs[session.topic_id],) if session.topic_id else (),
        city=lookups.city_name(city),
        country=session.countries[0].code if session.countries else "",
        started=session.start.date() if session.start else None,
    )


def build_search_document(page: Page) -> SearchDocument | None:
    """The page's document, or None when the public must not find it (then it leaves).

    One page through the pipeline's own builder (build_search_documents)."""
    return build_search_documents([page.pk]).get(page.pk)


def build_search_documents(page_ids: Iterable[int]) -> dict[int, SearchDocument]:
    """Documents for those of these pages that are indexable, keyed by page id.

    The same rule and builder as build_search_document, with the lookups and visibility
    read once for the batch: an import publishes thousands of pages at once.
    """
    page_ids = list(page_ids)
    lookups = _Lookups()
    documents = {}
    for model, related in (
        (PracticePage, ("topics", _attachments_prefetch())),
        (SessionPage, ("cities",)),
        (SessionSummaryPage, ("cities", _attachments_prefetch())),
    ):
        pages = visible_pages(model.objects.filter(pk__in=page_ids)).prefetch_related(*related)
        if model is PracticePage:
            pages = pages.select_related("city")
        for page in pages:
            documents[page.pk] = _build(page, lookups)
    return documents


def _attachments_prefetch() -> str:
    # The attachments, their documents and the documents' extracted text, three queries.
    return "attachments__document__extracted"


# ---------------------------------------------------------------------------
# Topic areas
# ---------------------------------------------------------------------------


def public_topic_areas() -> QuerySet[TopicArea]:
    """The areas the public topic pages serve: every area of a locale the site has a prefix for.

    /<lang>/topics/<slug>/ finds an area by its own slug in its own locale, whether or not
    that locale has a home page, so each translation is public as soon as it is saved.
    """
    languages = [code for code, _name in settings.LANGUAGES]
    return TopicArea.objects.filter(locale__language_code__in=languages)


def _topic_area_url(area: TopicArea, language_code: str) -> str:
    """The localized topic page, as the site's own links build it; "" when none can be."""
    with translation.override(language_code):
        try:
            return reverse("topic_area_detail", kwargs={"slug": area.slug})
        except NoReverseMatch:  # a slug the URL pattern refuses (e.g. non-ASCII) is unreachable
            return ""


def _build_topic_area(area: TopicArea, lookups: _Lookups) -> SearchDocument | None:
    language_code = lookups.locale_codes.get(area.locale_id, "")
    url = _topic_area_url(area, language_code) if language_code else ""
    if not url:
        return None
    slug = lookups.default_topic_slugs.get(str(area.translation_key), area.slug)
    return SearchDocument(
        id=topic_area_document_id(area.pk),
        translation_key=str(area.translation_key),
        locale=language_code,
        url=url,
        title=area.name,
        content_type=TOPIC_AREA_CONTENT_TYPE,
        kind=TOPIC_AREA_CONTENT_TYPE,
        summary=plain_text(area.description),
        topics=(slug,),
    )


def build_topic_area_document(area: TopicArea) -> SearchDocument | None:
    """The area's document in its own locale, or None when the public site does not show it."""
    if not public_topic_areas().filter(pk=area.pk).exists():
        return None
    return _build_topic_area(area, _Lookups())


def build_topic_area_documents(area_ids: Iterable[int]) -> dict[int, SearchDocument]:
    """Documents for those of these areas the public site shows, keyed by area id."""
    lookups = _Lookups()
    documents = {}
    for area in public_topic_areas().filter(pk__in=list(area_ids)):
        document = _build_topic_area(area, lookups)
        if document is not None:
            documents[area.pk] = document
    return documents


def build_documents_by_id(document_ids: Iterable[str]) -> dict[str, SearchDocument]:
    """The current document for each id that should be in the index; absent ids must leave.

    The outbox drain's entry point: ids name pages ("page-<pk>") or topic areas ("topic-<pk>").
    """
    document_ids = list(document_ids)
    page_ids = {page_id_from_document_id(doc_id) for doc_id in document_ids}
    area_ids = {topic_area_id_from_document_id(doc_id) for doc_id in document_ids}
    page_ids.discard(None)
    area_ids.discard(None)
    documents = {}
    if page_ids:
        for document in build_search_documents(page_ids).values():
            documents[document.id] = document
    if area_ids:
        for document in build_topic_area_documents(area_ids).values():
            documents[document.id] = document
    return documents


def iter_search_documents(chunk_size: int = 500) -> Iterator[SearchDocument]:
    """Every indexable page and topic area, for rebuild and reconcile; fixed queries a chunk."""
    lookups = _Lookups()
    practices = (
        visible_pages(PracticePage.objects.all())
        .select_related("city")
        .prefetch_related("topics", _attachments_prefetch())
        .order_by("pk")
    )
    for page in practices.iterator(chunk_size=chunk_size):
        yield _build(page, lookups)
    sessions = visible_pages(SessionPage.objects.all()).prefetch_related("cities").order_by("path")
    sessions_by_path = {}
    for session in sessions.iterator(chunk_size=chunk_size):
        sessions_by_path[session.path] = session
        yield _build(session, lookups)
    summaries = (
        visible_pages(SessionSummaryPage.objects.all())
        .prefetch_related("cities", _attachments_prefetch())
        .order_by("pk")
    )
    for summary in summaries.iterator(chunk_size=chunk_size):
        # A visible summary's parent session is visible too (no unpublished ancestor).
        session = sessions_by_path.get(summary.path[: -SessionSummaryPage.steplen])
        yield _build(summary, lookups, parent_session=session)
    for area in public_topic_areas().order_by("pk").iterator(chunk_size=chunk_size):
        document = _build_topic_area(area, lookups)
        if document is not None:
            yield document
