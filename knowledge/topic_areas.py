"""The public topic-area pages: the ten areas, and everything published in one of them."""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.core.paginator import Page
from django.db.models import Q
from wagtail.models import Locale

from knowledge.localized import prefer_locale, snippet_by_slug
from knowledge.models import (
    PracticePage,
    SessionPage,
    SessionSummaryPage,
    SummitPage,
    TopicArea,
)
from knowledge.pagination import listing_page
from knowledge.visibility import visible_pages

# More than a summit gives one area (two or three sessions): a bound, not a page size. The
# summit page lists them all.
SESSION_LIMIT = 20


@dataclass
class TopicAreaContents:
    practices: Page  # one page of the area's practices
    sessions: list[SessionPage]
    summaries: list[SessionSummaryPage]
    # The summit page, when the area has more sessions than are listed.
    programme: SummitPage | None = None


def topic_area_by_slug(slug: str, locale: Locale) -> TopicArea | None:
    return snippet_by_slug(TopicArea, slug, locale)


def topic_area_contents(
    area: TopicArea, locale: Locale, page_param: str | None = None
) -> TopicAreaContents:
    """One page of an area's visible practices, and its sessions and session summaries.

    Pages are matched by the area's translation key, so a page tagged with the area in any
    language counts, and each page is shown in the visitor's language where one is published.
    `page_param` is the visitor's `?page=`, whatever it holds.
    """
    practices = prefer_locale(
        visible_pages(
            PracticePage.objects.filter(topics__translation_key=area.translation_key)
        ).distinct(),
        locale,
    )
    sessions = list(
        prefer_locale(
            visible_pages(SessionPage.objects.filter(topic__translation_key=area.translation_key)),
            locale,
        )
        .select_related("topic")
        .order_by("start", "pk")[: SESSION_LIMIT + 1]
    )
    programme = programme_of(sessions)
    sessions = sessions[:SESSION_LIMIT]
    practices = practices.select_related("city").order_by("-started", "-first_published_at", "pk")
    return TopicAreaContents(
        practices=listing_page(practices, page_param),
        sessions=sessions,
        summaries=published_summaries_of(sessions),
        programme=programme,
    )


def programme_of(sessions: list[SessionPage]) -> SummitPage | None:
    """The summit page listing every session, when `sessions` (up to SESSION_LIMIT + 1 of
    them) are more than a listing shows; else None."""
    if len(sessions) <= SESSION_LIMIT:
        return None
    return visible_pages(SummitPage.objects.parent_of(sessions[0])).first()


def published_summaries_of(sessions: list[SessionPage]) -> list[SessionSummaryPage]:
    """The visible summaries written under these sessions, in programme order."""
    if not sessions:
        return []
    under_sessions = reduce(
        or_,
        (Q(path__startswith=s.path, depth=s.depth + 1) for s in sessions),
    )
    summaries = {
        summary.path[: -SessionSummaryPage.steplen]: summary
        for summary in visible_pages(SessionSummaryPage.objects.filter(under_sessions))
    }
    # A session has at most one summary; keep the programme's order. Each summary carries
    # its session so a listing can name it without another query.
    ordered = []
    for session in sessions:
        summary = summaries.get(session.path)
        if summary is not None:
            summary.session = session
            ordered.append(summary)
    return ordered
