"""The public topic-area pages: the ten areas, and everything published in one of them."""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db.models import Q, QuerySet
from wagtail.models import Locale

from knowledge.localized import prefer_locale, snippet_by_slug
from knowledge.models import PracticePage, SessionPage, SessionSummaryPage, TopicArea
from knowledge.visibility import visible_pages


@dataclass
class TopicAreaContents:
    practices: QuerySet[PracticePage]
    sessions: list[SessionPage]
    summaries: list[SessionSummaryPage]

    @property
    def is_empty(self) -> bool:
        return not (self.practices.exists() or self.sessions or self.summaries)


def topic_area_by_slug(slug: str, locale: Locale) -> TopicArea | None:
    return snippet_by_slug(TopicArea, slug, locale)


def topic_area_contents(area: TopicArea, locale: Locale) -> TopicAreaContents:
    """Visible practices, sessions and session summaries of an area.

    Pages are matched by the area's translation key, so a page tagged with the area in any
    language counts, and each page is shown in the visitor's language where one is published.
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
        .order_by("start", "pk")
    )
    return TopicAreaContents(
        practices=practices.select_related("city")
        .prefetch_related("topics")
        .order_by("-started", "-first_published_at", "pk"),
        sessions=sessions,
        summaries=published_summaries_of(sessions),
    )


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
