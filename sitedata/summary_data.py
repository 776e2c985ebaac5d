"""The open data set of session summaries: one record per published, public summary.

Its fields are defined in sitedata/datasets.py (SESSION_SUMMARIES); the CSV and JSON Lines
writers are the practices' (sitedata/open_data.py).
"""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import QuerySet
from django.http import HttpRequest
from wagtail.models import Locale

from knowledge.models import SessionPage, SessionSummaryPage
from knowledge.visibility import visible_pages
from sitedata.open_data import public_page_url, rich_text_paragraphs


def public_session_summaries() -> QuerySet[SessionSummaryPage]:
    """Every summary the public may see: live, public, under a visible session."""
    return (
        visible_pages(SessionSummaryPage.objects.all())
        .select_related("locale")
        .prefetch_related("cities")
        .order_by("locale__language_code", "path")
    )


def _speaker(value: dict) -> str:
    detail = ", ".join(part for part in (value.get("role"), value.get("organisation")) if part)
    name = value.get("name") or ""
    return f"{name} ({detail})" if detail else name


def _texts(stream) -> list[str]:
    # raw_data: the text of each item without building every block.
    return [" ".join(str(item["value"] or "").split()) for item in stream.raw_data]


def session_summary_record(
    summary: SessionSummaryPage, session: SessionPage | None, request: HttpRequest | None
) -> dict:
    cities = sorted(summary.cities.all(), key=lambda city: city.name)
    return {
        "locale": summary.locale.language_code,
        "title": summary.title,
        "session": session.title if session else "",
        "session_start": session.start.isoformat() if session else None,
        "topic": session.topic.slug if session and session.topic else "",
        "cities": [city.name for city in cities],
        "countries": sorted({city.country.code for city in cities}),
        "participants": [_speaker(item["value"] or {}) for item in session.speakers.raw_data]
        if session
        else [],
        "key_messages": _texts(summary.key_messages),
        "recommendations": _texts(summary.recommendations),
        "full_summary": "\n\n".join(rich_text_paragraphs(summary.full_summary or "")),
        "published": summary.first_published_at.date().isoformat()
        if summary.first_published_at
        else None,
        "url": public_page_url(summary, request),
    }


def iter_public_session_summary_records(request: HttpRequest | None = None) -> Iterator[dict]:
    """Records of every visible summary, with their sessions read in one query."""
    summaries = list(public_session_summaries())
    parent_paths = {summary.path[: -SessionSummaryPage.steplen] for summary in summaries}
    sessions = {
        session.path: session
        for session in SessionPage.objects.filter(path__in=parent_paths).select_related("topic")
    }
    for summary in summaries:
        session = sessions.get(summary.path[: -SessionSummaryPage.steplen])
        yield session_summary_record(summary, session, request)


def session_summaries_count() -> int:
    return public_session_summaries().count()


def session_summary_locales() -> list[str]:
    codes = public_session_summaries().values_list("locale__language_code", flat=True)
    names = {locale.language_code: locale.get_display_name() for locale in Locale.objects.all()}
    return sorted({names.get(code, code) for code in codes})
